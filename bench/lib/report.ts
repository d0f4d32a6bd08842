/**
 * Turns one bench run into figures (value, baseline, ratio, target, met) and the other
 * numbers the report quotes; it computes only. report-markdown.ts and findings.ts put
 * them into docs/PERFORMANCE.md. The JSON keeps everything, so runs can be compared.
 */
import type { BrowserResults, TimeToSecureRun } from './browser-bench.ts';
import type { BundleSizes } from './bundle-size.ts';
import type { LongChatResults } from './long-chat.ts';
import type { Machine } from './machine.ts';
import type { PartRun } from './parts.ts';
import { partFigures } from './report-parts.ts';
import type { ScaleOutResult } from './scale-out.ts';
import type { SignalingLoadResult } from './signaling-load.ts';
import { median } from './stats.ts';
import { MB, kB, mibs, ms, msPerMiB, percent, perSecond } from './units.ts';

export interface Figure {
  id: string;
  label: string;
  value: number;
  unit: string;
  display: string;
  baseline?: number;
  baselineDisplay?: string;
  /** value ÷ baseline. */
  ratio?: number;
  target: string;
  /** Undefined for figures shown for context, without a target of their own. */
  met?: boolean;
}

export interface BenchResults {
  schema: 1;
  timestamp: string;
  quick: boolean;
  durationSeconds: number;
  commit: string;
  machine: Machine;
  versions: Record<string, string>;
  figures: Figure[];
  /** Parts measured alone since, each replacing its own results (bench/lib/parts.ts). */
  partRuns?: PartRun[];
  /** scaleOut is absent from runs made before it existed, or where redis-server is not installed. */
  details: { bundle: BundleSizes; signaling: SignalingLoadResult; browser: BrowserResults; scaleOut?: ScaleOutResult };
}


function setupMedian(runs: TimeToSecureRun[]): number {
  return median(runs.map((run) => run.setupMs));
}

