/**
 * Bytes on the wire for a first and a second visit (#20): what the app's page and its
 * service worker fetch, served by the real server (sirv, signaling/static-site.ts).
 *
 * A fresh browser context opens the app and waits until the lobby shows and the service
 * worker is active (it caches the app shell as it installs: part of what a first visit
 * costs); a second page in the same context is the second visit, with the browser's
 * cache and the service worker. Every request that reached the network (Playwright sees
 * the service worker's too) is then made again from Node against the same server, with
 * the browser's own request headers (its If-None-Match on the second visit) but
 * `Accept-Encoding: br`, and the bytes the server sent on the socket are counted, headers
 * included: the figure does not depend on what a browser asks for over plain HTTP on
 * loopback. What this browser received (Playwright's sizes) is kept as context.
 */
import http from 'node:http';
import type { Browser, BrowserContext, Page, Request } from '@playwright/test';

export interface FetchedFile {
  path: string;
  status: number;
  /** Made by the service worker (its install, or a fetch it passed on). */
  byServiceWorker: boolean;
  /** Bytes the server sends for this request with Accept-Encoding: br, headers included. */
  brBytes: number;
  /** What this browser received (encoded body + headers), as it asked. */
  browserBytes: number;
  contentEncoding: string;
}

export interface VisitBytes {
  files: FetchedFile[];
  brBytes: number;
  browserBytes: number;
}

export interface FirstVisitResults {
  first: VisitBytes;
  second: VisitBytes;
  /**
   * A first visit through a secure chat: what each person's page and service worker
   * fetched from opening the app until the conversation was secure (files over HTTP;
   * the signaling messages on the WebSocket are not counted). Absent in results from
   * before it was measured.
   */
  throughChat?: { host: VisitBytes; guest: VisitBytes };
}

interface Seen {
  request: Request;
  byServiceWorker: boolean;
}

/** Makes `seen`'s request again from Node with Accept-Encoding: br; resolves with its status and every byte the server sent. */
async function replay(seen: Seen): Promise<{ status: number; bytes: number; encoding: string }> {
  const headers = await seen.request.allHeaders();
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (!name.startsWith(':')) sent[name] = value;
  sent['accept-encoding'] = 'br';
  sent.connection = 'close';
  return new Promise((resolve, reject) => {
    const request = http.request(seen.request.url(), { method: 'GET', headers: sent, agent: false }, (response) => {
      response.resume();
      response.on('end', () => {
        const socket = response.socket;
        // bytesRead once the server closed: the status line, headers and body as sent.
        const done = () => resolve({ status: response.statusCode ?? 0, bytes: socket.bytesRead, encoding: String(response.headers['content-encoding'] ?? '') });
        if (socket.destroyed) done();
        else socket.once('close', done);
      });
    });
    request.on('error', reject);
    request.end();
  });
}

async function measureVisit(requests: Seen[]): Promise<VisitBytes> {
  const files: FetchedFile[] = [];
  for (const seen of requests) {
    const response = await seen.request.response();
    // Served by the service worker from its cache, or by the browser's memory cache: nothing on the wire.
    if (!response || response.fromServiceWorker() || seen.request.url().startsWith('data:')) continue;
    const sizes = await seen.request.sizes();
    // Nothing received: the browser's own HTTP cache answered (the worker caching a file the page had just loaded).
    if (sizes.responseHeadersSize + sizes.responseBodySize === 0) continue;
    const again = await replay(seen);
    files.push({
      path: new URL(seen.request.url()).pathname,
      status: again.status,
      byServiceWorker: seen.byServiceWorker,
      brBytes: again.bytes,
      browserBytes: sizes.responseBodySize + sizes.responseHeadersSize,
      contentEncoding: again.encoding,
    });
  }
  return { files, brBytes: files.reduce((sum, file) => sum + file.brBytes, 0), browserBytes: files.reduce((sum, file) => sum + file.browserBytes, 0) };
}

