/**
 * A long conversation through the real app (#20): does a message cost the same at
 * 10,000 as at 10? Alice and Bruno, each in a Chromium context of their own, meet through
 * the app's lobby; Alice then sends every message through her composer (the Message box
 * and Enter, driven inside her page: tests/e2e/composer-in-page.ts), Bruno's log receives
 * them. Measured:
 *
 * - one-way latency, from the text going into Alice's box to its list item being in
 *   Bruno's log (a MutationObserver there; both clocks are the machine's), sampled one
 *   message at a time near the start and again after all messages;
 * - time per message on Alice's side (box filled → message sent and the box empty),
 *   the first 100 against the last 100;
 * - the JavaScript heap of each page after a garbage collection, in the empty
 *   conversation and after all messages.
 */
import type { Browser, CDPSession, Page } from '@playwright/test';
import { sendThroughComposer } from '../../tests/e2e/composer-in-page.ts';
import { type Summary, median, summarize } from './stats.ts';

export interface LongChatResults {
  messages: number;
  latencySamples: number;
  /** One-way latency after ~10 messages and after `messages`. */
  latencyMs: { fresh: Summary; long: Summary };
  /** Alice's time per message through the composer: the first 100 and the last 100 of the fill. */
  perMessageMs: { first100: Summary; last100: Summary };
  /** JS heap after a garbage collection, bytes: in the empty conversation and after every message. */
  heapBytes: { sender: { empty: number; long: number }; receiver: { empty: number; long: number } };
  /** Items in each log after every message (the window the log renders). */
  renderedItems: { sender: number; receiver: number };
  fillSeconds: number;
}

export interface LongChatOptions {
  appUrl: string;
  messages: number;
  latencySamples: number;
  log: (line: string) => void;
}

/** Bruno's side: notes (epoch ms) when each message text first shows in his log. */
const ARRIVALS_SCRIPT = `() => {
  const inShadow = (host, selector) => host.shadowRoot.querySelector(selector);
  const list = inShadow(inShadow(inShadow(document.querySelector('duet-app'), 'duet-chat'), 'duet-message-list'), '.log');
  const arrivals = new Map();
  const waiters = new Map();
  new MutationObserver((records) => {
    const at = performance.timeOrigin + performance.now();
    for (const record of records) for (const node of record.addedNodes) {
      const text = node.querySelector && node.querySelector('p.text');
      if (!text || arrivals.has(text.textContent)) continue;
      arrivals.set(text.textContent, at);
      const wake = waiters.get(text.textContent);
      if (wake) { waiters.delete(text.textContent); wake(at); }
    }
  }).observe(list, { childList: true, subtree: true });
  window.__arrival = (text) => arrivals.has(text) ? Promise.resolve(arrivals.get(text)) : new Promise((resolve) => waiters.set(text, resolve));
}`;

async function heapAfterGc(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = await cdp.send('Runtime.getHeapUsage');
  return usage.usedSize;
}

function renderedItems(page: Page): Promise<number> {
  return page.getByRole('log').getByRole('listitem').count();
}

/** `samples` messages one at a time, each timed from Alice's box to Bruno's log. */
async function oneWay(alice: Page, bruno: Page, prefix: string, samples: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const arrived = bruno.evaluate(`window.__arrival(${JSON.stringify(`${prefix} ${i}`)})`) as Promise<number>;
    const run = await sendThroughComposer(alice, { prefix, first: i, count: 1 });
    times.push((await arrived) - run.startedAt[0]!);
  }
  return times;
}

export async function runLongChat(browser: Browser, options: LongChatOptions): Promise<LongChatResults> {
  const { log } = options;
  // As the other app runs (browser-bench.ts newPage); tall enough that the whole chat shows.
  const contextOptions = { permissions: ['camera', 'microphone'], viewport: { width: 1280, height: 1000 } };
  const contexts = await Promise.all([browser.newContext(contextOptions), browser.newContext(contextOptions)]);
  try {
    const [alice, bruno] = await Promise.all(contexts.map((context) => context.newPage()));
    for (const page of [alice!, bruno!]) page.on('pageerror', (error) => console.error(`  page error: ${error.message}`));
    await Promise.all([alice!.goto(options.appUrl), bruno!.goto(options.appUrl)]);
    await alice!.getByRole('textbox', { name: 'Your name' }).fill('Alice');
    await bruno!.getByRole('textbox', { name: 'Your name' }).fill('Bruno');
    await alice!.getByRole('button', { name: 'Create room' }).click();
    const link = (await alice!.getByRole('link', { name: 'Room link' }).textContent()) ?? '';
    await bruno!.getByRole('textbox', { name: 'Room code' }).fill(link);
    await bruno!.getByRole('button', { name: 'Join' }).click();
    await bruno!.getByText('Secure: end-to-end encrypted with Alice').waitFor();
    await alice!.getByText('Secure: end-to-end encrypted with Bruno').waitFor();
    await bruno!.evaluate(`(${ARRIVALS_SCRIPT})()`);
    const [aliceCdp, brunoCdp] = await Promise.all([alice!.context().newCDPSession(alice!), bruno!.context().newCDPSession(bruno!)]);
    const empty = { sender: await heapAfterGc(aliceCdp), receiver: await heapAfterGc(brunoCdp) };

    await sendThroughComposer(alice!, { prefix: 'warm-up', first: 0, count: 10 });
    const fresh = await oneWay(alice!, bruno!, 'fresh', options.latencySamples);
    log(`  after 10 messages: one-way p50 ${median(fresh).toFixed(2)} ms`);

    const started = performance.now();
    const perMessage: number[] = [];
    const fill = options.messages - 10 - options.latencySamples;
    for (let first = 0; first < fill; first += 1000) {
      const run = await sendThroughComposer(alice!, { prefix: 'fill', first, count: Math.min(1000, fill - first) });
      perMessage.push(...run.ms);
      log(`  ${first + run.ms.length + 10 + options.latencySamples} messages; the last 100 took ${median(run.ms.slice(-100)).toFixed(2)} ms each (median)`);
    }
    const fillSeconds = (performance.now() - started) / 1000;
    await bruno!.evaluate(`window.__arrival(${JSON.stringify(`fill ${fill - 1}`)})`);

    const long = await oneWay(alice!, bruno!, 'long', options.latencySamples);
    log(`  after ${options.messages} messages: one-way p50 ${median(long).toFixed(2)} ms`);
    const after = { sender: await heapAfterGc(aliceCdp), receiver: await heapAfterGc(brunoCdp) };
    return {
      messages: options.messages + options.latencySamples,
      latencySamples: options.latencySamples,
      latencyMs: { fresh: summarize(fresh), long: summarize(long) },
      perMessageMs: { first100: summarize(perMessage.slice(0, 100)), last100: summarize(perMessage.slice(-100)) },
      heapBytes: { sender: { empty: empty.sender, long: after.sender }, receiver: { empty: empty.receiver, long: after.receiver } },
      renderedItems: { sender: await renderedItems(alice!), receiver: await renderedItems(bruno!) },
      fillSeconds,
    };
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
  }
}
