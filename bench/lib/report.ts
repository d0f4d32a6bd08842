/**
 * Turns one bench run into figures (value, baseline, ratio, target, met) and into
 * docs/PERFORMANCE.md. The JSON keeps everything, so runs can be compared.
 */
import type { BrowserResults, CpuPerMiBRuns, PipeName, TimeToSecureRun } from './browser-bench.ts';
import type { BundleSizes } from './bundle-size.ts';
import type { Machine } from './machine.ts';
import type { ScaleOutResult } from './scale-out.ts';
import type { SignalingLoadResult } from './signaling-load.ts';
import { type Summary, median, round } from './stats.ts';

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
  /** scaleOut is absent from runs made before it existed, or where redis-server is not installed. */
  details: { bundle: BundleSizes; signaling: SignalingLoadResult; browser: BrowserResults; scaleOut?: ScaleOutResult };
}

const ms = (value: number) => `${round(value)} ms`;
const mibs = (value: number) => `${round(value)} MiB/s`;
const perSecond = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`;
const msPerMiB = (value: number) => `${round(value)} ms/MiB`;
const percent = (share: number) => `${Math.round(share * 100)}%`;
const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const MB = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

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

/** gzip bytes of the scripts the page fetched before the lobby showed (looked up in the bundle's lists). */
function lobbyScriptBytes(bundle: BundleSizes, scripts: string[]): number {
  const all = [...bundle.initial, ...bundle.lazy];
  return scripts.reduce((sum, script) => sum + (all.find((size) => script.endsWith(size.file))?.gzipBytes ?? 0), 0);
}

// ---------------------------------------------------------------------------

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function verdict(figure: Figure): string {
  if (figure.met === undefined) return '';
  return figure.met ? '✅ met' : '❌ missed';
}

/** Every pipe with a rate or a throughput in these results, in the order they were measured. */
function measuredPipes(browser: BrowserResults): PipeName[] {
  const seen = new Set<PipeName>(Object.keys(browser.messagesPerSecond) as PipeName[]);
  for (const pipes of Object.values(browser.throughput)) for (const pipe of Object.keys(pipes) as PipeName[]) seen.add(pipe);
  return [...seen];
}

const PIPE_NAMES: Record<PipeName, string> = {
  raw: 'raw data channel (baseline)',
  link: 'Duet PeerLink alone (simple-peer, no encryption)',
  chat: 'Duet, chat messages (SecureChannel)',
  records: 'Duet, binary records',
  gcm: 'bare AES-GCM, a lower bound (not Duet: one call per message each way, nothing else)',
};

export function renderMarkdown(results: BenchResults): string {
  const { machine, versions, figures } = results;
  const { bundle, signaling, browser } = results.details;
  const lines: string[] = [];
  const add = (...text: string[]) => lines.push(...text);

  add(
    '# Performance',
    '',
    '<!-- Generated by `npm run bench` (bench/run.ts). Do not edit by hand: run it again. -->',
    '',
    `Measured by \`npm run bench\` on ${results.timestamp.slice(0, 10)} (commit ${results.commit}, ${results.durationSeconds} s).`,
    'Every ratio compares Duet with a baseline measured in the same run, on the same machine, through the',
    'same signaling server, alternating between the two, so background load affects both alike. The raw',
    'data is in `bench/results/latest.json`; see [How to run](#how-to-run) below.',
    '',
    '## Machine',
    '',
    table(
      ['', ''],
      [
        ['CPU', `${machine.cpuModel}, ${machine.cores} cores`],
        ['RAM', `${machine.ramGiB} GiB`],
        ['OS', `${machine.os} (${machine.kernel})`],
        ['Load average (1 min) at start / end', `${machine.loadAverageStart.toFixed(2)} / ${machine.loadAverageEnd?.toFixed(2) ?? '?'}`],
        ...Object.entries(versions).map(([name, version]) => [name, version]),
      ],
    ),
    '',
    '## Results',
    '',
    table(
      ['figure', 'Duet', 'baseline (same run)', 'ratio', 'target', ''],
      figures.map((f) => [f.label, f.display, f.baselineDisplay ?? '—', f.ratio === undefined ? '—' : `${f.ratio.toFixed(2)}×`, f.target, verdict(f)]),
    ),
    '',
    'Rows starting with "…" give context for the row above (another way to carry the same data); they have',
    'no target of their own.',
    '',
  );

  add('## What each figure measures', '');
  add(
    '**Baseline pages.** `bench/pages/raw.ts` is a plain `RTCPeerConnection` with one ordered data channel,',
    'introduced through the same signaling server with the same protocol (create or join a room, relay offer,',
    'answer and candidates); no encryption beyond WebRTC\'s own DTLS and no library. `bench/pages/duet.ts` is',
    'built from the product\'s own modules: the signaling client, the simple-peer `PeerLink`, the real',
    'handshake (RSA-OAEP-2048, ECDH P-256, PSK from a room secret, HKDF) and the record layer. It carries the',
    'measurements two ways: **chat messages** through the unchanged `SecureChannel` (JSON chat messages in',
    'records: what a chat message costs, below the UI), and **binary records** (the same handshake and',
    '`RecordSealer`/`RecordOpener`, glued as `SecureChannel` glues them: sealing pipelined, frames in order)',
    'for payloads a chat message cannot carry. A third way is for comparison only: **bare AES-GCM**, the same keys',
    'with one encryption and one decryption per message and nothing else, a lower bound for any channel that encrypts',
    'each message with WebCrypto (measured for round trips and 64 KiB bulk). Both pages run the same measurement code',
    '(`bench/pages/measure.ts`) in two Chromium contexts (two renderer processes) on loopback, inside a',
    'network namespace with only loopback. The bench pages are built into `bench/.build/`, never into `dist/`.',
    '',
    '- **Time from both pages ready to secure.** Duet: the real app from `dist/`, both pages loaded with a',
    '  name typed and 1.5 s to settle; the clock starts at the click on *Create room* and stops when both',
    '  status lines say "Secure: end-to-end encrypted with <peer>" (the `duet:peer-named` User Timing mark the',
    '  status line makes when it renders that; the other phases are marked too; the harness awaits them as',
    '  promises, so nothing polls the pages while they connect). The',
    '  guest joins by pasting the link into *Room code*. The time the harness needs to pass the link across',
    `  (reading it, typing it, clicking *Join*; median ${ms(median(browser.timeToSecure.duet.map((r) => r.handoverMs)))}) is subtracted,`,
    '  since it is not the product\'s. Every page, the app\'s and the baseline\'s, gets the same 1.5 s after loading',
    '  before its clock starts. Baseline: the raw page from opening the signaling socket and creating',
    '  the room to the data channel being open on both sides, hand-over likewise subtracted. Median of',
    `  ${browser.timeToSecure.duet.length} runs each, after one unrecorded warm-up run.`,
    '- **Bulk throughput.** One page sends messages of the given size for 3 s as fast as an acknowledgement',
    '  window allows (4 MiB in flight, acknowledged every eighth of that), then an end marker; the time runs',
    `  until the receiver confirms it counted every message. Payload bytes ÷ time, median of ${Object.values(browser.throughput)[0]?.raw?.mibPerSecond.length ?? 0} runs (alternating between the pipes) after a`,
    '  1 s warm-up. Duet\'s figure uses binary records (the payload is the record plaintext). On Linux the',
    '  browser\'s CPU time around each run is read from /proc (see CPU time under Details).',
    '- **A file through the app.** The real app in two contexts: a conversation is set up through its UI, Alice',
    '  attaches a file of random bytes, and the time runs from Bruno\'s click on Accept until his Save link shows',
    '  (Playwright waits for it, polling the page). Median of the runs; the file is written to a temporary folder',
    '  and removed afterwards.',
    '- **Round trip.** One 100-byte message (100 characters of chat text for Duet) to the other page, which',
    `  sends one back; one at a time. ${browser.roundTripMs.raw.n} round trips per pipe in 4 rounds that alternate between the pipes, after`,
    '  50 unrecorded ones per round; p50 and p99 of all of them.',
    '- **Small messages per second.** 100-byte messages for 10 s with at most 2,000 unacknowledged',
    '  (acknowledged every 200), after a 2 s warm-up; messages ÷ time until the receiver confirmed the last.',
    '- **RSA key generation.** The app\'s own `generateRsaIdentity` (WebCrypto `generateKey` for RSA-OAEP with',
    '  SHA-256, then the SPKI export) in a page, one after another; median and p95. The app starts it when',
    '  the lobby opens (`Session`\'s constructor), so it runs while a person types a name.',
    '- **Initial JavaScript.** The module script in `dist/index.html` plus everything it imports statically,',
    '  each file gzipped at level 9 (Node\'s zlib), kB = 1,000 bytes. The row below it adds every script the',
    '  browser actually fetched before the lobby appeared (the UI chunk is imported right after start-up).',
    '- **Signaling server RSS.** The real server (`createSignalingServer`, started the way `npm start` starts',
    '  it, through tsx) in a process of its own, on 127.0.0.1, with `maxConnectionsPerIp` raised for the load.',
    '  Four load processes open rooms of two WebSockets each (create, then join), from 127.0.0.2–5; VmRSS of',
    '  the server process once they are all open and 2 s have passed. MB = 10⁶ bytes.',
    '- **Signaling relay latency.** With the idle rooms still open, another process opens 100 more rooms and',
    `  sends ${signaling.relay.rate.toLocaleString('en-US')} signal frames per second in total (${signaling.relay.payloadChars}-character payloads, a typical sealed`,
    '  ICE candidate; 10 per socket per second, inside the server\'s default rate limit) from each host socket',
    `  to its guest, for ${signaling.relay.durationMs / 1000} s after a warm-up; time from send to receipt in that process. ${signaling.relay.runP99Ms.length} runs`,
    '  with fresh rooms; the figure is the median of their p99s (one burst of background load does not decide it).',
    '',
  );

  add('## Findings', '');
  add(...findings(results), '');

  add('## Details', '', '### Time to secure (ms, each run)', '');
  add(
    table(
      [
        'run',
        'raw: setup',
        'raw: join → open',
        'Duet app: setup',
        'Duet app: join → secure',
        'of which join → both connected',
        'connected → both secure',
        'secure → both named',
        'Duet app: hand-over (subtracted)',
        'bench page: join → open',
        'bench page: open → secure',
        'of which open → link connect',
      ],
      browser.timeToSecure.duet.map((duet, i) => {
        const raw = browser.timeToSecure.raw[i]!;
        const split = browser.timeToSecure.split[i]!;
        const phases = appPhases(duet);
        return [
          String(i + 1),
          ...[raw.setupMs, raw.joinToReadyMs, duet.setupMs, duet.joinToReadyMs].map((v) => String(Math.round(v))),
          ...(phases ? [phases.connected, phases.secure - phases.connected, phases.named - phases.secure].map((v) => String(Math.round(v))) : ['—', '—', '—']),
          ...[duet.handoverMs, split.joinToChannelOpenMs, split.channelOpenToSecureMs].map((v) => String(Math.round(v))),
          split.channelOpenToConnectMs === undefined ? '—' : split.channelOpenToConnectMs.toFixed(1),
        ];
      }),
    ),
    '',
    'The app\'s columns come from its User Timing marks (ms after the click on *Join*, whole milliseconds):',
    '"connected" is the later of the two pages reaching `securing` (the data channel up), "secure" the later',
    'reaching `secure`, "named" the later status line naming the peer.',
    '',
    '### Round trips (ms)',
    '',
    table(
      ['pipe', 'n', 'p50', 'p95', 'p99', 'max'],
      (Object.entries(browser.roundTripMs) as [PipeName, Summary][]).map(([pipe, s]) => [
        PIPE_NAMES[pipe],
        String(s.n),
        String(round(s.median)),
        String(round(s.p95)),
        String(round(s.p99)),
        String(round(s.max)),
      ]),
    ),
    '',
    '### Message rate and throughput',
    '',
    table(
      ['pipe', '100-byte messages/s', ...Object.keys(browser.throughput).map((size) => `${size}: MiB/s (each run)`)],
      measuredPipes(browser).map((pipe) => {
        const rate = pipe === 'gcm' ? undefined : browser.messagesPerSecond[pipe];
        return [
          PIPE_NAMES[pipe],
          rate ? perSecond(rate.perSecond) : '— (not measured)',
          ...Object.values(browser.throughput).map((pipes) => {
            const runs = pipes[pipe];
            if (runs) return `${round(runs.median)} (${runs.mibPerSecond.map((v) => round(v)).join(', ')})`;
            return pipe === 'chat' ? '— (too large for a chat message)' : '— (not measured)';
          }),
        ];
      }),
    ),
    '',
    ...cpuTable(browser),
    '### RSA key generation (ms)',
    '',
    table(
      ['modulus', 'runs', 'median', 'p95', 'min', 'max'],
      Object.entries(browser.rsaKeygenMs).map(([bits, s]) => [bits, String(s.n), String(round(s.median)), String(round(s.p95)), String(round(s.min)), String(round(s.max))]),
    ),
    '',
    '### JavaScript (gzip -9)',
    '',
    table(
      ['file', 'loaded', 'bytes', 'gzip'],
      [
        ...bundle.initial.map((s) => [s.file, 'initial (entry and static imports)', String(s.bytes), kB(s.gzipBytes)]),
        ...bundle.lazy.map((s) => [
          s.file,
          browser.lobbyScripts.some((script) => script.endsWith(s.file)) ? 'lazily, before the lobby shows' : 'lazily, later (when needed)',
          String(s.bytes),
          kB(s.gzipBytes),
        ]),
      ],
    ),
    '',
    '### Signaling server',
    '',
    table(
      ['', ''],
      [
        ['open-files limit (each socket is one)', String(signaling.openFilesLimit)],
        ['idle rooms / sockets held', `${signaling.idleRooms.toLocaleString('en-US')} / ${signaling.idleSockets.toLocaleString('en-US')} (opened in ${signaling.setupSeconds.toFixed(1)} s, ${signaling.setupFailures} failed)`],
        ['RSS with no rooms', MB(signaling.memory.emptyRssBytes)],
        ['RSS with the idle rooms (after a forced GC)', `${MB(signaling.memory.loadedRssBytes)} (${MB(signaling.memory.loadedRssAfterGcBytes)})`],
        ['per room (two sockets)', `${(signaling.memory.bytesPerRoom / 1000).toFixed(1)} kB`],
        [`projected for ${signaling.targetRooms.toLocaleString('en-US')} rooms`, MB(signaling.memory.projectedRssBytes)],
        ['peak RSS over the test, incl. relay', MB(signaling.memory.peakRssBytes)],
        ['relay: sent / received', `${signaling.relay.sent} / ${signaling.relay.received}`],
        ['relay p99 of each run', signaling.relay.runP99Ms.map((v) => ms(v)).join(', ')],
        ['relay latency, all runs: p50 / p95 / p99 / max', [signaling.relay.latencyMs.median, signaling.relay.latencyMs.p95, signaling.relay.latencyMs.p99, signaling.relay.latencyMs.max].map((v) => ms(v)).join(' / ')],
        ['server errors during relay', Object.keys(signaling.relay.serverErrors).length ? JSON.stringify(signaling.relay.serverErrors) : 'none'],
      ],
    ),
    '',
  );

  add(
    '## How to run',
    '',
    '```bash',
    'npm run bench            # about 5 minutes; writes docs/PERFORMANCE.md and bench/results/latest.json',
    'npm run bench -- --quick # a short smoke run; writes bench/results/quick.json only',
    'npm run bench -- --report-only # rewrites this file from bench/results/latest.json (after editing bench/lib/report.ts)',
    'BENCH_PROFILE_DIR=/tmp/duet-profiles npm run bench -- --quick # also writes CPU profiles and Chromium traces to open in DevTools',
    '```',
    '',
    'It uses Chromium at `$CHROMIUM_PATH`, else `/usr/bin/chromium`, else Playwright\'s; builds `dist/` if it is',
    'older than its sources; and runs inside an isolated network namespace (loopback only) where Linux allows.',
    'Absolute figures depend on the machine and on whatever else runs on it (see the load average above);',
    'the ratios much less so. To compare two runs, compare the `figures` arrays of their JSON files.',
    '',
  );
  return `${lines.join('\n')}\n`;
}

