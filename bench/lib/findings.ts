/**
 * The "Findings" of docs/PERFORMANCE.md: a plain-language reading of this run's figures,
 * and the reason for every target missed. Only what this run measured, or what the design
 * is, goes here; what earlier sessions profiled, changed or tried and did not keep is
 * in the hand-written "Investigations" section, which the bench keeps as it is.
 */
import type { BrowserResults } from './browser-bench.ts';
import {
  type BenchResults,
  appPhaseMedians,
  bulkCpuAccounting,
  channelOpenToConnect,
  fileTransferMainThreads,
  timeToSecureSpread,
  webCryptoLoad,
} from './report.ts';
import { partFindings } from './report-parts.ts';
import { round } from './stats.ts';
import { ms, percent } from './units.ts';

const INVESTIGATIONS = '[Investigations](#investigations)';

export function findings(results: BenchResults): string[] {
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
  out.push(
    `What profiling found in earlier sessions, what it changed and what was tried and not kept is under ${INVESTIGATIONS}, below.`,
    '',
    ...timeToSecureFindings(results),
    '',
    ...roundTripFindings(results),
    '',
    ...messageRateFindings(results),
    '',
    ...bulkFindings(results),
    '',
    ...fileTransferFindings(results),
    ...longChatFindings(results),
    ...chatDuringFileFindings(results),
    ...partFindings(results),
    ...otherFindings(results),
  );
  return out;
}

function figure(results: BenchResults, id: string) {
  return results.figures.find((f) => f.id === id);
}

function timeToSecureFindings(results: BenchResults): string[] {
  const f = (id: string) => figure(results, id);
  const { browser } = results.details;
  const ttsRatio = f('time-to-secure')?.ratio ?? Number.NaN;
  const connect = channelOpenToConnect(browser);
  return [
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
    `after a \`getStats()\` call (${connect === undefined ? '1–3 ms' : ms(connect)} after the channel's \`open\`, median of the bench page's runs), and the`,
    `conversation is secure: channel open → secure took ${f('handshake-after-open')?.display} (median). The app then exchanges profiles (the first`,
    'record each way) and turns secure when the peer\'s has arrived, so its status names the peer in one step. The app\'s',
    'phase marks (Details) show these steps.',
    ...appPhaseSentence(browser),
    'The per-run table shows how much the raw baseline itself varies.',
    ...timeToSecureMissSentences(results),
    'On loopback a raw connection takes only tens of milliseconds, so these fixed costs are a large fraction of it; over a real',
    'network each extra round trip costs one network round-trip time, which is the inherent price of an authenticated key',
    'exchange on top of DTLS. The RSA key itself is not on this path: it is generated while the lobby shows (see below).',
    ...(ttsRatio < 1
      ? ['A ratio below 1 only means the baseline\'s runs were slower in this run (see the per-run table): that is noise, since',
         'Duet does strictly more work than the raw page; the split rows under it are the better guide.']
      : []),
  ];
}

function appPhaseSentence(browser: BrowserResults): string[] {
  const phases = appPhaseMedians(browser.timeToSecure.duet);
  if (!phases) return [];
  return [
    `In the app (medians): join → both pages connected ${ms(phases.connected)}, connected → both secure ${ms(phases.connectedToSecure)},`,
    `secure → both name the peer ${ms(phases.secureToNamed)}.`,
  ];
}

/** When the setup target is missed: by how much, against how much the baseline varies. */
function timeToSecureMissSentences(results: BenchResults): string[] {
  const f = figure(results, 'time-to-secure');
  const spread = timeToSecureSpread(results);
  if (!f || f.met !== false || !spread) return [];
  return [
    `In this run the target was missed: ${f.display} against ${f.baselineDisplay}, with the baseline's runs between`,
    `${ms(spread.raw[0])} and ${ms(spread.raw[1])} and Duet's between ${ms(spread.duet[0])} and ${ms(spread.duet[1])}. On loopback the raw connection takes about`,
    `a hundred milliseconds, so Duet's fixed steps (the session nonce's extra hop, sealed signals, the handshake's work and`,
    `the UI on the same main threads) make up ${percent(spread.duetShare)} of its total. The figure sits at the target: earlier full runs`,
    `measured on both sides of it (${INVESTIGATIONS}).`,
  ];
}

