/**
 * Duet behind a real nginx configured by deploy/nginx.conf (TLS with a self-signed
 * certificate, WebSocket upgrade on /ws, X-Forwarded-For), the server started as an
 * operator would (signaling/main.ts with HOST=127.0.0.1, TRUST_PROXY=127.0.0.1).
 *
 * Distinct client addresses are real ones: every address in 127.0.0.0/8 is loopback on
 * Linux, so each client binds its own source address (127.0.0.10, …) and nginx appends the
 * address it saw, exactly as on a public server where nginx is the first hop. No test
 * asks nginx to believe a header (no realip module): what a client writes in
 * X-Forwarded-For is only ever the spoof being tested.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type Browser, expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { DEFAULT_LIMITS } from '../../signaling/limits.ts';
import { freePort } from '../unit/helpers/redis-server.ts';
import { type Nginx, skipWithoutNginx, startNginx } from './nginx.ts';
import { connectionStatus, expectSecure, send } from './users.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The server's default MAX_CONNECTIONS_PER_IP, set explicitly so the test says what it checks. */
const CAP = 20;

test.describe.configure({ mode: 'serial' });
test.skip(skipWithoutNginx(), 'nginx is not installed');

let nginx: Nginx;
let duet: { port: number; process: ChildProcess; logLines: () => Record<string, unknown>[] };

async function startDuet(port: number, allowedOrigin: string): Promise<typeof duet> {
  const child = spawn(`${ROOT}node_modules/.bin/tsx`, ['signaling/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      TRUST_PROXY: '127.0.0.1',
      ALLOWED_ORIGINS: allowedOrigin,
      MAX_CONNECTIONS_PER_IP: String(CAP),
      LOG_IPS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Whole lines only: the last piece may be a line still arriving.
  const logLines = () =>
    output
      .split('\n')
      .slice(0, -1)
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  await expect.poll(() => (child.exitCode === null ? logLines().some((line) => line.event === 'listening') : output), { timeout: 20_000 }).toBe(true);
  return { port, process: child, logLines };
}

test.beforeAll(async () => {
  const appPort = await freePort();
  nginx = await startNginx(appPort);
  duet = await startDuet(appPort, nginx.origin);
});

test.afterAll(async () => {
  if (duet?.process.exitCode === null) {
    duet.process.kill('SIGINT');
    await once(duet.process, 'exit');
  }
  await nginx?.stop();
});

const sockets: WebSocket[] = [];
test.afterEach(() => {
  for (const socket of sockets.splice(0)) socket.terminate();
});

/** Opens a WebSocket from `from` (a loopback source address); resolves with 'open', or with the HTTP status that refused it. */
function openSocket(url: string, from: string, forwardedFor?: string): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      localAddress: from,
      origin: nginx.origin,
      ca: nginx.certificate,
      headers: forwardedFor === undefined ? {} : { 'X-Forwarded-For': forwardedFor },
    });
    sockets.push(socket);
    socket.once('open', () => resolve('open'));
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', reject);
  });
}

const throughProxy = () => `wss://127.0.0.1:${nginx.httpsPort}/ws`;
const throughProxyIpv6 = () => `wss://[::1]:${nginx.httpsPort}/ws`;
const direct = () => `ws://127.0.0.1:${duet.port}/ws`;

/** The server's log lines refusing `address` for its cap, as they arrive through its stdout pipe. */
function expectRefusalsLogged(address: string, count: number): Promise<void> {
  const refusals = () => duet.logLines().filter((line) => line.reason === 'connections-per-ip' && line.address === address).length;
  return expect.poll(refusals).toBe(count);
}

async function personAt(browser: Browser) {
  // The certificate is self-signed: this browser is told to accept it, as a person would click through.
  const context = await browser.newContext({ baseURL: nginx.origin, ignoreHTTPSErrors: true, serviceWorkers: 'block' });
  const page = await context.newPage();
  const sockets: string[] = [];
  page.on('websocket', (socket) => sockets.push(socket.url()));
  return { context, page, dialogs: [] as string[], sockets };
}