/** When the later of the two app pages reached each phase, in ms after the click on Join. */
function appPhases(run: TimeToSecureRun): { connected: number; secure: number; named: number } | undefined {
  const phases = run.phasesAfterJoin;
  if (!phases) return undefined;
  const later = (phase: string) => Math.max(phases.host[phase] ?? Number.NaN, phases.guest[phase] ?? Number.NaN);
  const result = { connected: later('securing'), secure: later('secure'), named: later('peer-named') };
  return Object.values(result).every(Number.isFinite) ? result : undefined;
}

/** The CPU table's cells for one measurement: medians of its runs. */
function cpuCells(cpu: CpuPerMiBRuns): string[] {
  return [String(round(median(cpu.chromiumMsPerMiB))), String(round(median(cpu.pageMainThreadsMsPerMiB))), percent(median(cpu.machineIdle))];
}

/** Bulk runs' CPU use per pipe and size (medians), where /proc could be read. */
function cpuTable(browser: BrowserResults): string[] {
  const rows = Object.entries(browser.throughput).flatMap(([size, pipes]) =>
    (Object.entries(pipes) as [PipeName, NonNullable<(typeof pipes)[PipeName]>][]).flatMap(([pipe, runs]) =>
      runs.cpu ? [[size, PIPE_NAMES[pipe], ...cpuCells(runs.cpu)]] : [],
    ),
  );
  const file = browser.fileTransfer;
  if (file?.cpu) rows.push([`${file.mib} MiB file`, 'the app (Attach file → Save)', ...cpuCells(file.cpu)]);
  if (rows.length === 0) return [];
  return [
    '### CPU time during the bulk runs',
    '',
    'Read from /proc around each bulk run: the CPU time of every Chromium process (browser, both pages, network service,',
    'GPU) per MiB delivered, the part of it spent on the two pages\' main threads (their JavaScript, WebCrypto included),',
    'and the share of the machine\'s CPU time (all cores) left idle. Medians over the runs.',
    '',
    table(['size', 'pipe', 'Chromium CPU, ms per MiB', 'of which pages\' main threads', 'machine idle'], rows),
    '',
  ];
}