/** Loads the app in a new page of `context`, waits for the lobby, the service worker and a quiet network, and measures what reached the network. */
async function visit(context: BrowserContext, appUrl: string): Promise<VisitBytes> {
  const requests = recordRequests(context);
  const page = await context.newPage();
  try {
    await page.goto(appUrl);
    await page.getByRole('textbox', { name: 'Your name' }).waitFor();
    await quiet(page);
    requests.stop();
    return await measureVisit(requests.seen);
  } finally {
    requests.stop();
    await page.close();
  }
}

/** Every request `context` makes from now until `stop()` (the service worker's too). */
function recordRequests(context: BrowserContext): { seen: Seen[]; stop: () => void } {
  const seen: Seen[] = [];
  const onRequest = (request: Request) => seen.push({ request, byServiceWorker: request.serviceWorker() !== null });
  context.on('request', onRequest);
  return { seen, stop: () => context.off('request', onRequest) };
}

/** Waits until `page`'s service worker is active and the network is quiet. */
async function quiet(page: Page): Promise<void> {
  await page.evaluate('navigator.serviceWorker.ready.then(() => undefined)');
  await page.waitForLoadState('networkidle');
  // The shell cache fills while the worker installs: give stragglers a moment.
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

/**
 * Two people on their first visit, each in a fresh context: Alice opens the app, waits
 * in the lobby as the first visit does, and creates a room; Bruno opens her link (the
 * link opens the join flow) and joins. Each one's requests are counted until both
 * are secure and their networks are quiet.
 */
async function chatVisit(browser: Browser, appUrl: string): Promise<{ host: VisitBytes; guest: VisitBytes }> {
  // The media permissions, as app-pages.ts gives them: without them Chromium hides host candidates behind mDNS names, which do not resolve here.
  const fresh = () => browser.newContext({ serviceWorkers: 'allow', permissions: ['camera', 'microphone'] });
  const contexts = [await fresh(), await fresh()] as const;
  try {
    const [host, guest] = contexts.map(recordRequests) as [ReturnType<typeof recordRequests>, ReturnType<typeof recordRequests>];
    const alice = await contexts[0].newPage();
    await alice.goto(appUrl);
    await alice.getByRole('textbox', { name: 'Your name' }).fill('Alice');
    await quiet(alice);
    await alice.getByRole('button', { name: 'Create room' }).click();
    const link = (await alice.getByRole('link', { name: 'Room link' }).textContent()) ?? '';
    const bruno = await contexts[1].newPage();
    await bruno.goto(link);
    await bruno.getByRole('textbox', { name: 'Your name' }).fill('Bruno');
    await bruno.getByRole('button', { name: 'Join' }).click();
    await Promise.all([alice.getByText('Secure: end-to-end encrypted with Bruno').waitFor(), bruno.getByText('Secure: end-to-end encrypted with Alice').waitFor()]);
    await Promise.all([quiet(alice), quiet(bruno)]);
    host.stop();
    guest.stop();
    return { host: await measureVisit(host.seen), guest: await measureVisit(guest.seen) };
  } finally {
    for (const context of contexts) await context.close();
  }
}

export async function runFirstVisit(browser: Browser, appUrl: string, log: (line: string) => void): Promise<FirstVisitResults> {
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  try {
    const first = await visit(context, appUrl);
    const second = await visit(context, appUrl);
    log(`  first visit ${(first.brBytes / 1000).toFixed(1)} kB with br (${first.files.length} requests; this browser got ${(first.browserBytes / 1000).toFixed(1)} kB), second ${(second.brBytes / 1000).toFixed(2)} kB (${second.files.length} requests)`);
    const throughChat = await chatVisit(browser, appUrl);
    log(`  first visit through a secure chat: ${(throughChat.host.brBytes / 1000).toFixed(1)} kB for the one who creates the room (${throughChat.host.files.length} requests), ${(throughChat.guest.brBytes / 1000).toFixed(1)} kB for the one who joins by the link (${throughChat.guest.files.length})`);
    return { first, second, throughChat };
  } finally {
    await context.close();
  }
}
