import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Socket, connect as tcpConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ServerMessage, errorMessage } from '../../../signaling/protocol.ts';
import { type SignalingServer, type SignalingServerOptions, createSignalingServer } from '../../../signaling/server.ts';

const ROOM = 'AAAAAAAAAAAAAAAAAAAAAA';
let server: SignalingServer | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await server?.close();
  server = undefined;
});

async function start(options: SignalingServerOptions): Promise<SignalingServer> {
  server = await createSignalingServer({ port: 0, host: '127.0.0.1', log: () => {}, ...options });
  return server;
}

/** Opens a socket; resolves with it once open, or with the HTTP status that refused it. */
function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    sockets.push(socket);
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', () => undefined);
  });
}

function next(socket: WebSocket): Promise<ServerMessage> {
  return once(socket, 'message').then(([data]) => JSON.parse(String(data)) as ServerMessage);
}

describe('signaling server limits', () => {
  it('refuses origins outside ALLOWED_ORIGINS with 403', async () => {
    const { wsUrl } = await start({ limits: { allowedOrigins: ['https://duet.example'] } });
    expect(await open(wsUrl, { Origin: 'https://evil.example' })).toBe(403);
    expect(await open(wsUrl, { Origin: 'https://duet.example' })).toBeInstanceOf(WebSocket);
  });

  it('caps connections per IP address with 429, and frees the slot on close', async () => {
    const { wsUrl } = await start({ limits: { maxConnectionsPerIp: 2 } });
    const first = await open(wsUrl);
    await open(wsUrl);
    expect(await open(wsUrl)).toBe(429);
    (first as WebSocket).close();
    await once(first as WebSocket, 'close');
    // The server sees the close a moment later; the next attempt gets the slot.
    await expect.poll(async () => {
      const socket = await open(wsUrl);
      if (socket instanceof WebSocket) socket.close();
      return socket instanceof WebSocket;
    }).toBe(true);
  });

  it('gives the place back when an upgrade never becomes a WebSocket: malformed upgrades cannot lock an address out', async () => {
    const started = await start({ limits: { maxConnectionsPerIp: 2 } });
    const { port } = new URL(started.url);
    // An upgrade without Sec-WebSocket-Key: ws answers 400 and closes the socket.
    for (let i = 0; i < 10; i++) {
      const raw = tcpConnect(Number(port), '127.0.0.1');
      raw.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      raw.resume();
      await once(raw, 'close');
    }
    await expect.poll(async () => {
      const socket = await open(started.wsUrl);
      if (socket instanceof WebSocket) socket.close();
      return socket instanceof WebSocket;
    }).toBe(true);
  });

  it('caps sockets per address before any request is read', async () => {
    const started = await start({ limits: { maxConnectionsPerIp: 1, maxSocketsPerIp: 1, headersTimeoutMs: 60_000 } });
    const { port } = new URL(started.url);
    // The cap never sits below the WebSocket cap plus headroom (33 here): hold that many idle sockets.
    const idle: Socket[] = [];
    for (let i = 0; i < 33; i++) {
      const raw = tcpConnect(Number(port), '127.0.0.1');
      await once(raw, 'connect');
      idle.push(raw);
    }
    // One more is closed at once, before it sends anything, while the others stay open.
    const refused = tcpConnect(Number(port), '127.0.0.1');
    refused.on('error', () => undefined);
    await once(refused, 'close');
    expect(idle.every((raw) => !raw.destroyed && raw.readyState === 'open')).toBe(true);
    // Closing one frees its place.
    idle.pop()!.destroy();
    await expect.poll(async () => {
      const next = tcpConnect(Number(port), '127.0.0.1');
      next.on('error', () => undefined);
      next.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      const reply = await new Promise<string>((resolve) => {
        let text = '';
        next.on('data', (chunk: Buffer) => (text += chunk.toString()));
        next.on('close', () => resolve(text));
      });
      return reply.startsWith('HTTP/1.1 200');
    }).toBe(true);
    for (const raw of idle) raw.destroy();
  });

  it('cuts off a client too slow to send its headers, and one that sends nothing at all', async () => {
    const started = await start({ limits: { headersTimeoutMs: 300 } });
    const { port } = new URL(started.url);
    // A WebSocket opened first: the timeouts are for requests, not for open WebSockets.
    const socket = (await open(started.wsUrl)) as WebSocket;
    const replies: ServerMessage[] = [];
    socket.on('message', (data) => replies.push(JSON.parse(String(data)) as ServerMessage));
    const slow = tcpConnect(Number(port), '127.0.0.1');
    const silent = tcpConnect(Number(port), '127.0.0.1');
    await Promise.all([once(slow, 'connect'), once(silent, 'connect')]);
    // Half a request, then nothing; and nothing at all.
    slow.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    slow.resume();
    silent.resume();
    await Promise.all([once(slow, 'close'), once(silent, 'close')]);
    // Longer than the timeout has passed, and the WebSocket still answers.
    socket.send(JSON.stringify({ type: 'leave' }));
    await expect.poll(() => replies).toEqual([errorMessage('not-in-room')]);
  });

  it('sends HSTS when it serves TLS itself, and not over plain HTTP', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'duet-tls-'));
    try {
      const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
      const secure = await start({ tls: { cert: readFileSync(cert), key: readFileSync(key) } });
      const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
        httpsGet(`${secure.url}/healthz`, { rejectUnauthorized: false }, (response) => {
          response.resume();
          resolve(response.headers);
        }).on('error', reject);
      });
      expect(headers['strict-transport-security']).toBe('max-age=63072000');
      await server?.close();
      const plain = await start({});
      expect((await fetch(`${plain.url}/healthz`)).headers.get('strict-transport-security')).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers a flood with rate-limited and keeps the socket usable once it slows down', async () => {
    const { wsUrl } = await start({ limits: { messagesPerSecond: 1, messageBurst: 3 } });
    const socket = (await open(wsUrl)) as WebSocket;
    const replies: ServerMessage[] = [];
    socket.on('message', (data) => replies.push(JSON.parse(String(data)) as ServerMessage));
    for (let i = 0; i < 5; i++) socket.send(JSON.stringify({ type: 'leave' }));
    await expect.poll(() => replies.length).toBe(5);
    expect(replies.slice(0, 3)).toEqual([errorMessage('not-in-room'), errorMessage('not-in-room'), errorMessage('not-in-room')]);
    expect(replies.slice(3)).toEqual([errorMessage('rate-limited'), errorMessage('rate-limited')]);
  });

  it('closes a room nobody joined after the time limit, telling its creator', async () => {
    const started = await start({ limits: { unjoinedRoomTtlMs: 50 } });
    const socket = (await open(started.wsUrl)) as WebSocket;
    socket.send(JSON.stringify({ type: 'create', room: ROOM }));
    expect((await next(socket)).type).toBe('created');
    expect(await next(socket)).toEqual(errorMessage('room-expired'));
    expect(started.roomCount()).toBe(0);
  });

  it('does not expire a room once someone joined it', async () => {
    const started = await start({ limits: { unjoinedRoomTtlMs: 100 } });
    const host = (await open(started.wsUrl)) as WebSocket;
    const guest = (await open(started.wsUrl)) as WebSocket;
    host.send(JSON.stringify({ type: 'create', room: ROOM }));
    await next(host);
    guest.send(JSON.stringify({ type: 'join', room: ROOM }));
    await next(guest);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(started.roomCount()).toBe(1);
  });
});