/** The app's own bulk path, a file transfer, in words. */
function fileTransferSentences(results: BenchResults): string[] {
  const { browser } = results.details;
  const file = browser.fileTransfer;
  const figure = results.figures.find((f) => f.id === 'file-transfer');
  if (!file || !figure) return [];
  const records = browser.throughput['16 KiB']?.records;
  const main = file.cpu ? median(file.cpu.pageMainThreadsMsPerMiB) : undefined;
  const recordsMain = records?.cpu ? median(records.cpu.pageMainThreadsMsPerMiB) : undefined;
  return [
    `**A file through the app (${figure.display}, ${figure.ratio?.toFixed(2)}× raw 16 KiB messages).** What a person gets: ${file.mib} MiB from Attach file to`,
    `the receiver's Save link (${file.seconds.map((s) => `${round(s)} s`).join(', ')}), reading the file in 512 KiB blocks, 16 KiB chunks in records of their own,`,
    'the receiver gathering them in memory and both sides computing the SHA-256 in a Worker, with the acknowledgement window and',
    'progress shown on both sides.',
    ...(main !== undefined && recordsMain !== undefined
      ? [
          `The pages' main threads spent ${round(main)} ms per MiB, against ${round(recordsMain)} ms for bare 16 KiB records above: encoding each chunk, gathering`,
          'the chunks into Blobs (a copy into the browser\'s blob storage), the hand-overs to the checksum Worker, the',
          'acknowledgements and the progress updates.',
        ]
      : []),
    'CPU profiles of the two pages during such transfers found three costs, now removed (alternating runs of an ad-hoc',
    'script, four 32 MiB transfers each, same machine: 5.5 → 6.8 MiB/s at the median, the main threads 96 → 60 ms per MiB).',
    'Every byte went to the checksum Worker as a copy (a structured clone: fresh memory on both threads); the buffers are',
    'now transferred instead, the sender\'s 512 KiB blocks once all their chunks are encoded and the receiver\'s chunks once',
    'the memory sink has copied them into its one reused buffer. Each chunk\'s plaintext was a fresh buffer; it now comes',
    'from a pool of reused ones (src/core/buffer-pool.ts, shared with the record layer), given back once sealing has read it.',
    'And the progress line made new number formatters on every redraw. Tried and not kept, as no faster: reading 2 MiB',
    'blocks instead of 512 KiB; Blob parts of 512 KiB instead of 4 MiB; freeing each chunk\'s plaintext as soon as it was',
    'sealed; gathering the chunks into new 1 MiB buffers to transfer those to the Worker (the gathering was a fresh copy',
    'too); handing the transferred chunks to the Worker 64 at a time, one message per MiB (6.8 against 6.6 MiB/s at the median',
    'of five runs each, within the noise); chunks of 64 KiB instead of 16 KiB, which would change the protocol (7.1 against',
    '6.8 MiB/s, four runs each: too little for a change old and new pages would disagree on); and sending chunks in',
    'bursts of eight, so that each record carries eight (slower at the time, 3.9–4.2 MiB/s against 4.5–5.0: each chunk',
    'handed to the Worker was then a view of the whole batch, which `postMessage` copies whole).',
    '',
  ];
}

