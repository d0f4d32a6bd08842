/**
 * The UI path (#20): from Alice's click on Send to the text in Bruno's log, through the
 * real app, split where the time goes, against a lower bound measured in the same run:
 * the raw data channel's one-way time (half its round trip, 100 bytes, bench/pages/raw.ts)
 * plus one seal and one open (AES-GCM and HMAC, as the record layer makes them, timed in
 * Alice's page while it does nothing else).
 *
 * Both app pages get a script before the app loads that notes (epoch ms, one machine's
 * clock) every click, every WebCrypto encrypt/sign/verify/decrypt with its start and end,
 * every RTCDataChannel send and every message event; Bruno's log is watched for the text.
 * Per message:
 *
 *   click   click → the first seal call (the composer, the session, the own message rendered)
 *   seal    → the record handed to the data channel (AES-GCM, HMAC, the send queue)
 *   channel → its message event on Bruno's side (SCTP, the two processes)
 *   open    → the last opening call done (HMAC check, AES-GCM)
 *   render  → the text in Bruno's log (the message handed on, the log's update)
 *
 * The hooks add a few microseconds per call to what they measure, to the path and the
 * bound alike.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { appConversation } from './app-pages.ts';
import { call, connectPair, profiled } from './bench-pages.ts';
import { type Summary, summarize } from './stats.ts';

export const UI_PATH_SEGMENTS = ['click', 'seal', 'channel', 'open', 'render'] as const;
export type UiPathSegment = (typeof UI_PATH_SEGMENTS)[number];

export interface UiPathResults {
  /** Click on Send → text in Bruno's log. */
  totalMs: Summary;
  /** Each segment, p50 etc. over the messages (segments' medians need not add up to the total's). */
  segmentsMs: Record<UiPathSegment, Summary>;
  /** The text in the log → the next animation frame starting (context: when it can be painted). */
  toFrameMs: Summary;
  /**
   * The lower bound's parts: raw channel one-way (half a round trip), one seal and one open
   * alone (SEAL_OPEN_PROBE, per round); and the seal's and the open's WebCrypto calls on the
   * path itself, from call to result (context: longer when the page is busy meanwhile).
   */
  bound: { rawOneWayMs: Summary; sealMs: Summary; openMs: Summary; pathSealCryptoMs: Summary; pathOpenCryptoMs: Summary };
  /** rawOneWay p50 + seal p50 + open p50. */
  lowerBoundMs: number;
  /**
   * The same path through two bare pages (bench/pages/raw.ts uiEcho): a click on a button
   * sends the text on a raw data channel, and the peer appends it as a paragraph. What any
   * page pays on this machine for a click, a channel message and a DOM change, with no
   * encryption and no framework. Absent in results from before it was measured.
   */
  bareUiMs?: Summary;
}

/** Installed in both app pages before the app's own scripts (addInitScript). */
const HOOKS = `{
  const now = () => performance.timeOrigin + performance.now();
  const log = (window.__uiPath = { clicks: [], crypto: [], sends: [], receives: [] });
  window.addEventListener('click', () => log.clicks.push(now()), { capture: true });
  const subtle = crypto.subtle;
  for (const name of ['encrypt', 'decrypt', 'sign', 'verify']) {
    const original = subtle[name];
    subtle[name] = function (...args) {
      const start = now();
      const result = original.apply(subtle, args);
      result.then(() => log.crypto.push({ name, start, end: now() }), () => {});
      return result;
    };
  }
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (data) {
    log.sends.push(now());
    return send.call(this, data);
  };
  // The app's PeerLink listens with addEventListener('message'), not onmessage.
  const listen = RTCDataChannel.prototype.addEventListener;
  RTCDataChannel.prototype.addEventListener = function (type, listener, options) {
    const noted = type === 'message' && typeof listener === 'function'
      ? function (event) { log.receives.push(now()); return listener.call(this, event); }
      : listener;
    return listen.call(this, type, noted, options);
  };
}`;

/** Bruno's page: window.__shown(text) resolves with when `text` first showed in the log, and the next frame after. */
const SHOWN_WATCH = `() => {
  const inShadow = (host, selector) => host.shadowRoot.querySelector(selector);
  const list = inShadow(inShadow(inShadow(document.querySelector('duet-app'), 'duet-chat'), 'duet-message-list'), '.log');
  const waiters = new Map();
  new MutationObserver((records) => {
    const at = performance.timeOrigin + performance.now();
    for (const record of records) for (const node of record.addedNodes) {
      const text = node.querySelector && node.querySelector('p.text');
      const wake = text && waiters.get(text.textContent);
      if (!wake) continue;
      waiters.delete(text.textContent);
      requestAnimationFrame(() => wake({ at, frameAt: performance.timeOrigin + performance.now() }));
    }
  }).observe(list, { childList: true, subtree: true });
  window.__shown = (text) => new Promise((resolve) => waiters.set(text, resolve));
}`;