export function composeFigures(results: BenchResults): Figure[] {
  const { bundle, signaling, browser } = results.details;
  const figures: Figure[] = [];
  const compare = (
    id: string,
    label: string,
    value: number,
    baseline: number,
    unit: string,
    format: (v: number) => string,
    target: string,
    met: ((ratio: number, value: number) => boolean) | undefined,
  ) => {
    const ratio = value / baseline;
    figures.push({ id, label, value, unit, display: format(value), baseline, baselineDisplay: format(baseline), ratio, target, ...(met ? { met: met(ratio, value) } : {}) });
  };

  compare('time-to-secure', 'Time from both pages ready to secure', setupMedian(browser.timeToSecure.duet), setupMedian(browser.timeToSecure.raw), 'ms', ms, '≤ 1.3×', (r) => r <= 1.3);
  const split = browser.timeToSecure.split;
  compare(
    'setup-to-channel-open',
    '… of which WebRTC: join → data channel open (Duet bench page vs raw join → open)',
    median(split.map((s) => s.joinToChannelOpenMs)),
    median(browser.timeToSecure.raw.map((r) => r.joinToReadyMs)),
    'ms',
    ms,
    'context',
    undefined,
  );
  const handshake = median(split.map((s) => s.channelOpenToSecureMs));
  figures.push({ id: 'handshake-after-open', label: '… of which Duet: data channel open → secure (connect event; the handshake ran meanwhile)', value: handshake, unit: 'ms', display: ms(handshake), target: 'context' });

  for (const [size, pipes] of Object.entries(browser.throughput)) {
    if (pipes.records && pipes.raw) {
      compare(`throughput-${size}`, `Bulk throughput, ${size} messages`, pipes.records.median, pipes.raw.median, 'MiB/s', mibs, '≥ 0.9×', (r) => r >= 0.9);
    }
    if (pipes.chat && pipes.raw) {
      compare(`throughput-${size}-chat`, `… ${size} as chat messages (JSON text)`, pipes.chat.median, pipes.raw.median, 'MiB/s', mibs, 'context', undefined);
    }
    if (pipes.records?.cpu && pipes.raw?.cpu) {
      compare(
        `cpu-per-mib-${size}`,
        `… ${size}: CPU time per MiB, all Chromium processes (machine ${percent(median([...pipes.records.cpu.machineIdle, ...pipes.raw.cpu.machineIdle]))} idle)`,
        median(pipes.records.cpu.chromiumMsPerMiB),
        median(pipes.raw.cpu.chromiumMsPerMiB),
        'ms/MiB',
        msPerMiB,
        'context',
        undefined,
      );
    }
    if (pipes.gcm && pipes.raw) {
      compare(`throughput-${size}-gcm`, `… ${size}, lower bound: bare AES-GCM (one call per message each way, nothing else; not Duet)`, pipes.gcm.median, pipes.raw.median, 'MiB/s', mibs, 'context', undefined);
    }
  }

  const file = browser.fileTransfer;
  const raw16 = browser.throughput['16 KiB']?.raw;
  if (file && raw16) {
    compare(
      'file-transfer',
      `… a ${file.mib} MiB file through the app (Attach file → Accept → Save; 16 KiB chunks, SHA-256 checked), against raw 16 KiB messages`,
      file.median,
      raw16.median,
      'MiB/s',
      mibs,
      'context',
      undefined,
    );
  }

  const chat = browser.chatDuringFile;
  if (chat && chat.duringFileMs.n > 0) {
    const label = `One-way chat message latency while a ${chat.fileMiB} MiB file transfers (Send → peer's log, through the app), against idle`;
    compare('chat-during-file-p50', `${label}: p50`, chat.duringFileMs.median, chat.idleMs.median, 'ms', ms, 'p50 ≤ 50 ms', (_ratio, value) => value <= 50);
    compare('chat-during-file-p99', '… p99', chat.duringFileMs.p99, chat.idleMs.p99, 'ms', ms, 'context', undefined);
  }

  const rtt = browser.roundTripMs;
  compare('rtt-p50', 'Round trip p50, 100-byte chat messages', rtt.chat.median, rtt.raw.median, 'ms', ms, '≤ 1.5×', (r) => r <= 1.5);
  compare('rtt-p99', 'Round trip p99, 100-byte chat messages', rtt.chat.p99, rtt.raw.p99, 'ms', ms, '≤ 1.5×', (r) => r <= 1.5);
  compare('rtt-p50-records', '… p50 as binary records', rtt.records.median, rtt.raw.median, 'ms', ms, 'context', undefined);
  if (rtt.gcm) {
    compare('rtt-p50-gcm', '… p50, lower bound: bare AES-GCM (one call per message each way, nothing else; not Duet)', rtt.gcm.median, rtt.raw.median, 'ms', ms, 'context', undefined);
  }

  const rate = browser.messagesPerSecond;
  compare('messages-per-second', 'Small messages per second (100-byte chat messages, 10 s)', rate.chat.perSecond, rate.raw.perSecond, 'messages/s', perSecond, '≥ 5,000/s and ≥ 0.7×', (r, v) => v >= 5000 && r >= 0.7);
  compare('messages-per-second-records', '… as binary records', rate.records.perSecond, rate.raw.perSecond, 'messages/s', perSecond, 'context', undefined);

  if (browser.longChat) figures.push(...longChatFigures(browser.longChat));
  figures.push(...partFigures(browser));

  for (const [bits, summary] of Object.entries(browser.rsaKeygenMs)) {
    const isDefault = bits === '2048';
    figures.push({
      id: `rsa-keygen-${bits}`,
      label: `RSA-${bits} key generation${isDefault ? ' (the default)' : ''}`,
      value: summary.median,
      unit: 'ms',
      display: `median ${ms(summary.median)}, p95 ${ms(summary.p95)} (${summary.n} runs)`,
      target: 'generated before it is needed',
      // The key is generated while the lobby shows; the bench gives a person 1.5 s to type a name.
      ...(isDefault ? { met: summary.p95 < 1500 } : {}),
    });
  }

  figures.push({
    id: 'initial-js-gzip',
    label: 'Initial JavaScript, gzip -9 (entry and its static imports)',
    value: bundle.initialGzipBytes,
    unit: 'bytes',
    display: kB(bundle.initialGzipBytes),
    target: '< 60 kB',
    met: bundle.initialGzipBytes < 60_000,
  });
  const lobbyBytes = lobbyScriptBytes(bundle, browser.lobbyScripts);
  figures.push({
    id: 'lobby-js-gzip',
    label: '… all JavaScript fetched before the lobby shows',
    value: lobbyBytes,
    unit: 'bytes',
    display: kB(lobbyBytes),
    target: 'context',
  });

  const memory = signaling.memory;
  figures.push({
    id: 'signaling-rss',
    label: `Signaling server RSS, ${signaling.targetRooms.toLocaleString('en-US')} rooms of two idle sockets`,
    value: memory.projectedRssBytes,
    unit: 'bytes',
    display:
      signaling.idleRooms >= signaling.targetRooms
        ? MB(memory.loadedRssBytes)
        : `${MB(memory.projectedRssBytes)} (projected; ${MB(memory.loadedRssBytes)} measured with ${signaling.idleRooms.toLocaleString('en-US')} rooms)`,
    target: '< 250 MB',
    met: memory.projectedRssBytes < 250e6 && signaling.setupFailures === 0,
  });
  figures.push({
    id: 'signaling-relay-p99',
    label: `Signaling relay latency p99 at ${signaling.relay.rate.toLocaleString('en-US')} signals/s`,
    value: signaling.relay.medianRunP99Ms,
    unit: 'ms',
    display: `${ms(signaling.relay.medianRunP99Ms)} (median of ${signaling.relay.runP99Ms.length} runs' p99; p50 ${ms(signaling.relay.latencyMs.median)})`,
    target: 'p99 < 10 ms',
    met: signaling.relay.medianRunP99Ms < 10 && signaling.relay.received === signaling.relay.sent,
  });
  const scaleOut = results.details.scaleOut;
  if (scaleOut) {
    const [two, one] = [scaleOut.twoInstancesRedis.latencyMs, scaleOut.oneInstanceMemory.latencyMs];
    const at = `at ${scaleOut.rate.toLocaleString('en-US')} signals/s, ${scaleOut.rooms} rooms`;
    compare('relay-p50-two-instances', `Signal relay p50 between two instances through Redis vs one instance in memory, ${at}`, two.median, one.median, 'ms', ms, 'context', undefined);
    compare('relay-p99-two-instances', `Signal relay p99 between two instances through Redis vs one instance in memory, ${at}`, two.p99, one.p99, 'ms', ms, 'context', undefined);
    figures.push({
      id: 'redis-bytes-per-idle-room',
      label: `Redis memory per idle room (two places and a nameplate; ${scaleOut.idleRooms.toLocaleString('en-US')} rooms, Redis ${scaleOut.redisVersion})`,
      value: scaleOut.redisBytesPerIdleRoom,
      unit: 'bytes',
      display: `${Math.round(scaleOut.redisBytesPerIdleRoom)} bytes`,
      target: 'context',
    });
  }
  return figures;
}

