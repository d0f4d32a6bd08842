/**
 * `npm test`: the type check, the unit tests (Vitest, in Node) and the end-to-end
 * tests (Playwright, two real Chromium contexts, in an isolated network
 * namespace), then one closing line "N passed, N failed" over all of them.
 * Every stage runs even if an earlier one failed, so one run shows everything.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

// Not test-results/: Playwright empties that folder when it starts.
const resultsDir = 'test-reports';
const unitJson = `${resultsDir}/unit.json`;
const e2eJson = `${resultsDir}/e2e.json`;

function run(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): boolean {
  console.log(`\n=== ${label}: ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status === 0;
}

function readJson(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const typecheckOk = run('Type check', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
const unitOk = run('Unit tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${unitJson}`]);
const buildOk = run('Build', 'npx', ['vite', 'build', '--logLevel', 'warn']);
const e2eOk =
  buildOk &&
  run('End-to-end tests', 'npx', ['tsx', 'scripts/in-netns.ts', 'npx', 'playwright', 'test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: e2eJson,
  });

const unit = readJson(unitJson);
const e2e = readJson(e2eJson)?.stats as Record<string, number> | undefined;
const unitFailed = Number(unit?.numFailedTests ?? 0);
const e2eFailed = Number(e2e?.unexpected ?? 0) + Number(e2e?.flaky ?? 0);
const passed = (typecheckOk ? 1 : 0) + Number(unit?.numPassedTests ?? 0) + Number(e2e?.expected ?? 0);
// A stage that failed without naming a failed test (type errors, a crash, a failed
// build) still counts as one failure, so the closing line can never read "0 failed".
const failed =
  (typecheckOk ? 0 : 1) +
  (buildOk ? 0 : 1) +
  unitFailed +
  (!unitOk && unitFailed === 0 ? 1 : 0) +
  e2eFailed +
  (buildOk && !e2eOk && e2eFailed === 0 ? 1 : 0);

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(typecheckOk && unitOk && buildOk && e2eOk ? 0 : 1);