/** The bulk runs' CPU accounting, in words: whether CPU was the limit, and where Duet's extra time per byte goes. */
function bulkCpuSentences(browser: BrowserResults): string[] {
  const size = '64 KiB';
  const pipes = browser.throughput[size];
  const raw = pipes?.raw?.cpu;
  const duet = pipes?.records?.cpu;
  if (!raw || !duet || !pipes.raw || !pipes.records) return [];
  const rawMs = median(raw.chromiumMsPerMiB);
  const duetMs = median(duet.chromiumMsPerMiB);
  const rawMain = median(raw.pageMainThreadsMsPerMiB);
  const duetMain = median(duet.pageMainThreadsMsPerMiB);
  const idle = median([...raw.machineIdle, ...duet.machineIdle]);
  const extraMain = duetMain - rawMain;
  const n = (value: number) => String(round(value));
  return [
    `During the bulk runs the machine was ${percent(idle)} idle (median): CPU time is the limit, and any work added per byte slows`,
    `the transfer. At ${size} the pages' main threads (their JavaScript, WebCrypto included) spent ${n(rawMain)} ms per MiB on the raw channel and`,
    extraMain > 0
      ? `${n(duetMain)} ms on Duet's records: ${n(extraMain)} ms more, the record layer's work. All Chromium processes together spent ${n(rawMs)} ms per MiB`
      : `${n(duetMain)} ms on Duet's records, no more in this run (noise, see the CPU table). All Chromium processes together spent ${n(rawMs)} ms per MiB`,
    `on the raw channel; adding only the main threads' extra to that predicts a ratio of ${(rawMs / (rawMs + Math.max(0, extraMain))).toFixed(2)}×, against ${(pipes.records.median / pipes.raw.median).toFixed(2)}× measured`,
    `(Duet's total was ${n(duetMs)} ms per MiB; on a saturated machine a slower transfer also costs more per MiB, since some of the`,
    'work goes with time rather than with bytes, as the CPU table under Details shows for the baseline\'s slower runs too).',
  ];
}

