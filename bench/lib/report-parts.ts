/**
 * The report's figures, findings and details for the measurements added by #20's later
 * parts (the UI path split, a first and a second visit's bytes, a file against binary
 * records at the same chunk size), kept apart from report.ts and findings.ts so neither
 * grows past what one file should hold.
 */
import type { BrowserResults } from './browser-bench.ts';
import type { FetchedFile, VisitBytes } from './first-visit.ts';
import type { BenchResults, Figure } from './report.ts';
import { median, round } from './stats.ts';
import { UI_PATH_SEGMENTS, type UiPathSegment } from './ui-path.ts';
import { kB, mibs, ms } from './units.ts';

const SEGMENT_NAMES: Record<UiPathSegment, string> = {
  click: 'click → first seal call (composer, session, own message rendered)',
  seal: 'seal (AES-GCM, HMAC) → record handed to the data channel',
  channel: 'data channel → message event on the peer\'s page',
  open: 'open (HMAC check, AES-GCM)',
  render: 'opened → text in the peer\'s log',
};

export function partFigures(browser: BrowserResults): Figure[] {
  const figures: Figure[] = [];
  const path = browser.uiPath;
  if (path) {
    const ratio = path.totalMs.median / path.lowerBoundMs;
    figures.push({
      id: 'ui-path-p50',
      label: "UI Send → peer's log p50 (the app), against the lower bound: raw data channel one-way + one seal + one open (same run)",
      value: path.totalMs.median,
      unit: 'ms',
      display: ms(path.totalMs.median),
      baseline: path.lowerBoundMs,
      baselineDisplay: ms(path.lowerBoundMs),
      ratio,
      target: '≤ 1.5×',
      met: ratio <= 1.5,
    });
  }
  const visit = browser.firstVisit;
  if (visit) {
    const page = pageOnlyBytes(visit.first);
    figures.push(
      {
        id: 'first-visit-bytes',
        label: 'Bytes on the wire, first visit (everything the page and its service worker fetch, brotli as the server sends it, headers included)',
        value: visit.first.brBytes,
        unit: 'bytes',
        display: `${kB(visit.first.brBytes)} (${visit.first.files.length} requests)`,
        target: '≤ 60 kB',
        met: visit.first.brBytes <= 60_000,
      },
      { id: 'first-visit-page-bytes', label: '… of which the page itself, until the lobby shows (without the service worker\'s offline copy)', value: page, unit: 'bytes', display: kB(page), target: 'context' },
      {
        id: 'second-visit-bytes',
        label: 'Bytes on the wire, second visit (browser cache and service worker)',
        value: visit.second.brBytes,
        unit: 'bytes',
        display: `${kB(visit.second.brBytes)} (${visit.second.files.map((file) => `${file.status} ${file.path}`).join(', ') || 'no requests'})`,
        target: '≤ 2 kB',
        met: visit.second.brBytes <= 2_000,
      },
    );
    const chat = visit.throughChat;
    if (chat) {
      figures.push(
        {
          id: 'first-visit-chat-bytes',
          label: 'Bytes on the wire, first visit through a secure chat: the one who creates the room (lobby, Create room, until secure; files, not the signaling messages)',
          value: chat.host.brBytes,
          unit: 'bytes',
          display: `${kB(chat.host.brBytes)} (${chat.host.files.length} requests)`,
          target: 'context',
        },
        {
          id: 'first-visit-chat-guest-bytes',
          label: '… the one who joins by opening the room link, until secure',
          value: chat.guest.brBytes,
          unit: 'bytes',
          display: `${kB(chat.guest.brBytes)} (${chat.guest.files.length} requests)`,
          target: 'context',
        },
      );
    }
  }
  const file = browser.fileTransfer;
  const records = browser.throughput['16 KiB']?.records;
  if (file && records) {
    const ratio = file.median / records.median;
    figures.push({
      id: 'file-vs-records',
      label: `A ${file.mib} MiB file through the app against binary records at the same chunk size (16 KiB bulk, Duet)`,
      value: file.median,
      unit: 'MiB/s',
      display: mibs(file.median),
      baseline: records.median,
      baselineDisplay: mibs(records.median),
      ratio,
      target: '≥ 0.9×',
      met: ratio >= 0.9,
    });
  }
  return figures;
}