test('two people chat through nginx over https:// and wss://', async ({ browser }) => {
  const alice = await personAt(browser);
  const bruno = await personAt(browser);
  await alice.page.goto('/');
  await alice.page.getByRole('textbox', { name: 'Your name' }).fill('Alice');
  await alice.page.getByRole('button', { name: 'Create room' }).click();
  await expect(connectionStatus(alice.page)).toContainText('Waiting for your peer');
  const link = (await alice.page.getByRole('link', { name: 'Room link' }).textContent()) ?? '';
  expect(link.startsWith(`${nginx.origin}/#`)).toBe(true);

  await bruno.page.goto(link);
  await bruno.page.getByRole('textbox', { name: 'Your name' }).fill('Bruno');
  await bruno.page.getByRole('button', { name: 'Join' }).click();
  const [codeA, codeB] = await Promise.all([expectSecure(alice, 'Bruno'), expectSecure(bruno, 'Alice')]);
  expect(codeA).toBe(codeB);
  await send(alice, 'Hello through the proxy');
  await expect(bruno.page.getByRole('log')).toContainText('Hello through the proxy');
  await send(bruno, 'Received, over TLS');
  await expect(alice.page.getByRole('log')).toContainText('Received, over TLS');

  // Every socket a page opened (the lobby's server-info question, then the room's) went through nginx.
  for (const person of [alice, bruno]) {
    expect(person.sockets.length).toBeGreaterThan(0);
    expect(new Set(person.sockets)).toEqual(new Set([throughProxy()]));
  }
  await alice.context.close();
  await bruno.context.close();
});

test(`30 people from distinct addresses behind the proxy all connect while the cap is ${CAP}`, async () => {
  const addresses = Array.from({ length: 30 }, (_, i) => `127.0.0.${10 + i}`);
  const opened = await Promise.all(addresses.map((from) => openSocket(throughProxy(), from)));
  expect(opened).toEqual(addresses.map(() => 'open'));
});

test('one address past the cap is refused through the proxy, whatever it writes in X-Forwarded-For', async () => {
  // Over IPv6 too: nginx appends ::1, the address this client connects from.
  const spoofs = Array.from({ length: CAP + 1 }, (_, i) => `198.51.100.${i + 1}`);
  const opened: ('open' | number)[] = [];
  for (const spoof of spoofs) opened.push(await openSocket(throughProxyIpv6(), '::1', spoof));
  expect(opened).toEqual([...Array<'open'>(CAP).fill('open'), 429]);
  await expectRefusalsLogged('::1', 1);
  // Another person's address is unaffected.
  expect(await openSocket(throughProxy(), '127.0.0.99')).toBe('open');
});

test('a forged X-Forwarded-For sent to the server directly changes nothing', async () => {
  // Fill 127.0.0.60's allowance through the proxy.
  for (let i = 0; i < CAP; i++) expect(await openSocket(throughProxy(), '127.0.0.60')).toBe('open');
  expect(await openSocket(throughProxy(), '127.0.0.60')).toBe(429);
  // Straight to the server from 127.0.0.70, not a trusted proxy: its forged headers are ignored.
  // Claiming to be the full 127.0.0.60 neither refuses it nor counts against 127.0.0.60 …
  expect(await openSocket(direct(), '127.0.0.70', '127.0.0.60')).toBe('open');
  // … and claiming a new address each time does not lift its own cap.
  const opened: ('open' | number)[] = [];
  for (let i = 1; i < CAP + 1; i++) opened.push(await openSocket(direct(), '127.0.0.70', `203.0.113.${i}, 127.0.0.1`));
  expect(opened).toEqual([...Array<'open'>(CAP - 1).fill('open'), 429]);
  await expectRefusalsLogged('127.0.0.70', 1);
  await expectRefusalsLogged('127.0.0.60', 1);
});

test('the deployed config redirects HTTP to HTTPS, keeps /metrics private and outlasts the heartbeat', async ({ playwright }) => {
  const api = await playwright.request.newContext({ ignoreHTTPSErrors: true });
  const redirect = await api.get(`http://127.0.0.1:${nginx.httpPort}/some/path?x=1`, { maxRedirects: 0 });
  expect(redirect.status()).toBe(301);
  expect(redirect.headers().location).toBe('https://127.0.0.1/some/path?x=1');
  const health = await api.get(`${nginx.origin}/healthz`);
  expect(health.status()).toBe(200);
  expect(health.headers()['strict-transport-security']).toBe('max-age=63072000');
  expect((await api.get(`${nginx.origin}/metrics`)).status()).toBe(404);
  expect((await api.get(`http://127.0.0.1:${duet.port}/metrics`)).status()).toBe(200);
  await api.dispose();
  // A quiet socket hears the server's ping every HEARTBEAT_MS; nginx must wait longer than that.
  const readTimeout = /location = \/ws \{[^}]*proxy_read_timeout (\d+)s;/.exec(nginx.site)?.[1];
  expect(Number(readTimeout) * 1000).toBeGreaterThan(2 * DEFAULT_LIMITS.heartbeatMs);
});
