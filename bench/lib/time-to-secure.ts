/**
 * Time to a secure conversation: the real app through its UI, as two people would, and
 * the raw data channel page opening, in the same way through the same server; and the
 * Duet bench page's setup split at the data channel's opening.
 */
import type { Browser, Page } from '@playwright/test';
import { CHANNEL_OPEN_HOOK, appLobbies, newPage, settle } from './app-pages.ts';
import { call, randomBase64Url } from './bench-pages.ts';

export interface TimeToSecureRun {
  /** From the first click (Create room) to both sides secure/open. */
  totalMs: number;
  /** The harness passing the link from one page to the other (reading it, typing it, clicking Join): not product time. */
  handoverMs: number;
  /** totalMs − handoverMs: the figure compared. */
  setupMs: number;
  /** From the guest's Join to both sides secure/open. */
  joinToReadyMs: number;
  /** Duet only: when each side's status line first showed each phase, ms after the guest's Join. */
  phasesAfterJoin?: { host: Record<string, number>; guest: Record<string, number> };
}

/** Duet's bench page with the real handshake (records mode): where the setup time goes. */
export interface SetupSplit {
  /** Guest enters the room → data channel open on both sides (WebRTC: offer, answer, ICE, DTLS, SCTP). */
  joinToChannelOpenMs: number;
  /** Channel open → secure, the slower side: simple-peer's connect, then HELLO, KEY, CONFIRM. */
  channelOpenToSecureMs: number;
  /** Of which: channel open → PeerLink's connect (the slower side), before the handshake starts. */
  channelOpenToConnectMs?: number;
}

interface Watch {
  /** When each status phase was first seen. */
  phases: Record<string, number>;
  clickAt?: number;
  waitingAt?: number;
  secureAt?: number;
  failed?: string;
}


/**
 * Runs in the app page: records (epoch ms) the first click, and when the status line
 * first showed each phase, from the User Timing marks the app's status line makes
 * (src/ui/duet-status.ts): `duet:waiting`, and `duet:peer-named` once it says secure
 * with the peer's name. Exact times, and nothing polling the page while it works:
 * `until(field)` is a promise the harness awaits (as it awaits the raw page's), since
 * polling, and the script Playwright compiles into a page for its first
 * waitForFunction, would take the page's main thread while it connects.
 * Plain JavaScript source, because tsx's transform would add helpers to a function
 * that do not exist in the page.
 */
const WATCH_SCRIPT = `() => {
  const watch = { phases: {} };
  const waiters = [];
  const wake = () => waiters.splice(0).forEach((check) => check());
  window.addEventListener('click', () => { watch.clickAt ??= performance.timeOrigin + performance.now(); wake(); }, { capture: true });
  const note = (entry) => {
    if (!entry.name.startsWith('duet:')) return;
    const at = performance.timeOrigin + entry.startTime;
    const phase = entry.name.slice('duet:'.length);
    watch.phases[phase] ??= at;
    if (phase === 'waiting') watch.waitingAt ??= at;
    if (phase === 'peer-named') watch.secureAt ??= at;
    if (phase === 'failed') watch.failed ??= 'the status line says the conversation failed';
    wake();
  };
  performance.getEntriesByType('mark').forEach(note);
  new PerformanceObserver((list) => list.getEntries().forEach(note)).observe({ type: 'mark' });
  window.__watch = watch;
  window.__until = (field) => new Promise((resolve) => {
    const check = () => {
      if (watch.failed !== undefined || watch[field] !== undefined) resolve({ value: watch[field], failed: watch.failed });
      else waiters.push(check);
    };
    check();
  });
}`;

function installWatch(page: Page): Promise<void> {
  return page.evaluate(`(${WATCH_SCRIPT})()`) as Promise<void>;
}

async function watched(page: Page, field: keyof Watch, timeoutMs = 30_000): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the app did not reach ${field} within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    const { value, failed } = (await Promise.race([page.evaluate(`window.__until(${JSON.stringify(field)})`), timeout])) as { value?: number; failed?: string };
    if (typeof value !== 'number') throw new Error(`the app failed: ${failed}`);
    return value;
  } finally {
    clearTimeout(timer);
  }
}


