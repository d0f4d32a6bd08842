/**
 * A long conversation through the real app (#20): does a message cost the same at
 * 10,000 as at 10? Two conversations, each of two people in Chromium contexts of their
 * own who met through the app's lobby: a long one, which Alice fills with `messages`
 * messages, and a fresh one of 10 messages. Every message goes through Alice's composer
 * (the Message box and Enter, driven inside her page: tests/e2e/composer-in-page.ts);
 * Bruno's log receives it. Once the long one is full, the two are measured in
 * alternation, a few messages at a time, so that other work on the machine hits both
 * alike (as the rest of the bench alternates baseline and Duet):
 *
 * - one-way latency, from the text going into Alice's box to its list item being in
 *   Bruno's log (a MutationObserver there; both clocks are the machine's), one message
 *   at a time;
 * - time per message on Alice's side (box filled → message sent and the box empty).
 *
 * Also: the long conversation's first 100 and last 100 messages as it was filled (the
 * same thing, not alternated, so more exposed to other load), and the JavaScript heap of
 * each of its pages after a garbage collection, empty and after every message.
 */
import type { Browser, BrowserContext, CDPSession, Page } from '@playwright/test';
import { sendThroughComposer } from '../../tests/e2e/composer-in-page.ts';
import { type Summary, median, summarize } from './stats.ts';

export interface LongChatResults {
  messages: number;
  latencySamples: number;
  /** One-way latency in the fresh conversation (10 messages) and in the long one (`messages`), alternated. */
  latencyMs: { fresh: Summary; long: Summary };
  /**
   * Alice's time per message through the composer: fresh and long alternated as above,
   * and the first 100 and the last 100 as the long conversation was filled.
   */
  perMessageMs: { fresh: Summary; long: Summary; first100: Summary; last100: Summary };
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

/** Two people in a conversation through the app's lobby, Bruno's log watched for arrivals. */
async function conversation(browser: Browser, appUrl: string, contexts: BrowserContext[]): Promise<{ alice: Page; bruno: Page }> {
  // As the other app runs (browser-bench.ts newPage); tall enough that the whole chat shows.
  const contextOptions = { permissions: ['camera', 'microphone'], viewport: { width: 1280, height: 1000 } };
  const pages: Page[] = [];
  for (let i = 0; i < 2; i++) {
    const context = await browser.newContext(contextOptions);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`  page error: ${error.message}`));
    pages.push(page);
  }
  const [alice, bruno] = pages as [Page, Page];
  await Promise.all([alice.goto(appUrl), bruno.goto(appUrl)]);
  await alice.getByRole('textbox', { name: 'Your name' }).fill('Alice');
  await bruno.getByRole('textbox', { name: 'Your name' }).fill('Bruno');
  await alice.getByRole('button', { name: 'Create room' }).click();
  const link = (await alice.getByRole('link', { name: 'Room link' }).textContent()) ?? '';
  await bruno.getByRole('textbox', { name: 'Room code' }).fill(link);
  await bruno.getByRole('button', { name: 'Join' }).click();
  await bruno.getByText('Secure: end-to-end encrypted with Alice').waitFor();
  await alice.getByText('Secure: end-to-end encrypted with Bruno').waitFor();
  await bruno.evaluate(`(${ARRIVALS_SCRIPT})()`);
  await sendThroughComposer(alice, { prefix: 'warm-up', first: 0, count: 10 });
  return { alice, bruno };
}

/** Rounds of alternation between the fresh and the long conversation. */
const ROUNDS = 5;

export async function runLongChat(browser: Browser, options: LongChatOptions): Promise<LongChatResults> {
  const { log } = options;
  const contexts: BrowserContext[] = [];
  try {
    const long = await conversation(browser, options.appUrl, contexts);
    const fresh = await conversation(browser, options.appUrl, contexts);
    const [aliceCdp, brunoCdp] = await Promise.all([long.alice.context().newCDPSession(long.alice), long.bruno.context().newCDPSession(long.bruno)]);
    const empty = { sender: await heapAfterGc(aliceCdp), receiver: await heapAfterGc(brunoCdp) };

    const started = performance.now();
    const filling: number[] = [];
    const fill = options.messages - 10;
    for (let first = 0; first < fill; first += 1000) {
      const run = await sendThroughComposer(long.alice, { prefix: 'fill', first, count: Math.min(1000, fill - first) });
      filling.push(...run.ms);
      log(`  ${first + run.ms.length + 10} messages; these took ${median(run.ms).toFixed(2)} ms each (median)`);
    }
    const fillSeconds = (performance.now() - started) / 1000;
    await long.bruno.evaluate(`window.__arrival(${JSON.stringify(`fill ${fill - 1}`)})`);

    const latency = { fresh: [] as number[], long: [] as number[] };
    const perMessage = { fresh: [] as number[], long: [] as number[] };
    const perRound = Math.ceil(options.latencySamples / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, pair] of [['fresh', fresh], ['long', long]] as const) {
        latency[name].push(...(await oneWay(pair.alice, pair.bruno, `latency ${round}`, perRound)));
        perMessage[name].push(...(await sendThroughComposer(pair.alice, { prefix: `timed ${round}`, first: 0, count: perRound })).ms);
      }
    }
    log(`  one-way p50: ${median(latency.fresh).toFixed(2)} ms after 10 messages, ${median(latency.long).toFixed(2)} ms after ${options.messages}`);
    log(`  per message through the composer: ${median(perMessage.fresh).toFixed(2)} ms after 10, ${median(perMessage.long).toFixed(2)} ms after ${options.messages}`);
    const after = { sender: await heapAfterGc(aliceCdp), receiver: await heapAfterGc(brunoCdp) };
    return {
      messages: options.messages,
      latencySamples: latency.long.length,
      latencyMs: { fresh: summarize(latency.fresh), long: summarize(latency.long) },
      perMessageMs: {
        fresh: summarize(perMessage.fresh),
        long: summarize(perMessage.long),
        first100: summarize(filling.slice(0, 100)),
        last100: summarize(filling.slice(-100)),
      },
      heapBytes: { sender: { empty: empty.sender, long: after.sender }, receiver: { empty: empty.receiver, long: after.receiver } },
      renderedItems: { sender: await renderedItems(long.alice), receiver: await renderedItems(long.bruno) },
      fillSeconds,
    };
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
  }
}