/** A long conversation through the app (bench/lib/long-chat.ts): the cost of a message at its end against near its start, and the heap it takes. */
function longChatFigures(chat: LongChatResults): Figure[] {
  const count = chat.messages.toLocaleString('en-US');
  const compared = (id: string, label: string, value: number, baseline: number, target: 'goal' | 'context' = 'goal'): Figure => {
    const ratio = value / baseline;
    const figure = { id, label, value, unit: 'ms', display: ms(value), baseline, baselineDisplay: ms(baseline), ratio };
    return target === 'goal' ? { ...figure, target: '≤ 1.2×', met: ratio <= 1.2 } : { ...figure, target: 'context' };
  };
  const { fresh, long } = chat.latencyMs;
  const heapGrowth = Math.max(chat.heapBytes.sender.long - chat.heapBytes.sender.empty, chat.heapBytes.receiver.long - chat.heapBytes.receiver.empty);
  const perThousand = heapGrowth / (chat.messages / 1000);
  return [
    compared(
      'long-chat-latency-p50',
      `One-way latency p50, Message box → peer's log (the app), after ${count} messages against after 10 (two conversations, alternated)`,
      long.median,
      fresh.median,
    ),
    compared('long-chat-latency-p99', `… p99 (${chat.latencySamples} messages each)`, long.p99, fresh.p99),
    compared(
      'long-chat-per-message',
      `Time per message sent through the composer (Message box → sent, box empty), after ${count} messages against after 10 (median, alternated)`,
      chat.perMessageMs.long.median,
      chat.perMessageMs.fresh.median,
    ),
    compared(
      'long-chat-fill',
      `… the last 100 of the ${count} against the first 100, as the conversation was filled (not alternated: more exposed to other load)`,
      chat.perMessageMs.last100.median,
      chat.perMessageMs.first100.median,
      'context',
    ),
    {
      id: 'long-chat-heap',
      label: `JS heap after ${count} messages above the empty conversation (the larger side, after GC; ${chat.renderedItems.receiver} items rendered)`,
      value: heapGrowth,
      unit: 'bytes',
      display: `${MB(heapGrowth)} (${(perThousand / 1e6).toFixed(2)} MB per 1,000 messages)`,
      target: '< 30 MB',
      met: heapGrowth < 30e6,
    },
  ];
}

/** gzip bytes of the scripts the page fetched before the lobby showed (looked up in the bundle's lists). */
function lobbyScriptBytes(bundle: BundleSizes, scripts: string[]): number {
  const all = [...bundle.initial, ...bundle.lazy];
  return scripts.reduce((sum, script) => sum + (all.find((size) => script.endsWith(size.file))?.gzipBytes ?? 0), 0);
}


// --- Numbers the findings quote, beyond the figures themselves.

export interface AppPhases {
  connected: number;
  secure: number;
  named: number;
}