/**
 * What the lower-bound pipe (bare AES-GCM, one call per message each way) says about a
 * target: whether any channel encrypting each message with WebCrypto could meet it here.
 */
function lowerBoundRttSentences(results: BenchResults): string[] {
  const bound = results.figures.find((figure) => figure.id === 'rtt-p50-gcm');
  if (!bound?.ratio) return [];
  const intro = [
    'The lower-bound pipe shows what the cheapest encryption with WebCrypto costs on this machine: the same keys, one',
    `AES-GCM encryption and one decryption per message, and nothing else (no HMAC, header or sequence check). Its p50 was ${bound.display}`,
  ];
  const duet = results.figures.find((figure) => figure.id === 'rtt-p50');
  if (duet?.met) return [`${intro.join(' ')} (${bound.ratio.toFixed(2)}×).`];
  return bound.ratio > 1.5
    ? [
        ...intro,
        `(${bound.ratio.toFixed(2)}×): above the target by itself, so no channel that encrypts each message with WebCrypto meets it here,`,
        'and dropping the seed\'s HMAC (redundant next to AES-GCM, but a property the project keeps from its origin) would not',
        'meet it either. What remains is synchronous JavaScript crypto, which needs extractable keys: not done, since it weakens',
        'key handling for a fraction of a millisecond that a person cannot notice.',
      ]
    : [
        ...intro,
        `(${bound.ratio.toFixed(2)}×): within the target, so the record layer's own part (the seed's HMAC on each side, redundant next`,
        'to AES-GCM but a property the project keeps from its origin, and the record checks) is what misses it. It is kept,',
        'for a fraction of a millisecond that a person cannot notice.',
      ];
}

function lowerBoundBulkSentences(results: BenchResults): string[] {
  const bound = results.figures.find((figure) => figure.id === 'throughput-64 KiB-gcm');
  const duet = results.figures.find((figure) => figure.id === 'throughput-64 KiB');
  if (!bound?.ratio || !duet?.ratio) return [];
  const intro = `The lower-bound pipe (the same keys, one bare AES-GCM call per message on each side, nothing else) reached ${bound.ratio.toFixed(2)}× at 64 KiB`;
  if (duet.ratio >= 0.9) return [`${intro}, and Duet's records ${duet.ratio.toFixed(2)}×.`];
  const added =
    duet.ratio < bound.ratio
      ? `what Duet adds to that (an HMAC on each side, the record header and its checks) takes it from ${bound.ratio.toFixed(2)}× to ${duet.ratio.toFixed(2)}×.`
      : `Duet's records measured ${duet.ratio.toFixed(2)}× in the same run: what they add to that (an HMAC on each side, the record header and its checks) is within this run's noise.`;
  return bound.ratio < 0.9
    ? [`${intro}: below the target by itself, so on this machine no channel that encrypts with WebCrypto reaches 0.9×;`, added]
    : [`${intro}: within the target, so what Duet adds to that (an HMAC on each side, the record header and its checks) is what misses it.`];
}

function webCryptoSentence(results: BenchResults): string[] {
  const { webCrypto, throughput } = results.details.browser;
  const raw = throughput['64 KiB']?.raw?.mibPerSecond;
  if (!webCrypto || !raw?.length) return [];
  const rawMiBs = median(raw);
  const share = rawMiBs * (1 / webCrypto.aesGcmMiBs + 1 / webCrypto.hmacMiBs);
  return [
    `(This Chromium's WebCrypto, measured in this run with 64 KiB calls one at a time: AES-256-GCM ${webCrypto.aesGcmMiBs.toFixed(0)} MiB/s,`,
    `HMAC-SHA256 ${webCrypto.hmacMiBs.toFixed(0)} MiB/s. At the raw channel's ${rawMiBs.toFixed(1)} MiB/s, one AES-GCM and one HMAC pass over each byte`,
    `would take about ${(share * 100).toFixed(0)}% of each page's time at that probe's speed; in the bulk runs each call also pays for`,
    'its fresh result buffer, as described above.)',
  ];
}