/** What the page fetched itself (not the service worker caching the shell). */
function pageOnlyBytes(visit: VisitBytes): number {
  return visit.files.filter((file) => !file.byServiceWorker || file.path.endsWith('/sw.js')).reduce((sum, file) => sum + file.brBytes, 0);
}

export function partFindings(results: BenchResults): string[] {
  return [...uiPathFindings(results), ...fileVsRecordsFindings(results), ...firstVisitFindings(results)];
}

function firstVisitFindings(results: BenchResults): string[] {
  const visit = results.details.browser.firstVisit;
  const first = results.figures.find((figure) => figure.id === 'first-visit-bytes');
  const second = results.figures.find((figure) => figure.id === 'second-visit-bytes');
  if (!visit || !first || !second) return [];
  const page = pageOnlyBytes(visit.first);
  const shell = visit.first.files.filter((file) => file.byServiceWorker && !file.path.endsWith('/sw.js'));
  const largest = [...shell].sort((a, b) => b.brBytes - a.brBytes).slice(0, 4);
  const chat = visit.throughChat;
  const chatFiles = (files: FetchedFile[]) => files.filter((file) => !visit.first.files.some((lobby) => lobby.path === file.path && lobby.status === file.status));
  return [
    `**A first visit (${kB(visit.first.brBytes)}) and a second (${kB(visit.second.brBytes)}).** The page itself fetched ${kB(page)} until the lobby showed (its HTML,`,
    'the entry script, the style sheet, the UI chunk, the icon and the service worker). The service worker then installs the shell',
    `the page starts with (the page, revalidated, and the scripts it loads right after the lobby; the tab's icon it takes from the browser's cache): ${shell.length} more requests, ${kB(shell.reduce((sum, file) => sum + file.brBytes, 0))},`,
    `the largest ${largest.map((file) => `${file.path.replace('/assets/', '')} ${kB(file.brBytes)}`).join(', ')}. Code loaded on demand (the WebRTC code a conversation loads, the short-code word list,`,
    'the confusable-name check, PAKE, the file checksum, the Portuguese catalogue) is not fetched ahead, nor are the install icons and the manifest: the worker keeps them once used.',
    `${first.met ? '' : 'So the first visit misses 60 kB by the start-up code itself: the page alone is ' + (page <= 60_000 ? 'within it.' : `${kB(page)}, already over it.`)}`,
    `A second visit ${second.met ? 'met its goal' : 'missed its goal'}: the service worker answers from its cache, and the only request that reaches the`,
    'network is the page itself, revalidated (the worker fetches navigations first so a new release is seen at once).',
    ...(chat
      ? [
          `Someone who goes on to a secure chat on that first visit fetches more: ${kB(chat.host.brBytes)} for the one who creates the room (beyond the lobby's files:`,
          `${chatFiles(chat.host.files).map((file) => `${file.path.replace('/assets/', '')} ${kB(file.brBytes)}`).join(', ') || 'nothing'}), ${kB(chat.guest.brBytes)} for the one who opens the room link`,
          `(${chatFiles(chat.guest.files).map((file) => `${file.path.replace('/assets/', '')} ${kB(file.brBytes)}`).join(', ') || 'nothing beyond the lobby\'s files'}); files only, not the signaling messages.`,
        ]
      : []),
    '',
  ];
}

