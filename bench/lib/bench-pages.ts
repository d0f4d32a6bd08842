/**
 * The bench pages (bench/pages: the raw data channel and Duet's own modules) driven from
 * the harness: calling their measurement functions, and connecting a pair of them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import type { DuetBench } from '../pages/duet.ts';
import type { RawBench } from '../pages/raw.ts';
import { newPage } from './app-pages.ts';
import type { PipeName } from './browser-bench.ts';

type BenchApi = RawBench & DuetBench;
type Method = 'enter' | 'opened' | 'roundTrips' | 'flow' | 'rsaKeygen' | 'cryptoThroughput' | 'uiEcho' | 'close';

/**
 * Calls window.__bench[method](...args) in the page. page.evaluate sends the function
 * as source, so it cannot close over anything: the method name and arguments go along.
 */
export async function call<M extends Method>(page: Page, method: M, ...args: Parameters<BenchApi[M]>): Promise<Awaited<ReturnType<BenchApi[M]>>> {
  return page.evaluate(
    ([m, a]) => {
      const bench = (window as unknown as { __bench: Record<string, (...x: unknown[]) => unknown> }).__bench;
      return bench[m]!(...a) as never;
    },
    [method, args as unknown[]] as const,
  ) as Promise<Awaited<ReturnType<BenchApi[M]>>>;
}

export function randomBase64Url(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');
}

export interface PipePair {
  name: PipeName;
  /** Measures (it sends); the other page only answers. */
  sender: Page;
  receiver: Page;
}

/**
 * With BENCH_PROFILE_DIR set, CPU profiles (Chrome DevTools protocol, both pages) of
 * one bulk run per pipe and size are written there, to open in DevTools: how the
 * findings about where time goes were made.
 */
export async function profiled<T>(pair: Pick<PipePair, 'sender' | 'receiver'> & { name: string }, label: string, run: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return run();
  const sessions = await Promise.all([pair.sender, pair.receiver].map((page) => page.context().newCDPSession(page)));
  for (const session of sessions) {
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: 50 });
    await session.send('Profiler.start');
  }
  try {
    return await run();
  } finally {
    mkdirSync(dir, { recursive: true });
    const [sent, received] = await Promise.all(sessions.map((session) => session.send('Profiler.stop')));
    writeFileSync(path.join(dir, `${pair.name}-${label}-sender.cpuprofile`), JSON.stringify(sent!.profile));
    writeFileSync(path.join(dir, `${pair.name}-${label}-receiver.cpuprofile`), JSON.stringify(received!.profile));
    await Promise.all(sessions.map((session) => session.detach()));
  }
}

/** Connects a pair of bench pages in contexts of their own: a raw data channel, or Duet's secure channel in one of its two modes. */
export async function connectPair(browser: Browser, options: { pagesUrl: string; wsUrl: string }, name: PipeName, contexts: BrowserContext[]): Promise<PipePair> {
  const host = await newPage(browser);
  const guest = await newPage(browser);
  contexts.push(host.context, guest.context);
  const page = `${options.pagesUrl}/${name === 'raw' ? 'raw.html' : 'duet.html'}`;
  await Promise.all([host.page.goto(page), guest.page.goto(page)]);
  // The raw page takes a room id; the Duet page a room secret, from which it derives the id and PSK as the app does.
  const room = name === 'raw' ? randomBase64Url(16) : randomBase64Url(32);
  const mode = name === 'raw' ? 'chat' : name;
  await call(host.page, 'enter', 'p', 'host', room, options.wsUrl, mode);
  await call(guest.page, 'enter', 'p', 'guest', room, options.wsUrl, mode);
  await Promise.all([call(host.page, 'opened', 'p'), call(guest.page, 'opened', 'p')]);
  return { name, sender: host.page, receiver: guest.page };
}