/** When the later of the two app pages reached each phase, in ms after the click on Join. */
export function appPhases(run: TimeToSecureRun): AppPhases | undefined {
  const phases = run.phasesAfterJoin;
  if (!phases) return undefined;
  const later = (phase: string) => Math.max(phases.host[phase] ?? Number.NaN, phases.guest[phase] ?? Number.NaN);
  const result = { connected: later('securing'), secure: later('secure'), named: later('peer-named') };
  return Object.values(result).every(Number.isFinite) ? result : undefined;
}

/** Medians over the runs of each step of the app's setup: join → connected → secure → named. */
export function appPhaseMedians(runs: TimeToSecureRun[]): { connected: number; connectedToSecure: number; secureToNamed: number } | undefined {
  const phases = runs.flatMap((run) => appPhases(run) ?? []);
  if (phases.length === 0) return undefined;
  const m = (pick: (p: AppPhases) => number) => median(phases.map(pick));
  return { connected: m((p) => p.connected), connectedToSecure: m((p) => p.secure - p.connected), secureToNamed: m((p) => p.named - p.secure) };
}

/** Median time from the bench page's channel `open` to simple-peer's `connect`, if measured. */
export function channelOpenToConnect(browser: BrowserResults): number | undefined {
  const times = browser.timeToSecure.split.flatMap((s) => (s.channelOpenToConnectMs === undefined ? [] : [s.channelOpenToConnectMs]));
  return times.length ? median(times) : undefined;
}

/** How far the setup times of each side spread, and the share of Duet's median that its own steps add. */
export function timeToSecureSpread(results: BenchResults): { raw: [number, number]; duet: [number, number]; duetShare: number } | undefined {
  const figure = results.figures.find((f) => f.id === 'time-to-secure');
  if (!figure?.baseline) return undefined;
  const raw = results.details.browser.timeToSecure.raw.map((run) => run.setupMs);
  const duet = results.details.browser.timeToSecure.duet.map((run) => run.setupMs);
  return { raw: [Math.min(...raw), Math.max(...raw)], duet: [Math.min(...duet), Math.max(...duet)], duetShare: 1 - figure.baseline / figure.value };
}

/** The bulk runs' CPU accounting at one size, in ms per MiB: whether CPU was the limit, and where Duet's extra time goes. */
export interface BulkCpuAccounting {
  size: string;
  /** All Chromium processes. */
  rawMs: number;
  duetMs: number;
  /** The two pages' main threads. */
  rawMain: number;
  duetMain: number;
  /** Share of the machine's CPU time left idle (median of both pipes' runs). */
  idle: number;
  /** The ratio predicted by adding only the main threads' extra to the raw channel's total, and the one measured. */
  predictedRatio: number;
  measuredRatio: number;
}

export function bulkCpuAccounting(browser: BrowserResults, size = '64 KiB'): BulkCpuAccounting | undefined {
  const pipes = browser.throughput[size];
  const raw = pipes?.raw?.cpu;
  const duet = pipes?.records?.cpu;
  if (!raw || !duet || !pipes.raw || !pipes.records) return undefined;
  const rawMs = median(raw.chromiumMsPerMiB);
  const rawMain = median(raw.pageMainThreadsMsPerMiB);
  const duetMain = median(duet.pageMainThreadsMsPerMiB);
  return {
    size,
    rawMs,
    duetMs: median(duet.chromiumMsPerMiB),
    rawMain,
    duetMain,
    idle: median([...raw.machineIdle, ...duet.machineIdle]),
    predictedRatio: rawMs / (rawMs + Math.max(0, duetMain - rawMain)),
    measuredRatio: pipes.records.median / pipes.raw.median,
  };
}

/** The pages' main-thread time per MiB for a file through the app and for bare 16 KiB records, where both were read. */
export function fileTransferMainThreads(browser: BrowserResults): { file: number; records: number } | undefined {
  const file = browser.fileTransfer?.cpu;
  const records = browser.throughput['16 KiB']?.records?.cpu;
  if (!file || !records) return undefined;
  return { file: median(file.pageMainThreadsMsPerMiB), records: median(records.pageMainThreadsMsPerMiB) };
}

/** This run's WebCrypto probe against the raw channel's 64 KiB rate: the share of a page's time one AES-GCM and one HMAC pass would take. */
export function webCryptoLoad(browser: BrowserResults): { aesGcmMiBs: number; hmacMiBs: number; rawMiBs: number; share: number } | undefined {
  const { webCrypto, throughput } = browser;
  const raw = throughput['64 KiB']?.raw?.mibPerSecond;
  if (!webCrypto || !raw?.length) return undefined;
  const rawMiBs = median(raw);
  return { aesGcmMiBs: webCrypto.aesGcmMiBs, hmacMiBs: webCrypto.hmacMiBs, rawMiBs, share: rawMiBs * (1 / webCrypto.aesGcmMiBs + 1 / webCrypto.hmacMiBs) };
}
