/**
 * Writes docs/ERRORS.md from the one error catalogue (src/core/errors.ts), so the
 * document cannot drift: tests/unit/core/errors-doc.test.ts checks it is up to date.
 * Run: npx tsx scripts/make-errors-doc.ts
 */
import { writeFileSync } from 'node:fs';
import { ERROR_MESSAGES } from '../src/core/errors.ts';

export function errorsDocument(): string {
  const rows = Object.entries(ERROR_MESSAGES).map(([code, sentence]) => `| \`${code}\` | ${sentence.replace(/\|/g, '\\|')} |`);
  return [
    '# Duet error codes',
    '',
    'Every failure a person can meet ends in one of these codes. The app shows the sentence with',
    'the code in brackets, in the status area (or next to what failed); the code is what tests and',
    'bug reports use. Generated from `src/core/errors.ts` by `scripts/make-errors-doc.ts`.',
    '',
    '| code | what the person reads |',
    '|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('../docs/ERRORS.md', import.meta.url), errorsDocument());
  console.log('wrote docs/ERRORS.md');
}