function uiPathFindings(results: BenchResults): string[] {
  const path = results.details.browser.uiPath;
  const f = results.figures.find((figure) => figure.id === 'ui-path-p50');
  if (!path || !f) return [];
  const segments = UI_PATH_SEGMENTS.map((segment) => `${segment} ${ms(path.segmentsMs[segment].median)}`).join(', ');
  const { bound } = path;
  const pageWork = { click: path.segmentsMs.click.median, render: path.segmentsMs.render.median, total: path.segmentsMs.click.median + path.segmentsMs.render.median };
  return [
    `**UI Send → peer's log (${f.display} at the median, ${f.ratio?.toFixed(2)}× its lower bound of ${f.baselineDisplay}).** ${path.totalMs.n} messages, each typed into`,
    `Alice's box and sent with a click on Send, one at a time. Where the time goes (medians of each part): ${segments}.`,
    `The lower bound is the raw data channel's one-way time (half its round trip, ${ms(bound.rawOneWayMs.median)}) plus one seal`,
    `(${ms(bound.sealMs.median)}) and one open (${ms(bound.openMs.median)}), timed in Alice's page doing nothing else. On the path the same`,
    `WebCrypto calls took ${ms(bound.pathSealCryptoMs.median)} and ${ms(bound.pathOpenCryptoMs.median)} from call to result: their results come back in a task of`,
    'their own, behind whatever the page does meanwhile (rendering the message just sent). The parts beyond the bound are the',
    'pages\' own work around the message (the log\'s render on each side, the status and composer updates) and the data',
    'channel taking longer between two busy pages than between two idle ones. Details under *UI path*.',
    ...(f.met
      ? []
      : [
          `The goal is beyond what a page that shows the message can do here: the pages' own work before the seal and after the`,
          `open alone (click ${ms(pageWork.click)} + render ${ms(pageWork.render)}, medians) is ${(pageWork.total / path.lowerBoundMs).toFixed(1)}× the bound, and the data channel between`,
          `the two app pages took ${ms(path.segmentsMs.channel.median)} against ${ms(bound.rawOneWayMs.median)} between two idle raw pages.`,
          ...(path.bareUiMs
            ? [
                `Two bare pages measured in the same run, where a click on a button sends the text on a raw data channel and the peer`,
                `appends it as a paragraph (no encryption, no framework), took ${ms(path.bareUiMs.median)} at the median: ${(path.bareUiMs.median / path.lowerBoundMs).toFixed(1)}× the bound`,
                path.bareUiMs.median / path.lowerBoundMs > 1.5
                  ? `(so no page that shows the message reaches ${f.target} of it on this machine). Against that bare page the app is ${(path.totalMs.median / path.bareUiMs.median).toFixed(2)}×.`
                  : `(a bare page can reach the goal here: the rest is the app's own work). Against that bare page the app is ${(path.totalMs.median / path.bareUiMs.median).toFixed(2)}×.`,
              ]
            : []),
        ]),
    '',
  ];
}

function fileVsRecordsFindings(results: BenchResults): string[] {
  const { browser } = results.details;
  const f = results.figures.find((figure) => figure.id === 'file-vs-records');
  const fileCpu = browser.fileTransfer?.cpu;
  const recordsCpu = browser.throughput['16 KiB']?.records?.cpu;
  if (!f || f.met || !fileCpu || !recordsCpu) return [];
  const fileMs = median(fileCpu.chromiumMsPerMiB);
  const recordsMs = median(recordsCpu.chromiumMsPerMiB);
  const fileMain = median(fileCpu.pageMainThreadsMsPerMiB);
  const recordsMain = median(recordsCpu.pageMainThreadsMsPerMiB);
  return [
    `**A file against binary records at 16 KiB (${f.ratio?.toFixed(2)}×, missed).** Both were limited by the machine's CPU (${Math.round(median(fileCpu.machineIdle) * 100)}% idle during`,
    `the file): Chromium spent ${round(fileMs)} ms of CPU per MiB of file against ${round(recordsMs)} ms per MiB of bare records, which alone predicts`,
    `${(recordsMs / fileMs).toFixed(2)}× on a machine where CPU is the limit. Of the difference, ${round(fileMain - recordsMain)} ms per MiB is the pages' main threads`,
    '(encoding each chunk, acknowledgements, progress, the hand-overs to the Workers); the rest is off the main threads: the',
    'SHA-256 (in a Worker on each side, in JavaScript) and the Blob storage of the received data in the browser process. Hashing',
    'is already off the main thread on both sides; on two shared cores that does not make it free. The file window (256 KiB in',
    'flight against the bulk bench\'s 4 MiB) is not what limits it here: the CPU accounting explains the ratio without it.',
    '',
  ];
}

