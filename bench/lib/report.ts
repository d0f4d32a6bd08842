/**
 * Turns one bench run into figures (value, baseline, ratio, target, met) and into
 * docs/PERFORMANCE.md. The JSON keeps everything, so runs can be compared.
 */
import type { BrowserResults, PipeName, TimeToSecureRun } from './browser-bench.ts';
import type { BundleSizes } from './bundle-size.ts';
import type { Machine } from './machine.ts';
import type { SignalingLoadResult } from './signaling-load.ts';
import { median, round } from './stats.ts';

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
  details: { bundle: BundleSizes; signaling: SignalingLoadResult; browser: BrowserResults };
}

const ms = (value: number) => `${round(value)} ms`;
const mibs = (value: number) => `${round(value)} MiB/s`;
const perSecond = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`;
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

  for (const [size, pipes] of Object.entries(browser.throughput)) {
    if (pipes.records && pipes.raw) {
      compare(`throughput-${size}`, `Bulk throughput, ${size} messages`, pipes.records.median, pipes.raw.median, 'MiB/s', mibs, '≥ 0.9×', (r) => r >= 0.9);
    }
    if (pipes.chat && pipes.raw) {
      compare(`throughput-${size}-chat`, `… ${size} as chat messages (JSON text)`, pipes.chat.median, pipes.raw.median, 'MiB/s', mibs, 'context', undefined);
    }
  }

  const rtt = browser.roundTripMs;
  compare('rtt-p50', 'Round trip p50, 100-byte chat messages', rtt.chat.median, rtt.raw.median, 'ms', ms, '≤ 1.5×', (r) => r <= 1.5);
  compare('rtt-p99', 'Round trip p99, 100-byte chat messages', rtt.chat.p99, rtt.raw.p99, 'ms', ms, '≤ 1.5×', (r) => r <= 1.5);
  compare('rtt-p50-records', '… p50 as binary records', rtt.records.median, rtt.raw.median, 'ms', ms, 'context', undefined);

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
    value: signaling.relay.latencyMs.p99,
    unit: 'ms',
    display: `${ms(signaling.relay.latencyMs.p99)} (p50 ${ms(signaling.relay.latencyMs.median)})`,
    target: 'p99 < 10 ms',
    met: signaling.relay.latencyMs.p99 < 10 && signaling.relay.received === signaling.relay.sent,
  });
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

const PIPE_NAMES: Record<PipeName, string> = { raw: 'raw data channel', chat: 'Duet, chat messages', records: 'Duet, binary records' };

export function renderMarkdown(results: BenchResults): string {
  const { machine, versions, figures } = results;
  const { bundle, signaling, browser } = results.details;
  const figure = (id: string) => figures.find((f) => f.id === id);
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
    'for payloads a chat message cannot carry. Both pages run the same measurement code',
    '(`bench/pages/measure.ts`) in two Chromium contexts (two renderer processes) on loopback, inside a',
    'network namespace with only loopback. The bench pages are built into `bench/.build/`, never into `dist/`.',
    '',
    '- **Time from both pages ready to secure.** Duet: the real app from `dist/`, both pages loaded with a',
    '  name typed and 1.5 s to settle; the clock starts at the click on *Create room* and stops when both',
    '  status lines say "Secure: end-to-end encrypted with <peer>" (watched in the page every few ms). The',
    '  guest joins by pasting the link into *Room code*. The time the harness needs to pass the link across',
    `  (reading it, typing it, clicking *Join*; median ${ms(median(browser.timeToSecure.duet.map((r) => r.handoverMs)))}) is subtracted,`,
    '  since it is not the product\'s. Baseline: the raw page from opening the signaling socket and creating',
    '  the room to the data channel being open on both sides, hand-over likewise subtracted. Median of',
    `  ${browser.timeToSecure.duet.length} runs each, after one unrecorded warm-up run.`,
    '- **Bulk throughput.** One page sends messages of the given size for 3 s as fast as an acknowledgement',
    '  window allows (4 MiB in flight, acknowledged every eighth of that), then an end marker; the time runs',
    '  until the receiver confirms it counted every message. Payload bytes ÷ time, median of 3 runs after a',
    '  1 s warm-up. Duet\'s figure uses binary records (the payload is the record plaintext).',
    '- **Round trip.** One 100-byte message (100 characters of chat text for Duet) to the other page, which',
    `  sends one back; one at a time. ${browser.roundTripMs.raw.n} round trips per pipe in 4 rounds that alternate between the pipes, after`,
    '  50 unrecorded ones per round; p50 and p99 of all of them.',
    '- **Small messages per second.** 100-byte messages for 10 s with at most 2,000 unacknowledged',
    '  (acknowledged every 200), after a 2 s warm-up; messages ÷ time until the receiver confirmed the last.',
    '- **RSA key generation.** The app\'s own `generateRsaIdentity` (WebCrypto `generateKey` for RSA-OAEP with',
    '  SHA-256, then the SPKI export) in a page, one after another; median and p95. The app starts it when',
    '  the lobby opens (`ChatSession`\'s constructor), so it runs while a person types a name.',
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
    `  to its guest, for ${signaling.relay.durationMs / 1000} s after a warm-up; time from send to receipt in that process.`,
    '',
  );

  add('## Findings', '');
  add(...findings(results), '');

  add('## Details', '', '### Time to secure (ms, each run)', '');
  add(
    table(
      ['run', 'raw: setup', 'raw: join → open', 'Duet: setup', 'Duet: join → secure', 'Duet: hand-over (subtracted)'],
      browser.timeToSecure.duet.map((duet, i) => {
        const raw = browser.timeToSecure.raw[i]!;
        return [String(i + 1), String(Math.round(raw.setupMs)), String(Math.round(raw.joinToReadyMs)), String(Math.round(duet.setupMs)), String(Math.round(duet.joinToReadyMs)), String(Math.round(duet.handoverMs))];
      }),
    ),
    '',
    '### Round trips (ms)',
    '',
    table(
      ['pipe', 'n', 'p50', 'p95', 'p99', 'max'],
      (Object.keys(browser.roundTripMs) as PipeName[]).map((pipe) => {
        const s = browser.roundTripMs[pipe];
        return [PIPE_NAMES[pipe], String(s.n), String(round(s.median)), String(round(s.p95)), String(round(s.p99)), String(round(s.max))];
      }),
    ),
    '',
    '### Message rate and throughput',
    '',
    table(
      ['pipe', '100-byte messages/s', ...Object.keys(browser.throughput).map((size) => `${size}: MiB/s (each run)`)],
      (Object.keys(browser.messagesPerSecond) as PipeName[]).map((pipe) => [
        PIPE_NAMES[pipe],
        perSecond(browser.messagesPerSecond[pipe].perSecond),
        ...Object.values(browser.throughput).map((pipes) => {
          const runs = pipes[pipe];
          return runs ? `${round(runs.median)} (${runs.mibPerSecond.map((v) => round(v)).join(', ')})` : '— (too large for a chat message)';
        }),
      ]),
    ),
    '',
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
        ['relay latency p50 / p95 / p99 / max', [signaling.relay.latencyMs.median, signaling.relay.latencyMs.p95, signaling.relay.latencyMs.p99, signaling.relay.latencyMs.max].map((v) => ms(v)).join(' / ')],
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
    '```',
    '',
    'It uses Chromium at `$CHROMIUM_PATH`, else `/usr/bin/chromium`, else Playwright\'s; builds `dist/` if it is',
    'older than its sources; and runs inside an isolated network namespace (loopback only) where Linux allows.',
    'Absolute figures depend on the machine and on whatever else runs on it (see the load average above);',
    'the ratios much less so. To compare two runs, compare the `figures` arrays of their JSON files.',
    '',
  );
  void figure;
  return `${lines.join('\n')}\n`;
}

/** Plain-language reading of the figures; every target missed gets its reason. */
function findings(results: BenchResults): string[] {
  const missed = results.figures.filter((f) => f.met === false);
  const lines: string[] = [];
  if (missed.length === 0) lines.push('Every target was met in this run.');
  else lines.push(`Targets missed in this run: ${missed.map((f) => f.label).join('; ')}.`);
  return lines;
}