/**
 * One seal and one open of a chat-sized record as the record layer makes them (AES-GCM
 * then HMAC; HMAC check then AES-GCM), awaited one call at a time, in a page that does
 * nothing else meanwhile: ms each, averaged over `count` (the page's clock is coarse).
 */
const SEAL_OPEN_PROBE = `async (count) => {
  const subtle = crypto.subtle;
  const aes = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const mac = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const plaintext = new Uint8Array(160);
  const iv = new Uint8Array(12);
  let seal = 0;
  let open = 0;
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv }, aes, plaintext));
    const tag = await subtle.sign('HMAC', mac, sealed);
    const middle = performance.now();
    await subtle.verify('HMAC', mac, tag, sealed);
    await subtle.decrypt({ name: 'AES-GCM', iv }, aes, sealed);
    seal += middle - start;
    open += performance.now() - middle;
  }
  return { seal: seal / count, open: open / count };
}`;

interface PageLog {
  clicks: number[];
  crypto: { name: string; start: number; end: number }[];
  sends: number[];
  receives: number[];
}

interface Sample {
  segments: Record<UiPathSegment, number>;
  total: number;
  toFrame: number;
  sealCrypto: number;
  openCrypto: number;
}

/** The page's notes since the last call (emptied in place: the hooks hold the arrays). */
const takeLog = (page: Page) =>
  page.evaluate('(() => Object.fromEntries(Object.entries(window.__uiPath).map(([key, list]) => [key, list.splice(0)])))()') as Promise<PageLog>;

/** The bare receiving page: window.__shown(text) resolves with when `text` was appended to #ui-log. */
const BARE_SHOWN_WATCH = `() => {
  const waiters = new Map();
  new MutationObserver((records) => {
    const at = performance.timeOrigin + performance.now();
    for (const record of records) for (const node of record.addedNodes) {
      const wake = waiters.get(node.textContent);
      if (!wake) continue;
      waiters.delete(node.textContent);
      wake(at);
    }
  }).observe(document.getElementById('ui-log'), { childList: true });
  window.__shown = (text) => new Promise((resolve) => waiters.set(text, resolve));
  window.addEventListener('click', () => (window.__clickAt = performance.timeOrigin + performance.now()), { capture: true });
}`;

/** One message through the bare pages: the click on the sender's button → the paragraph in the receiver's list (ms). */
async function oneBareMessage(sender: Page, receiver: Page, text: string): Promise<number> {
  await sender.evaluate(`window.__uiText = ${JSON.stringify(text)}`);
  const shown = receiver.evaluate(`window.__shown(${JSON.stringify(text)})`) as Promise<number>;
  await sender.click('#ui-send');
  const shownAt = await shown;
  const clickAt = (await sender.evaluate('window.__clickAt')) as number;
  return shownAt - clickAt;
}

/** One message from Alice's Send to Bruno's log, split from the two pages' notes. */
async function oneMessage(alice: Page, bruno: Page, text: string): Promise<Sample> {
  await alice.getByRole('textbox', { name: 'Message' }).fill(text);
  // The typing record that filling the box sends goes first: only Send's record is timed.
  await new Promise((resolve) => setTimeout(resolve, 100));
  await Promise.all([takeLog(alice), takeLog(bruno)]);
  const shown = bruno.evaluate(`window.__shown(${JSON.stringify(text)})`) as Promise<{ at: number; frameAt: number }>;
  await alice.getByRole('button', { name: 'Send' }).click();
  const { at: shownAt, frameAt } = await shown;
  const [a, b] = await Promise.all([takeLog(alice), takeLog(bruno)]);
  const clickAt = a.clicks[0]!;
  const sealCalls = a.crypto.filter((c) => (c.name === 'encrypt' || c.name === 'sign') && c.start >= clickAt).sort((x, y) => x.start - y.start);
  const sentAt = a.sends.find((at) => at >= clickAt)!;
  const receivedAt = b.receives.find((at) => at >= sentAt - 1) ?? b.receives[0]!;
  const openCalls = b.crypto.filter((c) => (c.name === 'verify' || c.name === 'decrypt') && c.start >= receivedAt && c.end <= shownAt);
  const sealStart = sealCalls[0]?.start ?? sentAt;
  const openEnd = Math.max(receivedAt, ...openCalls.map((c) => c.end));
  const duration = (calls: { start: number; end: number }[]) => calls.reduce((sum, c) => sum + (c.end - c.start), 0);
  return {
    segments: { click: sealStart - clickAt, seal: sentAt - sealStart, channel: receivedAt - sentAt, open: openEnd - receivedAt, render: shownAt - openEnd },
    total: shownAt - clickAt,
    toFrame: frameAt - shownAt,
    sealCrypto: duration(sealCalls.filter((c) => c.end <= sentAt)),
    openCrypto: duration(openCalls),
  };
}