function roundTripFindings(results: BenchResults): string[] {
  const f = (id: string) => figure(results, id);
  const rtt = results.details.browser.roundTripMs;
  return [
    `**Round trips (p50 ${f('rtt-p50')?.ratio?.toFixed(2)}×, p99 ${f('rtt-p99')?.ratio?.toFixed(2)}×).** p50 per pipe: raw ${ms(rtt.raw.median)}, Duet's PeerLink`,
    `alone (simple-peer, no encryption) ${ms(rtt.link.median)}, binary records ${ms(rtt.records.median)}, chat messages ${ms(rtt.chat.median)}.`,
    'Each side of a round trip seals one record and opens one: four WebCrypto calls, plus building the record, its random',
    'IV and the promise steps; chat messages add JSON encoding, parsing and validation. This Chromium runs WebCrypto on the',
    `calling thread, so that is plain work on both pages (${INVESTIGATIONS}). With a raw round trip of ${ms(rtt.raw.median)} here, 1.5× leaves`,
    `${ms(rtt.raw.median / 2)} for all of that on both pages.`,
    ...lowerBoundRttSentences(results),
    `The p99 adds scheduling on ${results.machine.cores} cores shared by four busy processes.`,
  ];
}

/**
 * What the lower-bound pipe (bare AES-GCM, one call per message each way) says about a
 * target: whether any channel encrypting each message with WebCrypto could meet it here.
 */
