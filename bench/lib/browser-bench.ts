/**
 * The browser figures, in two real Chromium contexts on loopback (as the end-to-end
 * tests run): RSA key generation, time to a secure conversation in the real app,
 * and the data path (round trips, message rate, bulk throughput) of Duet's secure
 * channel against a raw data channel baseline. Baseline and Duet alternate in
 * every repetition, so background load on the machine hits both alike.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/chromium.ts';
import { type CpuUse, cpuUsedBetween, sampleCpu } from './cpu-usage.ts';
import { type LongChatResults, runLongChat } from './long-chat.ts';
import { appConversation, newPage, offerFile, settle } from './app-pages.ts';
import { type SetupSplit, type TimeToSecureRun, duetSetupSplit, duetTimeToSecure, rawTimeToOpen } from './time-to-secure.ts';
import { type PipePair, call, connectPair, profiled } from './bench-pages.ts';
import { type ChatDuringFileResults, chatDuringFile } from './chat-during-file.ts';
import { type Summary, median, summarize } from './stats.ts';
import { type UiPathResults, runUiPath } from './ui-path.ts';
import { type FirstVisitResults, runFirstVisit } from './first-visit.ts';

export type { SetupSplit, TimeToSecureRun };

export interface BrowserBenchOptions {
  /** The app, served by the real signaling server from dist/. */
  appUrl: string;
  /** That server's WebSocket endpoint, used by the bench pages too. */
  wsUrl: string;
  /** Where the bench pages are served (bench/.build). */
  pagesUrl: string;
  log: (line: string) => void;
  quick: boolean;
}

/** The pipes measured: 'gcm' is a lower bound for comparison, not Duet (see bench/pages/duet.ts). */
export type PipeName = 'raw' | 'link' | 'chat' | 'records' | 'gcm';
/** The pipes every data-path measurement runs on. */
export type EveryRunPipe = Exclude<PipeName, 'gcm'>;


export interface BrowserResults {
  chromiumVersion: string;
  rsaKeygenMs: Record<string, Summary>;
  /** WebCrypto throughput in this Chromium, 64 KiB per call (see the duet page's cryptoThroughput). */
  webCrypto?: { aesGcmMiBs: number; hmacMiBs: number };
  /** JS files the app page fetched before the lobby was shown (names in dist/assets). */
  lobbyScripts: string[];
  timeToSecure: { raw: TimeToSecureRun[]; duet: TimeToSecureRun[]; split: SetupSplit[] };
  /** Every pipe; 'gcm' only in results from 2026-12-03 on. */
  roundTripMs: Record<EveryRunPipe, Summary> & { gcm?: Summary };
  messagesPerSecond: Record<EveryRunPipe, { perSecond: number; messages: number; seconds: number }>;
  throughput: Record<string, Partial<Record<PipeName, ThroughputRuns>>>;
  /** A file sent through the real app, from the receiver's Accept to its Save link. */
  fileTransfer?: FileTransferRuns;
  /** A long conversation through the app's composer and log (results from 2026-12-07 on). */
  longChat?: LongChatResults;
  /** Chat one-way latency through the app while a 64 MiB file transfers, against idle (results from 2026-12-07 on). */
  chatDuringFile?: ChatDuringFileResults;
  /** Send → peer's log through the app, split, against its lower bound (results from 2026-12-07 on). */
  uiPath?: UiPathResults;
  /** Bytes on the wire for a first and a second visit (results from 2026-12-07 on). */
  firstVisit?: FirstVisitResults;
}

/** Per run, from /proc (Linux only): CPU time per MiB delivered, and how idle the machine was (0–1). */
export interface CpuPerMiBRuns {
  chromiumMsPerMiB: number[];
  pageMainThreadsMsPerMiB: number[];
  machineIdle: number[];
}

export interface ThroughputRuns {
  mibPerSecond: number[];
  median: number;
  cpu?: CpuPerMiBRuns;
}

export interface FileTransferRuns extends ThroughputRuns {
  mib: number;
  seconds: number[];
}

/** Adds one run's CPU use (if /proc could be read) to a measurement's runs, per MiB delivered. */
function addCpuRun(runs: ThroughputRuns, used: CpuUse | undefined, mib: number): void {
  if (!used) return;
  runs.cpu ??= { chromiumMsPerMiB: [], pageMainThreadsMsPerMiB: [], machineIdle: [] };
  runs.cpu.chromiumMsPerMiB.push(used.chromiumMs / mib);
  runs.cpu.pageMainThreadsMsPerMiB.push(used.pageMainThreadsMs / mib);
  runs.cpu.machineIdle.push(used.machineIdle);
}