/** One conversation set up through the real app UI, as two people would. */
export async function duetTimeToSecure(browser: Browser, appUrl: string): Promise<TimeToSecureRun> {
  const { alice, bruno, close } = await appLobbies(browser, appUrl);
  try {
    // A person takes a moment to type a name: the RSA key, generated when the lobby
    // shows, is ready by then (its time is measured separately).
    await settle();
    await installWatch(alice.page);
    await installWatch(bruno.page);
    await alice.page.getByRole('button', { name: 'Create room' }).click();
    const waitingAt = await watched(alice.page, 'waitingAt');
    const link = (await alice.page.getByRole('link', { name: 'Room link' }).textContent()) ?? '';
    await bruno.page.getByRole('textbox', { name: 'Room code' }).fill(link);
    await bruno.page.getByRole('button', { name: 'Join' }).click();
    const [aliceSecure, brunoSecure] = await Promise.all([watched(alice.page, 'secureAt'), watched(bruno.page, 'secureAt')]);
    const clickAt = await watched(alice.page, 'clickAt');
    const joinAt = await watched(bruno.page, 'clickAt');
    const readyAt = Math.max(aliceSecure, brunoSecure);
    const handoverMs = joinAt - waitingAt;
    const phasesAfterJoin = async (page: Page) => {
      const phases = (await page.evaluate('window.__watch.phases')) as Record<string, number>;
      return Object.fromEntries(Object.entries(phases).map(([phase, at]) => [phase, Math.round(at - joinAt)]));
    };
    return {
      totalMs: readyAt - clickAt,
      handoverMs,
      setupMs: readyAt - clickAt - handoverMs,
      joinToReadyMs: readyAt - joinAt,
      phasesAfterJoin: { host: await phasesAfterJoin(alice.page), guest: await phasesAfterJoin(bruno.page) },
    };
  } finally {
    await close();
  }
}

/** The same through the raw page: create/join through the same server, then an offer, an answer and an open data channel. */
export async function rawTimeToOpen(browser: Browser, pagesUrl: string, wsUrl: string): Promise<TimeToSecureRun> {
  const host = await newPage(browser);
  const guest = await newPage(browser);
  try {
    await Promise.all([host.page.goto(`${pagesUrl}/raw.html`), guest.page.goto(`${pagesUrl}/raw.html`)]);
    await settle();
    const room = randomBase64Url(16);
    const hosted = await call(host.page, 'enter', 't', 'host', room, wsUrl, 'chat');
    const joined = await call(guest.page, 'enter', 't', 'guest', room, wsUrl, 'chat');
    const [hostOpen, guestOpen] = await Promise.all([call(host.page, 'opened', 't'), call(guest.page, 'opened', 't')]);
    const readyAt = Math.max(hostOpen, guestOpen);
    const handoverMs = joined.startedAt - hosted.inRoomAt;
    return {
      totalMs: readyAt - hosted.startedAt,
      handoverMs,
      setupMs: readyAt - hosted.startedAt - handoverMs,
      joinToReadyMs: readyAt - joined.startedAt,
    };
  } finally {
    await host.context.close();
    await guest.context.close();
  }
}

/** One connection of the Duet bench page (records mode, RSA key made beforehand), split at the data channel's opening. */
export async function duetSetupSplit(browser: Browser, pagesUrl: string, wsUrl: string): Promise<SetupSplit> {
  const host = await newPage(browser, CHANNEL_OPEN_HOOK);
  const guest = await newPage(browser, CHANNEL_OPEN_HOOK);
  try {
    await Promise.all([host.page.goto(`${pagesUrl}/duet.html`), guest.page.goto(`${pagesUrl}/duet.html`)]);
    await settle();
    const secret = randomBase64Url(32);
    await call(host.page, 'enter', 's', 'host', secret, wsUrl, 'records');
    const joined = await call(guest.page, 'enter', 's', 'guest', secret, wsUrl, 'records');
    const secured = await Promise.all([call(host.page, 'opened', 's'), call(guest.page, 'opened', 's')]);
    const opened = (await Promise.all([host.page.evaluate('window.__channelOpenAt'), guest.page.evaluate('window.__channelOpenAt')])) as number[];
    const connected = (await Promise.all([host.page.evaluate('window.__linkConnectAt'), guest.page.evaluate('window.__linkConnectAt')])) as number[];
    return {
      joinToChannelOpenMs: Math.max(...opened) - joined.startedAt,
      channelOpenToSecureMs: Math.max(secured[0] - opened[0]!, secured[1] - opened[1]!),
      channelOpenToConnectMs: Math.max(connected[0]! - opened[0]!, connected[1]! - opened[1]!),
    };
  } finally {
    await host.context.close();
    await guest.context.close();
  }
}