/** When the setup target is missed: by how much, against how much the baseline varies. */
function timeToSecureMissSentences(results: BenchResults): string[] {
  const figure = results.figures.find((f) => f.id === 'time-to-secure');
  if (!figure || figure.met !== false) return [];
  const raw = results.details.browser.timeToSecure.raw.map((run) => run.setupMs);
  const duet = results.details.browser.timeToSecure.duet.map((run) => run.setupMs);
  return [
    `In this run the target was missed: ${figure.display} against ${figure.baselineDisplay}, with the baseline's runs between`,
    `${ms(Math.min(...raw))} and ${ms(Math.max(...raw))} and Duet's between ${ms(Math.min(...duet))} and ${ms(Math.max(...duet))}. On loopback the raw connection takes about`,
    `a hundred milliseconds, so Duet's fixed steps (the session nonce's extra hop, sealed signals, the handshake's work and`,
    `the UI on the same main threads) make up ${percent(1 - figure.baseline! / figure.value)} of its total. The figure sits at the target: the full runs`,
    'kept in this repository\'s history (bench/results/latest.json) measured between 0.92× and 1.61×.',
  ];
}

function appPhaseSentence(runs: TimeToSecureRun[]): string[] {
  const phases = runs.flatMap((run) => appPhases(run) ?? []);
  if (phases.length === 0) return [];
  const m = (pick: (p: { connected: number; secure: number; named: number }) => number) => ms(median(phases.map(pick)));
  return [
    `In the app (medians): join → both pages connected ${m((p) => p.connected)}, connected → both secure ${m((p) => p.secure - p.connected)},`,
    `secure → both name the peer ${m((p) => p.named - p.secure)}.`,
  ];
}

