/**
 * `npm run bench`: Duet's performance figures, each next to a baseline measured in
 * the same run, written to bench/results/latest.json and docs/PERFORMANCE.md.
 *
 * It re-runs itself inside an isolated network namespace with only loopback
 * (scripts/in-netns.ts), builds dist/ if it is stale and the bench pages always,
 * then measures: the initial JavaScript, the signaling server under load (its own
 * process), scaling out (two instances on one real redis-server, if installed), and in two Chromium contexts RSA key generation, time to secure, round
 * trips, message rate and bulk throughput, a file through the app, a 10,000-message
 * conversation and chat during a 64 MiB file. It stops itself after BENCH_DEADLINE_MS
 * (default 25 minutes).
 *
 *   npm run bench              full run (about 15 minutes on 2 cores), writes the report
 *   npm run bench -- --quick   short smoke run, writes bench/results/quick.json only
 *   npm run bench -- --report-only   rewrites docs/PERFORMANCE.md from bench/results/latest.json
 *   npm run bench -- --only=long-chat [--merge]   one part alone (bench/lib/parts.ts); --merge
 *                              puts its figures into latest.json and docs/PERFORMANCE.md
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSignalingServer } from '../signaling/server.ts';
import { runBrowserBench } from './lib/browser-bench.ts';
import { buildBenchPages, buildProductIfStale } from './lib/build.ts';
import { measureBundle } from './lib/bundle-size.ts';
import { describeMachine, gitCommit, packageVersions } from './lib/machine.ts';
import { type BenchResults, composeFigures } from './lib/report.ts';
import { handWrittenSection, renderMarkdown } from './lib/report-markdown.ts';
import { PART_NAMES, isPartName, mergePart, runPart } from './lib/parts.ts';
import { type ScaleOutResult, runScaleOut, scaleOutOptions } from './lib/scale-out.ts';
import { runSignalingLoad } from './lib/signaling-load.ts';
import { redisInstalled } from '../tests/unit/helpers/redis-server.ts';
import { serveBenchPages } from './lib/static-server.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const reportOnly = process.argv.includes('--report-only');
const quick = process.argv.includes('--quick') && !reportOnly;
/** `--only=long-chat`: that one part (bench/lib/parts.ts), printed; with `--merge`, merged into latest.json and the report. */
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const merge = process.argv.includes('--merge') && !quick;
const performanceFile = path.join(root, 'docs', 'PERFORMANCE.md');
/** Read before anything is measured: a report without its hand-written section fails now, not after the run. */
const handWritten = quick && !merge ? '' : handWrittenSection(readFileSync(performanceFile, 'utf8'));

if (reportOnly) {
  const saved = JSON.parse(readFileSync(path.join(root, 'bench', 'results', 'latest.json'), 'utf8')) as BenchResults;
  writeFileSync(performanceFile, renderMarkdown(saved, handWritten));
  console.log('Wrote docs/PERFORMANCE.md from bench/results/latest.json');
  process.exit(0);
}

// --- Into the network namespace first, so no bench traffic can leave the machine.
if (process.env.DUET_IN_NETNS !== '1' && process.env.BENCH_REEXECUTED !== '1') {
  const self = [process.execPath, '--import', 'tsx', path.join(root, 'bench', 'run.ts'), ...process.argv.slice(2)];
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'in-netns.ts'), ...self], {
    cwd: root,
    stdio: 'inherit',
    // Marks the child, so that where no namespace can be made it does not try again.
    env: { ...process.env, BENCH_REEXECUTED: '1' },
  });
  process.exit(result.status ?? 1);
}

const startedAt = performance.now();
function log(line: string): void {
  const seconds = Math.round((performance.now() - startedAt) / 1000);
  console.log(`[bench ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}] ${line}`);
}

// A full run with the long conversation and chat during a file takes about 15 minutes on 2 cores.
const deadlineMs = Number(process.env.BENCH_DEADLINE_MS ?? 25 * 60_000);
const deadline = setTimeout(() => {
  console.error(`bench: still running after ${deadlineMs / 1000} s; stopping (children stop when their parent goes).`);
  process.exit(2);
}, deadlineMs);
deadline.unref();

const machine = describeMachine();
log(`${machine.cpuModel}, ${machine.cores} cores, ${machine.ramGiB} GiB, ${machine.os}; load average ${machine.loadAverageStart.toFixed(2)}`);
if (process.env.DUET_IN_NETNS !== '1') log('warning: not in an isolated network namespace (see scripts/in-netns.ts); everything still uses loopback only');

log('Building (dist/ if stale, and the bench pages)…');
if (await buildProductIfStale(root)) log('  dist/ rebuilt');
const pagesDir = await buildBenchPages(root);
const distDir = path.join(root, 'dist');