export async function runUiPath(browser: Browser, options: { appUrl: string; pagesUrl: string; wsUrl: string; log: (line: string) => void; samples: number }): Promise<UiPathResults> {
  const contexts: BrowserContext[] = [];
  const { alice, bruno, close } = await appConversation(browser, options.appUrl, HOOKS);
  try {
    await bruno.page.evaluate(`(${SHOWN_WATCH})()`);
    const raw = await connectPair(browser, options, 'raw', contexts);
    await Promise.all([call(raw.sender, 'uiEcho', 'p'), call(raw.receiver, 'uiEcho', 'p')]);
    await Promise.all([raw.sender.evaluate(`(${BARE_SHOWN_WATCH})()`), raw.receiver.evaluate(`(${BARE_SHOWN_WATCH})()`)]);
    const bare: number[] = [];
    for (let i = 0; i < 3; i++) await oneBareMessage(raw.sender, raw.receiver, `warm-up ${i}`);
    const samples: Sample[] = [];
    const rawRoundTrips: number[] = [];
    const probes: { seal: number; open: number }[] = [];
    for (let i = 0; i < 3; i++) await oneMessage(alice.page, bruno.page, `warm-up ${i}`);
    const rounds = 5;
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < Math.ceil(options.samples / rounds); i++) samples.push(await oneMessage(alice.page, bruno.page, `path ${round}.${i}`));
      rawRoundTrips.push(...(await call(raw.sender, 'roundTrips', 'p', 100, 20, 200, 15_000)));
      for (let i = 0; i < Math.ceil(options.samples / rounds); i++) bare.push(await oneBareMessage(raw.sender, raw.receiver, `bare ${round}.${i}`));
      probes.push((await alice.page.evaluate(`(${SEAL_OPEN_PROBE})(200)`)) as { seal: number; open: number });
    }
    // With BENCH_PROFILE_DIR: CPU profiles of both app pages over 20 more (app-ui-path-sender/receiver.cpuprofile).
    if (process.env.BENCH_PROFILE_DIR) {
      await profiled({ name: 'app', sender: alice.page, receiver: bruno.page }, 'ui-path', async () => {
        for (let i = 0; i < 20; i++) await oneMessage(alice.page, bruno.page, `profiled ${i}`);
      });
    }
    const pick = (f: (s: Sample) => number) => summarize(samples.map(f));
    const bound = {
      rawOneWayMs: summarize(rawRoundTrips.map((ms) => ms / 2)),
      sealMs: summarize(probes.map((probe) => probe.seal)),
      openMs: summarize(probes.map((probe) => probe.open)),
      pathSealCryptoMs: pick((s) => s.sealCrypto),
      pathOpenCryptoMs: pick((s) => s.openCrypto),
    };
    const result: UiPathResults = {
      totalMs: pick((s) => s.total),
      segmentsMs: Object.fromEntries(UI_PATH_SEGMENTS.map((segment) => [segment, pick((s) => s.segments[segment])])) as Record<UiPathSegment, Summary>,
      toFrameMs: pick((s) => s.toFrame),
      bound,
      lowerBoundMs: bound.rawOneWayMs.median + bound.sealMs.median + bound.openMs.median,
      bareUiMs: summarize(bare),
    };
    options.log(
      `  Send → peer's log p50 ${result.totalMs.median.toFixed(2)} ms (${UI_PATH_SEGMENTS.map((s) => `${s} ${result.segmentsMs[s].median.toFixed(2)}`).join(', ')}); ` +
        `lower bound ${result.lowerBoundMs.toFixed(2)} ms (raw one-way ${bound.rawOneWayMs.median.toFixed(2)}, seal ${bound.sealMs.median.toFixed(3)}, open ${bound.openMs.median.toFixed(3)}; on the path ${bound.pathSealCryptoMs.median.toFixed(2)} and ${bound.pathOpenCryptoMs.median.toFixed(2)}); bare pages ${result.bareUiMs!.median.toFixed(2)} ms`,
    );
    return result;
  } finally {
    await close();
    for (const context of contexts) await context.close().catch(() => {});
  }
}