/**
 * One file sent through the real app UI, as two people would: Alice attaches it, Bruno
 * accepts; the time runs from the click on Accept until Bruno's Save link shows, so it
 * includes reading the file, the transfer, the memory sink and the SHA-256 check.
 */
async function appFileTransfer(browser: Browser, appUrl: string, file: string): Promise<{ seconds: number; cpu: CpuUse | undefined }> {
  const { alice, bruno, close } = await appConversation(browser, appUrl);
  try {
    const card = await offerFile(alice.page, bruno.page, file);
    const accept = card.getByRole('button', { name: 'Accept' });
    await settle();
    const before = sampleCpu();
    const started = performance.now();
    await accept.click();
    await card.getByRole('link', { name: 'Save' }).waitFor({ timeout: 120_000 });
    const seconds = (performance.now() - started) / 1000;
    return { seconds, cpu: cpuUsedBetween(before, sampleCpu()) };
  } finally {
    await close();
  }
}

export async function runBrowserBench(options: BrowserBenchOptions): Promise<BrowserResults> {
  const { log, quick } = options;
  const executablePath = chromiumPath();
  const browser = await chromium.launch({ ...(executablePath ? { executablePath } : {}), args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];
  try {
    const chromiumVersion = browser.version();
    log(`Chromium ${chromiumVersion}${executablePath ? ` (${executablePath})` : ''}`);

    // --- JavaScript the app fetches before its lobby shows
    const probe = await newPage(browser);
    await probe.page.goto(options.appUrl);
    await probe.page.getByRole('textbox', { name: 'Your name' }).waitFor();
    const lobbyScripts = await probe.page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((entry) => new URL(entry.name).pathname)
        .filter((path) => path.endsWith('.js')),
    );
    await probe.context.close();

    // --- RSA key generation, with the app's own function
    log('RSA key generation (the app\'s generateRsaIdentity, in Chromium)…');
    const keygen = await newPage(browser);
    contexts.push(keygen.context);
    await keygen.page.goto(`${options.pagesUrl}/duet.html`);
    await call(keygen.page, 'rsaKeygen', 2048, 2, 10_000);
    const rsaKeygenMs: Record<string, Summary> = {};
    for (const [bits, runs, capMs] of [
      [2048, quick ? 5 : 20, 20_000],
      [3072, quick ? 3 : 10, 40_000],
      [4096, quick ? 3 : 10, 60_000],
    ] as const) {
      const times = await call(keygen.page, 'rsaKeygen', bits, runs, capMs);
      rsaKeygenMs[String(bits)] = summarize(times);
      log(`  RSA-${bits}: median ${median(times).toFixed(0)} ms, slowest ${Math.max(...times).toFixed(0)} ms over ${times.length} runs`);
    }

    log('WebCrypto throughput, 64 KiB calls (context for bulk)…');
    const webCrypto = await call(keygen.page, 'cryptoThroughput', quick ? 100 : 400);
    log(`  AES-256-GCM encrypt ${webCrypto.aesGcmMiBs.toFixed(0)} MiB/s, HMAC-SHA256 ${webCrypto.hmacMiBs.toFixed(0)} MiB/s`);

    // --- Time to secure, alternating baseline and app
    log('Time from both pages ready to secure (the real app) and to an open raw data channel…');
    const timeToSecure: BrowserResults['timeToSecure'] = { raw: [], duet: [], split: [] };
    const repetitions = quick ? 2 : 10;
    // One unrecorded round of each warms up the server, the browser's caches and the JITs.
    await rawTimeToOpen(browser, options.pagesUrl, options.wsUrl);
    await duetTimeToSecure(browser, options.appUrl);
    for (let i = 0; i < repetitions; i++) {
      const raw = await rawTimeToOpen(browser, options.pagesUrl, options.wsUrl);
      const duet = await duetTimeToSecure(browser, options.appUrl);
      const split = await duetSetupSplit(browser, options.pagesUrl, options.wsUrl);
      timeToSecure.raw.push(raw);
      timeToSecure.duet.push(duet);
      timeToSecure.split.push(split);
      log(
        `  ${i + 1}/${repetitions}: raw ${raw.setupMs.toFixed(0)} ms (join → open ${raw.joinToReadyMs.toFixed(0)}), ` +
          `Duet ${duet.setupMs.toFixed(0)} ms (join → secure ${duet.joinToReadyMs.toFixed(0)}); ` +
          `bench page: join → open ${split.joinToChannelOpenMs.toFixed(0)}, open → secure ${split.channelOpenToSecureMs.toFixed(0)} (open → connect ${split.channelOpenToConnectMs?.toFixed(1)})`,
      );
    }

    // --- The data path
    log('Connecting the data-path pairs (raw; Duet link, chat, records; bare AES-GCM)…');
    const pipes: EveryRunPipe[] = ['raw', 'link', 'chat', 'records'];
    // The lower bound only where a target is compared per message and per byte: round trips and 64 KiB.
    const withLowerBound: PipeName[] = [...pipes, 'gcm'];
    const pairs = {} as Record<PipeName, PipePair>;
    for (const pipe of withLowerBound) pairs[pipe] = await connectPair(browser, options, pipe, contexts);

    log('Round trips, 100-byte messages…');
    const rtt: Record<PipeName, number[]> = { raw: [], link: [], chat: [], records: [], gcm: [] };
    const rounds = quick ? 1 : 4;
    for (let round = 0; round < rounds; round++) {
      for (const pipe of withLowerBound) rtt[pipe].push(...(await call(pairs[pipe].sender, 'roundTrips', 'p', 100, 50, quick ? 200 : 1000, 15_000)));
      log(`  round ${round + 1}/${rounds}: p50 ${withLowerBound.map((pipe) => `${pipe} ${median(rtt[pipe]).toFixed(2)} ms`).join(', ')}`);
    }
    const roundTripMs = Object.fromEntries(withLowerBound.map((pipe) => [pipe, summarize(rtt[pipe])])) as Record<PipeName, Summary>;
    if (process.env.BENCH_PROFILE_DIR) {
      // A Chromium trace (both pages) of 200 round trips per pipe: where a round trip waits.
      mkdirSync(process.env.BENCH_PROFILE_DIR, { recursive: true });
      for (const pipe of pipes) {
        await browser.startTracing(undefined, {
          path: path.join(process.env.BENCH_PROFILE_DIR, `${pipe}-round-trips.trace.json`),
          categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'webrtc', 'disabled-by-default-webrtc'],
        });
        await call(pairs[pipe].sender, 'roundTrips', 'p', 100, 20, 200, 15_000);
        await browser.stopTracing();
        await profiled(pairs[pipe], 'round-trips', () => call(pairs[pipe].sender, 'roundTrips', 'p', 100, 20, 2000, 15_000));
      }
    }

    log(`Small messages (100 bytes) per second, sustained ${quick ? 3 : 10} s…`);
    const messagesPerSecond = {} as BrowserResults['messagesPerSecond'];
    for (const pipe of pipes) {
      await call(pairs[pipe].sender, 'flow', 'p', 100, 2000, 200, quick ? 500 : 2000);
      const result = await call(pairs[pipe].sender, 'flow', 'p', 100, 2000, 200, quick ? 3000 : 10_000);
      const seconds = result.elapsedMs / 1000;
      messagesPerSecond[pipe] = { perSecond: result.messages / seconds, messages: result.messages, seconds };
      log(`  ${pipe}: ${Math.round(result.messages / seconds)} messages/s`);
    }

    log('Bulk throughput…');
    const throughput: BrowserResults['throughput'] = {};
    const bulkRepetitions = quick ? 1 : 5;
    const windowBytes = 4 * 1024 * 1024;
    for (const size of [16 * 1024, 64 * 1024]) {
      const label = `${size / 1024} KiB`;
      // 64 KiB does not fit a chat message (50,000 characters at most): records only.
      const sizePipes = size <= 16 * 1024 ? pipes : [...pipes.filter((pipe) => pipe !== 'chat'), 'gcm' as const];
      const window = windowBytes / size;
      const ackEvery = Math.max(1, window / 8);
      const runs: Partial<Record<PipeName, ThroughputRuns>> = {};
      for (const pipe of sizePipes) await call(pairs[pipe].sender, 'flow', 'p', size, window, ackEvery, 1000);
      for (let i = 0; i < bulkRepetitions; i++) {
        for (const pipe of sizePipes) {
          const flow = () => call(pairs[pipe].sender, 'flow', 'p', size, window, ackEvery, quick ? 1500 : 3000);
          const before = sampleCpu();
          const result = i === 0 ? await profiled(pairs[pipe], `${size / 1024}KiB`, flow) : await flow();
          const used = cpuUsedBetween(before, sampleCpu());
          const mib = result.bytes / 1024 ** 2;
          const pipeRuns = (runs[pipe] ??= { mibPerSecond: [], median: 0 });
          pipeRuns.mibPerSecond.push(mib / (result.elapsedMs / 1000));
          addCpuRun(pipeRuns, used, mib);
        }
      }
      for (const pipeRuns of Object.values(runs)) pipeRuns.median = median(pipeRuns.mibPerSecond);
      throughput[label] = runs;
      const cpuNote = (r: ThroughputRuns) => (r.cpu ? ` (${median(r.cpu.chromiumMsPerMiB).toFixed(0)} ms CPU/MiB)` : '');
      log(`  ${label}: ${Object.entries(throughput[label]).map(([pipe, r]) => `${pipe} ${r!.median.toFixed(1)} MiB/s${cpuNote(r!)}`).join(', ')}`);
    }

    log('A file through the app (Attach file → Accept → Save)…');
    // The data-path pairs are done: their connections close, so they cost the machine nothing meanwhile.
    await Promise.all(withLowerBound.flatMap((pipe) => [pairs[pipe].sender, pairs[pipe].receiver].map((page) => call(page, 'close', 'p'))));
    const mib = quick ? 16 : 32;
    const folder = mkdtempSync(path.join(os.tmpdir(), 'duet-bench-'));
    const file = path.join(folder, 'bench-file.bin');
    writeFileSync(file, randomBytes(mib * 1024 * 1024));
    const fileTransfer: FileTransferRuns = { mib, seconds: [], mibPerSecond: [], median: 0 };
    try {
      for (let i = 0; i < (quick ? 1 : 3); i++) {
        const run = await appFileTransfer(browser, options.appUrl, file);
        fileTransfer.seconds.push(run.seconds);
        fileTransfer.mibPerSecond.push(mib / run.seconds);
        addCpuRun(fileTransfer, run.cpu, mib);
        log(`  ${i + 1}: ${mib} MiB in ${run.seconds.toFixed(2)} s (${(mib / run.seconds).toFixed(1)} MiB/s)`);
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    fileTransfer.median = median(fileTransfer.mibPerSecond);

    const longMessages = quick ? 1000 : 10_000;
    log(`A conversation of ${longMessages.toLocaleString('en-US')} messages through the app (composer → peer's log; heap)…`);
    const longChat = await runLongChat(browser, { appUrl: options.appUrl, messages: longMessages, latencySamples: quick ? 20 : 100, log });

    const chatDuring = await measureChatDuringFile(browser, options);

    log('Send → peer\'s log through the app, split (click, seal, channel, open, render), against its lower bound…');
    const uiPath = await runUiPath(browser, { ...options, samples: quick ? 20 : 100 });

    log('Bytes on the wire for a first and a second visit…');
    const firstVisit = await runFirstVisit(browser, options.appUrl, log);

    return { chromiumVersion, rsaKeygenMs, webCrypto, lobbyScripts, timeToSecure, roundTripMs, messagesPerSecond, throughput, fileTransfer, longChat, chatDuringFile: chatDuring, uiPath, firstVisit };
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
    await browser.close();
  }
}

/** Chat messages through the app, idle and while a 64 MiB file transfers (see chat-during-file.ts). */
async function measureChatDuringFile(browser: Browser, options: BrowserBenchOptions): Promise<ChatDuringFileResults> {
  options.log('Chat while a 64 MiB file transfers (Send → peer\'s log, one way), against idle…');
  const result = await chatDuringFile(browser, options.appUrl, options.log, options.quick ? 10 : 30);
  options.log(`  p50 idle ${result.idleMs.median.toFixed(1)} ms, during the file ${result.duringFileMs.median.toFixed(1)} ms (p99 ${result.duringFileMs.p99.toFixed(1)} ms, n ${result.duringFileMs.n})`);
  return result;
}