if (only !== undefined) {
  if (!isPartName(only)) {
    console.error(`bench: unknown --only=${only} (known: ${PART_NAMES.join(', ')})`);
    process.exit(1);
  }
  const server = await createSignalingServer({ port: 0, host: '127.0.0.1', staticDir: distDir, log: () => {} });
  const pages = await serveBenchPages(pagesDir);
  try {
    const part = await runPart(only, { appUrl: `${server.url}/`, wsUrl: server.wsUrl, pagesUrl: pages.url, log, quick });
    part.run.commit = gitCommit(root);
    console.log(JSON.stringify(part.results, null, 2));
    log(`load average ${part.run.loadAverage[0].toFixed(2)} at the start, ${part.run.loadAverage[1].toFixed(2)} at the end`);
    if (merge) {
      const latest = path.join(root, 'bench', 'results', 'latest.json');
      const merged = mergePart(JSON.parse(readFileSync(latest, 'utf8')) as BenchResults, part.results, part.run);
      writeFileSync(latest, `${JSON.stringify(merged, null, 2)}\n`);
      writeFileSync(performanceFile, renderMarkdown(merged, handWritten));
      log(`Merged into bench/results/latest.json and docs/PERFORMANCE.md`);
    }
  } finally {
    await Promise.all([server.close(), pages.close()]);
  }
  process.exit(0);
}

log('Initial JavaScript (dist/, gzip -9)…');
const bundle = measureBundle(distDir);
log(`  ${bundle.entry} and its static imports: ${(bundle.initialGzipBytes / 1000).toFixed(1)} kB gzip`);

log('Signaling server: idle rooms and relay latency (its own process, loopback)…');
const signaling = await runSignalingLoad({
  root,
  targetRooms: quick ? 1000 : 10_000,
  relayRooms: 100,
  relayRate: 1000,
  relayWarmupMs: quick ? 500 : 2000,
  relayDurationMs: quick ? 3000 : 10_000,
  relayRuns: quick ? 1 : 3,
  relayPayloadChars: 512,
  loadProcesses: 4,
  log,
});
log(`  RSS ${(signaling.memory.loadedRssBytes / 1e6).toFixed(0)} MB with ${signaling.idleRooms} rooms; relay p99 ${signaling.relay.medianRunP99Ms.toFixed(2)} ms (median of ${signaling.relay.runP99Ms.length} runs)`);

let scaleOut: ScaleOutResult | undefined;
if (redisInstalled()) {
  log('Scaling out: relay between two instances on one Redis vs one instance, and Redis memory per idle room…');
  scaleOut = await runScaleOut(scaleOutOptions(root, quick, log));
  log(`  relay p99: two instances ${scaleOut.twoInstancesRedis.latencyMs.p99.toFixed(2)} ms, one instance ${scaleOut.oneInstanceMemory.latencyMs.p99.toFixed(2)} ms; Redis ${Math.round(scaleOut.redisBytesPerIdleRoom)} bytes per idle room`);
} else {
  log('Scaling out: skipped, redis-server is not installed (apt-get install redis-server)');
}

// The real server (default limits) serves the app and signals for every page; the bench
// pages, which must stay out of dist/, come from a static server of their own.
const appServer = await createSignalingServer({ port: 0, host: '127.0.0.1', staticDir: distDir, log: () => {} });
const pagesServer = await serveBenchPages(pagesDir);
let browser;
try {
  browser = await runBrowserBench({ appUrl: `${appServer.url}/`, wsUrl: appServer.wsUrl, pagesUrl: pagesServer.url, log, quick });
} finally {
  await Promise.all([appServer.close(), pagesServer.close()]);
}

machine.loadAverageEnd = os.loadavg()[0]!;
const results: BenchResults = {
  schema: 1,
  timestamp: new Date().toISOString(),
  quick,
  durationSeconds: Math.round((performance.now() - startedAt) / 1000),
  commit: gitCommit(root),
  machine,
  versions: { ...packageVersions(root), chromium: browser.chromiumVersion },
  figures: [],
  details: { bundle, signaling, browser, ...(scaleOut ? { scaleOut } : {}) },
};
results.figures = composeFigures(results);

const resultsDir = path.join(root, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
const jsonFile = path.join(resultsDir, quick ? 'quick.json' : 'latest.json');
writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
log(`Wrote ${path.relative(root, jsonFile)}`);
if (!quick) {
  writeFileSync(performanceFile, renderMarkdown(results, handWritten));
  log('Wrote docs/PERFORMANCE.md');
}

console.log('');
for (const figure of results.figures) {
  const verdict = figure.met === undefined ? '    ' : figure.met ? 'met ' : 'MISS';
  console.log(`${verdict}  ${figure.label}: ${figure.display}${figure.ratio !== undefined ? ` (${figure.ratio.toFixed(2)}× baseline)` : ''}  [target ${figure.target}]`);
}
log(`done in ${results.durationSeconds} s; load average now ${machine.loadAverageEnd.toFixed(2)}`);
process.exit(0);