/** Plain-language reading of the figures; every target missed gets its reason. */
function findings(results: BenchResults): string[] {
  const { browser, signaling } = results.details;
  const f = (id: string) => results.figures.find((figure) => figure.id === id);
  const missed = results.figures.filter((figure) => figure.met === false);
  const out: string[] = [];
  out.push(
    missed.length === 0
      ? '**Every target was met in this run.**'
      : `**Targets missed in this run:** ${missed.map((figure) => figure.label).join('; ')}. Each is explained below.`,
    '',
  );
  // The load at the end is mostly the bench's own (two Chromium contexts per pipe): only the start tells of other work.
  if (results.machine.loadAverageStart > results.machine.cores / 2) {
    out.push(
      `> This run shared a ${results.machine.cores}-core machine with other work (load average ${results.machine.loadAverageStart.toFixed(1)} at the start): ` +
        'absolute figures, tails (p99) and the setup times are noisy. Run it again on a quiet machine.',
      '',
    );
  }
  const rtt = browser.roundTripMs;
  const rate = browser.messagesPerSecond;
  const ttsRatio = f('time-to-secure')?.ratio ?? Number.NaN;
  const connectTimes = browser.timeToSecure.split.flatMap((s) => (s.channelOpenToConnectMs === undefined ? [] : [s.channelOpenToConnectMs]));
  const connectDisplay = connectTimes.length ? ms(median(connectTimes)) : '1–3 ms';
  out.push(
    `**Time to secure (${ttsRatio.toFixed(2)}× the raw channel).** Duet opens the same kind of WebRTC connection as the baseline, so most of`,
    `its setup is the same ICE, DTLS and SCTP work (join → channel open: ${f('setup-to-channel-open')?.display} on Duet's bench page vs`,
    `${f('setup-to-channel-open')?.baselineDisplay} raw; this part varies most from run to run, and Duet's page gets there by a longer way: the`,
    'guest makes the offer once the server confirmed its join, as in the app, and simple-peer negotiates in steps of its own).',
    'On top come Duet\'s own steps, which a raw channel',
    'does not have and which the design requires: the host first sends a sealed session nonce through the server (one more',
    'signaling hop) and every signal is sealed (AES-GCM) and opened. The handshake (HELLO, KEY, CONFIRM: RSA-OAEP encryption',
    'and decryption, ECDH and eight HKDF derivations) travels as sealed signals through the server while ICE and DTLS run',
    '(docs/adr/0008), so it is done by the time the data channel opens; its work shares the pages\' main threads with the',
    'WebRTC setup, though. Once the channel is open, simple-peer reports `connect`',
    `after a \`getStats()\` call (${connectDisplay} after the channel's \`open\`, median of the bench page's runs), and the`,
    `conversation is secure: channel open → secure took ${f('handshake-after-open')?.display} (median), where the handshake on the data channel`,
    'took about 13 ms before. The app then exchanges profiles (the first record each way) and turns secure when the peer\'s',
    'has arrived, so its status names the peer in one step; showing an anonymous "secure" first made each page render',
    'that state while the peer\'s profile waited behind the render. The app\'s phase marks (Details) show these steps.',
    ...appPhaseSentence(browser.timeToSecure.duet),
    'Findings of profiles taken while building this bench were fixed in the app: it now opens its server connection while it derives the',
    'room\'s keys (and, for the creator, loads the short-code word list) instead of after, and it reads',
    '`Notification.permission`, a synchronous trip to the browser process, once instead of on every render (4 ms of the',
    'joining page\'s main thread while connecting). It also makes the DTLS certificate while the lobby shows, as it does the',
    'RSA key: a page\'s first `RTCPeerConnection` otherwise generates one on the main thread while connecting (9–24 ms, against',
    '3–5 ms with a certificate ready, on this session\'s machine). Chromium traces of the app\'s two pages during setup, taken on this',
    'session\'s slower machine, show their main threads busy for most of it (90–150 ms of 130–220 ms from connecting to',
    'connected): sealing and opening every signal, the handshake\'s cryptography, simple-peer\'s steps, garbage collection and',
    'the chat screen\'s first layout, where the raw page\'s main thread is nearly idle. WebRTC hands each of its events',
    '(descriptions, candidates, state changes) to that thread, so this work delays the connection itself. CPU profiles of',
    'both pages during setup (six runs, a later session) found the host drawing the invite\'s QR code as a 440-pixel PNG in',
    'JavaScript, about 75 ms of its main thread just as the guest arrives; it is now an SVG, one path (setup 182 → 167 ms,',
    'medians of ten alternating runs each). What remains is spread thin: creating the `RTCPeerConnection` (8–12 ms even',
    'with its certificate made ahead), choosing the QR code\'s mask (about 25 ms), sealing and opening the signals, the',
    'renders and garbage collection. A timeline of marks in both pages (seven runs) showed the host\'s new peer connection',
    'holding back the session nonce that lets the guest start: the nonce now goes out first and reaches the guest about',
    '5 ms sooner, too little to show through the noise of whole setups. The handshake\'s cryptography is not what takes the',
    'time: RSA-OAEP, ECDH and the HKDF derivations take under 1 ms per side here. The per-run table shows how much the raw',
    'baseline itself varies.',
    ...timeToSecureMissSentences(results),
    'On loopback a raw connection takes only tens of milliseconds, so these fixed costs are a large fraction of it; over a real',
    'network each extra round trip costs one network round-trip time, which is the inherent price of an authenticated key',
    'exchange on top of DTLS. The RSA key itself is not on this path: it is generated while the lobby shows (see below).',
    ...(ttsRatio < 1
      ? ['A ratio below 1 only means the baseline\'s runs were slower in this run (see the per-run table): that is noise, since',
         'Duet does strictly more work than the raw page; the split rows under it are the better guide.']
      : []),
    '',
    `**Round trips (p50 ${f('rtt-p50')?.ratio?.toFixed(2)}×, p99 ${f('rtt-p99')?.ratio?.toFixed(2)}×).** p50 per pipe: raw ${ms(rtt.raw.median)}, Duet's PeerLink`,
    `alone (simple-peer, no encryption) ${ms(rtt.link.median)}, binary records ${ms(rtt.records.median)}, chat messages ${ms(rtt.chat.median)}.`,
    'A Chromium trace of these round trips (`BENCH_PROFILE_DIR`, see How to run) shows that this Chromium runs WebCrypto',
    'on the calling thread: each call\'s work and its reply happen inside the same task, with no hop to another thread.',
    'So the extra time is plain work on both pages. Each side of a round trip seals one record and opens one: four WebCrypto',
    'calls of about 8–10 µs each for 100 bytes, copying included, plus building the record, its random IV, the promise',
    `steps and a little more garbage collection. A CPU profile of the answering page, taken while building this bench, put it at about 90 µs per round trip`,
    'for binary records, against the PeerLink pipe\'s 65 µs. Chat messages add JSON encoding, parsing and validation.',
    'Checking the HMAC and decrypting at the same time was tried and measured: no faster, as the trace explains, so the',
    'record layer keeps checking the HMAC first and never decrypts an unauthentic record (tried again on a later machine:',
    'still no faster). Timestamps taken inside both pages on that machine (each WebCrypto call and its result, each data',
    'channel message in and out) showed 200–300 µs from a record\'s arrival to the answer leaving a page, with each of the',
    'four WebCrypto calls taking 15–125 µs from call to result, against 8–13 µs when called back to back in a loop: a call',
    `made by a page that was waiting takes longer than one in a busy loop. With a raw round trip of ${ms(rtt.raw.median)} here, 1.5× leaves`,
    `${ms(rtt.raw.median / 2)} for all of that on both pages.`,
    ...lowerBoundRttSentences(results),
    'The p99 adds scheduling on',
    'two cores shared by four busy processes: between 0.9× and 2.2× in the full runs made while building this bench.',
    '',
    `**Small messages per second (${Math.round(rate.chat.perSecond).toLocaleString('en-US')}/s, ${f('messages-per-second')?.ratio?.toFixed(2)}×).** Per second: raw ${Math.round(rate.raw.perSecond).toLocaleString('en-US')},`,
    `PeerLink alone ${Math.round(rate.link.perSecond).toLocaleString('en-US')}, binary records ${Math.round(rate.records.perSecond).toLocaleString('en-US')} (one record per message), chat messages ${Math.round(rate.chat.perSecond).toLocaleString('en-US')}.`,
    'With one record per message, the sending page\'s main thread is the limit: a CPU profile, taken while building this',
    'bench, shows it busy almost all the time at about ten times the raw sender\'s cost per message. That cost is the main',
    'thread\'s part of two WebCrypto calls, `getRandomValues` for the IV, building the record, and one `RTCDataChannel.send`',
    'per record. Duet\'s secure channel therefore puts the messages sent in one burst (the same microtask) into one',
    'record (a batch, record type 0x1d in docs/PROTOCOL.md). A burst costs one record\'s cryptography and one `send`, and',
    'a lone message keeps its own record and its latency. The chat figure is what the app gets from that. It is above the',
    'raw channel because the raw page sends each message on its own, and batching the raw page too would be a different',
    'baseline. The binary-records row shows the per-record cost that batching amortises.',
    '',
  );
  const t16 = f('throughput-16 KiB');
  const t64 = f('throughput-64 KiB');
  out.push(
    `**Bulk throughput (16 KiB ${t16?.ratio?.toFixed(2)}×, 64 KiB ${t64?.ratio?.toFixed(2)}×).** On loopback the data channel is limited by CPU: SCTP`,
    'runs inside the browser, and every packet also crosses Chromium\'s network service, which owns the UDP sockets. Here both',
    `pages, both SCTP stacks and that service share ${results.machine.cores} cores, and every Duet byte is also encrypted, HMAC-ed, checked and decrypted.`,
    ...bulkCpuSentences(browser),
    'What the pages\' main threads spend was measured in one page alone, outside this run (64 KiB per call, this session\'s',
    'machine): an AES-GCM encryption or decryption 6–9 ms per MiB, an HMAC 1–3.5 ms per MiB, and allocating a fresh 64 KiB buffer',
    'and writing into it 7–11 ms per MiB, against 0.05 ms for writing into a buffer used before. On this virtual machine new',
    'memory is slow the first time it is touched (a page fault per 4 KiB page). Every WebCrypto result is such a new buffer,',
    'and so was every sealed record until this bench showed it: records are now assembled in buffers that are reused once',
    'the record is sent (src/core/buffer-pool.ts; the data channel copies what it sends). In alternating runs with and without',
    'that reuse (six each, same machine), the median ratio went from 0.75× to 0.80× at 64 KiB and from 0.65× to 0.72× at 16 KiB.',
    'What remains is what the design asks of each record: one AES-GCM and one HMAC on each side, each AES-GCM result a new',
    'buffer.',
    ...lowerBoundBulkSentences(results),
    'Moving that work into a Worker, considered in earlier runs, would not help here: the cores are already busy,',
    'and a Worker moves work to another thread without removing any (it adds a hand-over per record). It would help where the',
    'pages\' main threads are the limit while cores are free, as with two peers on two machines, which this bench cannot show.',
    'Between two machines each peer\'s work also has a CPU of its own, and the network is usually the limit. Measured with an',
    'acknowledgement window at the application level (4 MiB), the same for baseline and Duet. File transfers in the app have',
    'their own flow control: a 1 MiB window of acknowledged chunks, plus the data channel\'s `bufferedAmount` through',
    '`PeerLink.drained()`.',
    ...webCryptoSentence(results),
    '',
    ...fileTransferSentences(results),
    `**RSA keys.** The default 2048-bit key took ${ms(browser.rsaKeygenMs['2048']?.median ?? Number.NaN)} (p95 ${ms(browser.rsaKeygenMs['2048']?.p95 ?? Number.NaN)}); it is`,
    'generated when the lobby opens, while the person types a name, so it is ready before a peer can arrive. 3072 and 4096',
    `bits (build option \`VITE_RSA_MODULUS_LENGTH\`) took ${ms(browser.rsaKeygenMs['3072']?.median ?? Number.NaN)} and ${ms(browser.rsaKeygenMs['4096']?.median ?? Number.NaN)} at the median, p95 ${ms(browser.rsaKeygenMs['4096']?.p95 ?? Number.NaN)} for`,
    '4096: still hidden behind typing a name in most cases, but a guest who opens a link and joins within that time waits for',
    'the key (the handshake starts when it is ready; nothing fails).',
    '',
    `**JavaScript.** The entry script with its static imports is ${f('initial-js-gzip')?.display}; the UI chunk it imports right away brings what is`,
    `fetched before the lobby shows to ${f('lobby-js-gzip')?.display}${(f('lobby-js-gzip')?.value ?? 0) < 60_000 ? ', also under 60 kB' : ' (the target counts the initial script only)'}. Portuguese, the short-code word list, the PAKE curve code and the`,
    'QR code generator load only when needed.',
    '',
    `**Signaling server.** ${signaling.idleRooms >= signaling.targetRooms ? `${signaling.idleRooms.toLocaleString('en-US')} rooms held in ${(signaling.memory.loadedRssBytes / 1e6).toFixed(0)} MB.` : `This machine allows a process ${signaling.openFilesLimit.toLocaleString('en-US')} open files, and every socket is one, so the server held ${signaling.idleRooms.toLocaleString('en-US')} rooms (${(signaling.memory.loadedRssBytes / 1e6).toFixed(0)} MB); at ${(signaling.memory.bytesPerRoom / 1000).toFixed(1)} kB per room, ${signaling.targetRooms.toLocaleString('en-US')} rooms come to ${(signaling.memory.projectedRssBytes / 1e6).toFixed(0)} MB. A production server needs its open-files limit raised above twice the number of rooms it should hold.`}`,
    `About ${(signaling.memory.emptyRssBytes / 1e6).toFixed(0)} MB of that is the idle process (Node.js with tsx, which \`npm start\` uses), the rest is per socket (the ws WebSocket and Node's socket and its buffers, the server's per-connection state).`,
    `Relaying ${signaling.relay.rate.toLocaleString('en-US')} signals per second with all those rooms open: p50 ${ms(signaling.relay.latencyMs.median)}, p99 ${ms(signaling.relay.medianRunP99Ms)}.`,
    'This bench found that the server\'s heartbeat (every 30 s it pings every socket and drops those that did not answer the',
    'previous ping) pinged all sockets in one loop: with 20,000 sockets that loop and the burst of pongs held up relaying for',
    '300–800 ms (p99 300–740 ms with a heartbeat inside the measured window, 2.4 ms without). The server now pings in slices of',
    '250 spread over the first half of the interval (signaling/server.ts); with a heartbeat every 4 s during the test, p99',
    'was 6–10 ms on the same busy machine.',
  );
  return out;
}
