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
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page } from '@playwright/test';
import { sendThroughComposer } from '../../tests/e2e/composer-in-page.ts';
import { type MainThreadUse, PageMetrics, addUse, scaleUse, subtractUse } from './page-metrics.ts';
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
  /**
   * Each page's main thread per message during the alternated rounds (one-way and
   * composer messages together), fresh and long (results from 2026-12-07 on).
   */
  mainThreadPerMessage?: Record<'fresh' | 'long', { sender: MainThreadUse; receiver: MainThreadUse }>;
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
interface Pair {
  alice: Page;
  bruno: Page;
}

async function conversation(browser: Browser, appUrl: string, contexts: BrowserContext[]): Promise<Pair> {
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

/** Rounds of alternation between the fresh and the long conversation: many short ones, so a burst of other load on the machine hits both alike. */
const ROUNDS = 20;

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
    const metrics = {
      fresh: { sender: await PageMetrics.of(fresh.alice), receiver: await PageMetrics.of(fresh.bruno) },
      long: { sender: await PageMetrics.of(long.alice), receiver: await PageMetrics.of(long.bruno) },
    };
    const used: Partial<Record<'fresh' | 'long', { sender?: MainThreadUse; receiver?: MainThreadUse }>> = {};
    const perRound = Math.ceil(options.latencySamples / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, pair] of [['fresh', fresh], ['long', long]] as const) {
        const [senderBefore, receiverBefore] = await Promise.all([metrics[name].sender.read(), metrics[name].receiver.read()]);
        latency[name].push(...(await oneWay(pair.alice, pair.bruno, `latency ${round}`, perRound)));
        perMessage[name].push(...(await sendThroughComposer(pair.alice, { prefix: `timed ${round}`, first: 0, count: perRound })).ms);
        const [senderAfter, receiverAfter] = await Promise.all([metrics[name].sender.read(), metrics[name].receiver.read()]);
        const side = (used[name] ??= {});
        side.sender = addUse(side.sender, subtractUse(senderAfter, senderBefore));
        side.receiver = addUse(side.receiver, subtractUse(receiverAfter, receiverBefore));
      }
    }
    const perMessageUse = (name: 'fresh' | 'long') => ({
      sender: scaleUse(used[name]!.sender!, 1 / (2 * perRound * ROUNDS)),
      receiver: scaleUse(used[name]!.receiver!, 1 / (2 * perRound * ROUNDS)),
    });
    const mainThreadPerMessage = { fresh: perMessageUse('fresh'), long: perMessageUse('long') };
    for (const name of ['fresh', 'long'] as const) {
      const { sender, receiver } = mainThreadPerMessage[name];
      log(`  ${name}, per message: sender ${describeUse(sender)}; receiver ${describeUse(receiver)}`);
    }
    if (process.env.BENCH_PROFILE_DIR) await profileBoth(process.env.BENCH_PROFILE_DIR, { fresh, long }, perRound);
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
      mainThreadPerMessage,
    };
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
  }
}

function describeUse(use: MainThreadUse): string {
  return `tasks ${use.taskMs.toFixed(2)} ms (script ${use.scriptMs.toFixed(2)}, style ${use.recalcStyleMs.toFixed(2)} in ${use.styleRecalcs.toFixed(1)}, layout ${use.layoutMs.toFixed(2)} in ${use.layouts.toFixed(1)})`;
}

/**
 * With BENCH_PROFILE_DIR set: CPU profiles of both pages of each conversation while
 * `count` messages go one way and `count` through the composer, to open in DevTools or
 * compare (which functions take longer in the long conversation).
 */
async function profileBoth(dir: string, pairs: Record<'fresh' | 'long', Pair>, count: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const [name, pair] of Object.entries(pairs)) {
    const sessions = await Promise.all([pair.alice, pair.bruno].map((page) => page.context().newCDPSession(page)));
    for (const session of sessions) {
      await session.send('Profiler.enable');
      await session.send('Profiler.setSamplingInterval', { interval: 50 });
      await session.send('Profiler.start');
    }
    await oneWay(pair.alice, pair.bruno, 'profiled', count);
    await sendThroughComposer(pair.alice, { prefix: 'profiled composer', first: 0, count });
    const [sent, received] = await Promise.all(sessions.map((session) => session.send('Profiler.stop')));
    writeFileSync(path.join(dir, `long-chat-${name}-sender.cpuprofile`), JSON.stringify(sent!.profile));
    writeFileSync(path.join(dir, `long-chat-${name}-receiver.cpuprofile`), JSON.stringify(received!.profile));
    await Promise.all(sessions.map((session) => session.detach()));
  }
}