function lowerBoundRttSentences(results: BenchResults): string[] {
  const bound = figure(results, 'rtt-p50-gcm');
  if (!bound?.ratio) return [];
  const intro = [
    'The lower-bound pipe shows what the cheapest encryption with WebCrypto costs on this machine: the same keys, one',
    `AES-GCM encryption and one decryption per message, and nothing else (no HMAC, header or sequence check). Its p50 was ${bound.display}`,
  ];
  if (figure(results, 'rtt-p50')?.met) return [`${intro.join(' ')} (${bound.ratio.toFixed(2)}×).`];
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

function messageRateFindings(results: BenchResults): string[] {
  const rate = results.details.browser.messagesPerSecond;
  const perSecond = (value: number) => Math.round(value).toLocaleString('en-US');
  return [
    `**Small messages per second (${perSecond(rate.chat.perSecond)}/s, ${figure(results, 'messages-per-second')?.ratio?.toFixed(2)}×).** Per second: raw ${perSecond(rate.raw.perSecond)},`,
    `PeerLink alone ${perSecond(rate.link.perSecond)}, binary records ${perSecond(rate.records.perSecond)} (one record per message), chat messages ${perSecond(rate.chat.perSecond)}.`,
    'With one record per message, the sending page\'s main thread is the limit: each record costs its part of two WebCrypto',
    'calls, `getRandomValues` for the IV, building the record, and one `RTCDataChannel.send`. Duet\'s secure channel therefore',
    'puts the messages sent in one burst (the same microtask) into one record (a batch, record type 0x1d in docs/PROTOCOL.md).',
    'A burst costs one record\'s cryptography and one `send`, and a lone message keeps its own record and its latency. The',
    'chat figure is what the app gets from that. It is above the raw channel because the raw page sends each message on its',
    'own, and batching the raw page too would be a different baseline. The binary-records row shows the per-record cost',
    'that batching amortises.',
  ];
}

function bulkFindings(results: BenchResults): string[] {
  const { browser } = results.details;
  const t16 = figure(results, 'throughput-16 KiB');
  const t64 = figure(results, 'throughput-64 KiB');
  return [
    `**Bulk throughput (16 KiB ${t16?.ratio?.toFixed(2)}×, 64 KiB ${t64?.ratio?.toFixed(2)}×).** On loopback the data channel is limited by CPU: SCTP`,
    'runs inside the browser, and every packet also crosses Chromium\'s network service, which owns the UDP sockets. Here both',
    `pages, both SCTP stacks and that service share ${results.machine.cores} cores, and every Duet byte is also encrypted, HMAC-ed, checked and decrypted.`,
    ...bulkCpuSentences(browser),
    'What the design asks of each record is one AES-GCM and one HMAC on each side, each AES-GCM result a new buffer (on a',
    `virtual machine new memory is slow the first time it is touched; ${INVESTIGATIONS} has the costs measured one by one).`,
    ...lowerBoundBulkSentences(results),
    'Between two machines each peer\'s work has a CPU of its own, and the network is usually the limit. Measured with an',
    'acknowledgement window at the application level (4 MiB), the same for baseline and Duet. File transfers in the app have',
    'their own flow control: a 1 MiB window of acknowledged chunks, plus the data channel\'s `bufferedAmount` through',
    '`PeerLink.drained()`.',
    ...webCryptoSentence(browser),
  ];
}

/** The bulk runs' CPU accounting, in words: whether CPU was the limit, and where Duet's extra time per byte goes. */
function bulkCpuSentences(browser: BrowserResults): string[] {
  const cpu = bulkCpuAccounting(browser);
  if (!cpu) return [];
  const extraMain = cpu.duetMain - cpu.rawMain;
  const n = (value: number) => String(round(value));
  return [
    `During the bulk runs the machine was ${percent(cpu.idle)} idle (median): CPU time is the limit, and any work added per byte slows`,
    `the transfer. At ${cpu.size} the pages' main threads (their JavaScript, WebCrypto included) spent ${n(cpu.rawMain)} ms per MiB on the raw channel and`,
    extraMain > 0
      ? `${n(cpu.duetMain)} ms on Duet's records: ${n(extraMain)} ms more, the record layer's work. All Chromium processes together spent ${n(cpu.rawMs)} ms per MiB`
      : `${n(cpu.duetMain)} ms on Duet's records, no more in this run (noise, see the CPU table). All Chromium processes together spent ${n(cpu.rawMs)} ms per MiB`,
    `on the raw channel; adding only the main threads' extra to that predicts a ratio of ${cpu.predictedRatio.toFixed(2)}×, against ${cpu.measuredRatio.toFixed(2)}× measured`,
    `(Duet's total was ${n(cpu.duetMs)} ms per MiB; on a saturated machine a slower transfer also costs more per MiB, since some of the`,
    'work goes with time rather than with bytes, as the CPU table under Details shows for the baseline\'s slower runs too).',
  ];
}

function lowerBoundBulkSentences(results: BenchResults): string[] {
  const bound = figure(results, 'throughput-64 KiB-gcm');
  const duet = figure(results, 'throughput-64 KiB');
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

function webCryptoSentence(browser: BrowserResults): string[] {
  const load = webCryptoLoad(browser);
  if (!load) return [];
  return [
    `(This Chromium's WebCrypto, measured in this run with 64 KiB calls one at a time: AES-256-GCM ${load.aesGcmMiBs.toFixed(0)} MiB/s,`,
    `HMAC-SHA256 ${load.hmacMiBs.toFixed(0)} MiB/s. At the raw channel's ${load.rawMiBs.toFixed(1)} MiB/s, one AES-GCM and one HMAC pass over each byte`,
    `would take about ${(load.share * 100).toFixed(0)}% of each page's time at that probe's speed; in the bulk runs each call also pays for`,
    'its fresh result buffer.)',
  ];
}

/** The app's own bulk path, a file transfer, in words. */
function fileTransferFindings(results: BenchResults): string[] {
  const { browser } = results.details;
  const file = browser.fileTransfer;
  const f = figure(results, 'file-transfer');
  if (!file || !f) return [];
  const main = fileTransferMainThreads(browser);
  return [
    `**A file through the app (${f.display}, ${f.ratio?.toFixed(2)}× raw 16 KiB messages).** What a person gets: ${file.mib} MiB from Attach file to`,
    `the receiver's Save link (${file.seconds.map((s) => `${round(s)} s`).join(', ')}), reading the file in 512 KiB blocks, 16 KiB chunks in records of their own,`,
    'the receiver gathering them in memory and both sides computing the SHA-256 in a Worker, with the acknowledgement window and',
    'progress shown on both sides.',
    ...(main
      ? [
          `The pages' main threads spent ${round(main.file)} ms per MiB, against ${round(main.records)} ms for bare 16 KiB records above: encoding each chunk, gathering`,
          'the chunks into Blobs (a copy into the browser\'s blob storage), the hand-overs to the checksum Worker, the',
          'acknowledgements and the progress updates.',
        ]
      : []),
    '',
  ];
}

/** A long conversation through the app, in words (runs from 2026-12-07 on). */
function longChatFindings(results: BenchResults): string[] {
  const chat = results.details.browser.longChat;
  const [p50, p99, perMessage, heap] = ['long-chat-latency-p50', 'long-chat-latency-p99', 'long-chat-per-message', 'long-chat-heap'].map((id) => figure(results, id));
  if (!chat || !p50 || !p99 || !perMessage || !heap) return [];
  const count = chat.messages.toLocaleString('en-US');
  return [
    `**A long conversation (${count} messages through Alice's composer, sent in ${Math.round(chat.fillSeconds)} s).** Measured against a fresh conversation of 10 messages,`,
    `the two alternating: one-way latency from her Message box to Bruno's log was ${p50.display} at the median (${p50.ratio?.toFixed(2)}× the fresh one's ${p50.baselineDisplay};`,
    `p99 ${p99.display} against ${p99.baselineDisplay}), and a message took her ${perMessage.display} to send (${perMessage.ratio?.toFixed(2)}× ${perMessage.baselineDisplay}): the session keeps its timeline`,
    'incrementally (a message is appended, a receipt replaces one item) and each log renders only its newest',
    `${chat.renderedItems.receiver} items, with "Show earlier messages" for the rest. The heap grew by ${heap.display} (the larger of the two pages, after a garbage collection).`,
    ...mainThreadSentences(chat),
    '',
  ];
}

/** Where Alice's main thread went per message, fresh against long (runs from 2026-12-07 on). */
function mainThreadSentences(chat: NonNullable<BrowserResults['longChat']>): string[] {
  const use = chat.mainThreadPerMessage;
  if (!use) return [];
  const part = (name: 'fresh' | 'long') => {
    const sender = use[name].sender;
    return `script ${ms(sender.scriptMs)}, style ${ms(sender.recalcStyleMs)}, layout ${ms(sender.layoutMs)}`;
  };
  return [
    `Alice's main thread per message (Chromium's own counters, the alternated rounds): ${part('fresh')} in the fresh conversation,`,
    `${part('long')} in the long one. Her JavaScript does not grow with the conversation; style and layout, which the browser`,
    `does for the items rendered, cost more with ${chat.renderedItems.sender} items than with a handful.`,
  ];
}

/** Chat first: a message sent while a file transfers, in words. */
function chatDuringFileFindings(results: BenchResults): string[] {
  const chat = results.details.browser.chatDuringFile;
  const f = figure(results, 'chat-during-file-p50');
  if (!chat || !f) return [];
  return [
    `**Chat during a file (${f.display} at the median, ${f.baselineDisplay} idle).** ${chat.duringFileMs.n} messages sent through the app while a ${chat.fileMiB} MiB file`,
    `went the same way (${round(chat.transferSeconds)} s). File data waits for room in the data channel's buffer (at most 128 KiB) before it`,
    'is sealed, four records at most ahead, so a chat record takes its sequence number ahead of the chunks still queued; the',
    'receiver writes and hashes chunks on a lane of their own, so a chat record is shown without waiting for them.',
    '',
  ];
}

/** RSA keys, JavaScript and the signaling server. */
function otherFindings(results: BenchResults): string[] {
  const f = (id: string) => figure(results, id);
  const { browser, signaling } = results.details;
  const rsa = browser.rsaKeygenMs;
  const MB = (bytes: number) => (bytes / 1e6).toFixed(0);
  const count = (n: number) => n.toLocaleString('en-US');
  return [
    `**RSA keys.** The default 2048-bit key took ${ms(rsa['2048']?.median ?? Number.NaN)} (p95 ${ms(rsa['2048']?.p95 ?? Number.NaN)}); it is`,
    'generated when the lobby opens, while the person types a name, so it is ready before a peer can arrive. 3072 and 4096',
    `bits (build option \`VITE_RSA_MODULUS_LENGTH\`) took ${ms(rsa['3072']?.median ?? Number.NaN)} and ${ms(rsa['4096']?.median ?? Number.NaN)} at the median, p95 ${ms(rsa['4096']?.p95 ?? Number.NaN)} for`,
    '4096: still hidden behind typing a name in most cases, but a guest who opens a link and joins within that time waits for',
    'the key (the handshake starts when it is ready; nothing fails).',
    '',
    `**JavaScript.** The entry script with its static imports is ${f('initial-js-gzip')?.display}; the UI chunk it imports right away brings what is`,
    `fetched before the lobby shows to ${f('lobby-js-gzip')?.display}${(f('lobby-js-gzip')?.value ?? 0) < 60_000 ? ', also under 60 kB' : ' (the target counts the initial script only)'}. Portuguese, the short-code word list, the PAKE curve code and the`,
    'QR code generator load only when needed.',
    '',
    `**Signaling server.** ${signaling.idleRooms >= signaling.targetRooms ? `${count(signaling.idleRooms)} rooms held in ${MB(signaling.memory.loadedRssBytes)} MB.` : `This machine allows a process ${count(signaling.openFilesLimit)} open files, and every socket is one, so the server held ${count(signaling.idleRooms)} rooms (${MB(signaling.memory.loadedRssBytes)} MB); at ${(signaling.memory.bytesPerRoom / 1000).toFixed(1)} kB per room, ${count(signaling.targetRooms)} rooms come to ${MB(signaling.memory.projectedRssBytes)} MB. A production server needs its open-files limit raised above twice the number of rooms it should hold.`}`,
    `About ${MB(signaling.memory.emptyRssBytes)} MB of that is the idle process (Node.js with tsx, which \`npm start\` uses), the rest is per socket (the ws WebSocket and Node's socket and its buffers, the server's per-connection state).`,
    `Relaying ${count(signaling.relay.rate)} signals per second with all those rooms open: p50 ${ms(signaling.relay.latencyMs.median)}, p99 ${ms(signaling.relay.medianRunP99Ms)}.`,
    `The server's heartbeat pings its sockets in slices spread over the interval (signaling/server.ts), so it does not hold up relaying (${INVESTIGATIONS}).`,
  ];
}