/** The details tables of these parts. */
export function partDetails(browser: BrowserResults): string[] {
  return [...uiPathDetails(browser), ...firstVisitDetails(browser)];
}

function firstVisitDetails(browser: BrowserResults): string[] {
  const visit = browser.firstVisit;
  if (!visit) return [];
  const rows = (name: string, files: FetchedFile[]) =>
    files.map((file) => `| ${name} | ${file.path} | ${file.status} | ${file.byServiceWorker ? 'service worker' : 'page'} | ${file.contentEncoding || '—'} | ${file.brBytes} | ${file.browserBytes} |`);
  return [
    '### Bytes on the wire, first and second visit',
    '',
    'Each request that reached the network, made again from Node against the same server with the browser\'s own headers',
    'but `Accept-Encoding: br`; bytes as the server sent them on the socket (status line and headers included). The last',
    'column is what this Chromium received (its encoded body and headers).',
    '',
    '| visit | path | status | fetched by | encoding | bytes (br) | bytes (this browser) |',
    '|---|---|---|---|---|---|---|',
    ...rows('first', visit.first.files),
    ...rows('second', visit.second.files),
    ...(visit.throughChat ? [...rows('first, creating a room until secure', visit.throughChat.host.files), ...rows('first, joining by the link until secure', visit.throughChat.guest.files)] : []),
    '',
  ];
}

function uiPathDetails(browser: BrowserResults): string[] {
  const path = browser.uiPath;
  if (!path) return [];
  const row = (name: string, s: { median: number; p95: number; p99: number }) => [name, String(round(s.median)), String(round(s.p95)), String(round(s.p99))];
  const lines = [
    '| part | p50 | p95 | p99 |',
    '|---|---|---|---|',
    ...[
      ...UI_PATH_SEGMENTS.map((segment) => row(SEGMENT_NAMES[segment], path.segmentsMs[segment])),
      row("**Send → peer's log** (the parts' medians need not add up to it)", path.totalMs),
      row('… then to the next animation frame (when it can be painted; context)', path.toFrameMs),
      row('lower bound: raw data channel one-way (half a round trip, 100 bytes)', path.bound.rawOneWayMs),
      row('lower bound: one seal alone (AES-GCM then HMAC, ~160 bytes; mean of 200 per round)', path.bound.sealMs),
      row('lower bound: one open alone (HMAC check then AES-GCM)', path.bound.openMs),
      row('context: the seal\'s WebCrypto calls on the path, call to result', path.bound.pathSealCryptoMs),
      row('context: the open\'s WebCrypto calls on the path, call to result', path.bound.pathOpenCryptoMs),
      ...(path.bareUiMs ? [row('bound for any page: two bare pages, click on a button → raw data channel → a paragraph appended on the peer', path.bareUiMs)] : []),
    ].map((cells) => `| ${cells.join(' | ')} |`),
  ];
  return [
    '### UI path: Send → peer\'s log (ms)',
    '',
    'Both app pages note every click, every WebCrypto call (start and result), every data channel send and message',
    'event (scripts added before the app loads, bench/lib/ui-path.ts); the times are the pages\' clocks on one machine',
    '(coarsened to 0.1 ms by the browser, which is why the parts are multiples of it).',
    '',
    ...lines,
    '',
  ];
}
