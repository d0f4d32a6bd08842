/**
 * No user-visible English hard-coded in the UI's Lit templates: every text node and
 * every text attribute (aria-label, alt, title, placeholder…) comes from the catalogue
 * through ${t(…)}. Text in ${…} expressions is not checked (a string literal there is
 * as likely a class name as a sentence); review catches those.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hardCodedText, htmlTemplates } from '../helpers/html-templates.ts';

const UI_DIR = new URL('../../../src/ui/', import.meta.url);
/** Literal text that is allowed: none yet. Add `'file.ts: text'` entries with a reason. */
const ALLOWED = new Set<string>([]);

describe('the scanner', () => {
  it('finds literal text and text attributes, and leaves expressions, markup and symbols alone', () => {
    const source = [
      "import { html, css } from 'lit';",
      '// a comment with a `backtick` and html`<p>not code</p>`',
      "const style = css`p::after { content: 'Not a template'; }`;",
      'const a = html`<p class="muted">${t(\'x\')}</p><button aria-label="Close it" title=${t(\'y\')}>×</button>`;',
      'const b = html`<div>${ok ? html`<span>Nested text</span>` : `plain ${"}"} string`}</div>`;',
      'const c = html`<img alt="Room QR code" src=${url} /> <!-- Commented out --> Sound ${on ? "on" : "off"}`;',
      "const d = html`<input placeholder='Write here' type=\"text\" autocomplete=\"nickname\" />&nbsp;&rarr;`;",
    ].join('\n');
    const found = htmlTemplates(source).flatMap(hardCodedText);
    expect(found).toEqual(['aria-label="Close it"', 'Nested text', 'alt="Room QR code"', 'Sound ${…}', 'placeholder="Write here"']);
  });

  it('fails loudly on source it cannot follow', () => {
    expect(() => htmlTemplates('const a = html`<p>${x</p>`;')).toThrow();
  });
});

describe('src/ui templates', () => {
  const files = readdirSync(UI_DIR).filter((f) => f.endsWith('.ts'));

  it('the scanner sees the UI’s templates', () => {
    const count = files.reduce((n, f) => n + htmlTemplates(readFileSync(new URL(f, UI_DIR), 'utf8')).length, 0);
    expect(count).toBeGreaterThan(30);
  });

  it.each(files)('%s has no hard-coded user-visible text', (file) => {
    const found = htmlTemplates(readFileSync(new URL(file, UI_DIR), 'utf8'))
      .flatMap(hardCodedText)
      .filter((text) => !ALLOWED.has(`${file}: ${text}`));
    expect(found).toEqual([]);
  });
});
