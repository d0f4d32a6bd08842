/**
 * Operating the server: /healthz, /readyz (with a Redis that goes away), Prometheus
 * /metrics, and the SIGTERM drain (clients told to reconnect, new ones refused, exit
 * within a bounded time), down to signaling/main.ts in a process of its own.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../../../signaling/protocol.ts';
import { type SignalingServer, type SignalingServerOptions, createSignalingServer } from '../../../signaling/server.ts';
import { skipWithoutRedis, startRedis } from '../helpers/redis-server.ts';
import { WsClient } from '../helpers/ws-client.ts';

const ROOM = 'AbCdEfGhIjKlMnOpQrSt_-';
const skipRedis = skipWithoutRedis();

let server: SignalingServer | undefined;
const clients: WsClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.close();
  server = undefined;
});

async function start(options: SignalingServerOptions = {}): Promise<SignalingServer> {
  server = await createSignalingServer({ port: 0, host: '127.0.0.1', log: () => {}, ...options });
  return server;
}

async function connect(): Promise<WsClient> {
  const client = await WsClient.connect(server!.wsUrl);
  clients.push(client);
  return client;
}

/** A WebSocket client that completes the handshake and then never answers anything (a stalled peer). */
async function stalledClient(port: number): Promise<() => void> {
  const socket = tcpConnect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  const [head] = (await once(socket, 'data')) as [Buffer];
  expect(head.toString()).toMatch(/^HTTP\/1\.1 101/);
  socket.on('data', () => {}); // read, never reply
  socket.on('error', () => {});
  return () => socket.destroy();
}

describe('health and readiness', () => {
  it('answers /healthz and /readyz with the in-memory store', async () => {
    await start();
    expect(await (await fetch(`${server!.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server!.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it.skipIf(skipRedis)('is not ready while Redis is unreachable, and still alive', async () => {
    const redis = await startRedis();
    try {
      await start({ store: { kind: 'redis', url: redis.url } });
      expect((await fetch(`${server!.url}/readyz`)).status).toBe(200);
      await redis.stop();
      const notReady = await fetch(`${server!.url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({ status: 'not-ready' });
      expect((await fetch(`${server!.url}/healthz`)).status).toBe(200);
      // A request that needs the store is answered, not left hanging.
      const host = await connect();
      expect(await host.request({ type: 'create', room: ROOM })).toMatchObject({ type: 'error', code: 'server-error' });
    } finally {
      await redis.stop();
    }
  });
});

describe('/metrics', () => {
  it('counts rooms, sockets, relayed signals and rejects by reason, in Prometheus text', async () => {
    const origin = 'https://duet.example';
    await start({ limits: { allowedOrigins: [origin] } });
    const open = async () => {
      const client = await WsClient.connect(server!.wsUrl, { origin });
      clients.push(client);
      return client;
    };
    const [host, guest, stranger] = [await open(), await open(), await open()];
    await host.request({ type: 'create', room: ROOM });
    await guest.request({ type: 'join', room: ROOM });
    await host.next();
    for (const payload of ['b2ZmZXI', 'Y2FuZGlkYXRl']) host.send({ type: 'signal', payload });
    await guest.next();
    await guest.next();
    await stranger.request({ type: 'join', room: 'ZyXwVuTsRqPoNmLkJiHg01' });
    const refused = new WebSocket(server!.wsUrl, { origin: 'https://elsewhere.example' });
    refused.on('error', () => {});
    await once(refused, 'unexpected-response').catch(() => {});
    refused.terminate();

    const response = await fetch(`${server!.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^duet_rooms 1$/m);
    expect(text).toMatch(/^duet_sockets 3$/m);
    expect(text).toMatch(/^duet_rooms_created_total 1$/m);
    expect(text).toMatch(/^duet_signals_relayed_total 2$/m);
    expect(text).toMatch(/^duet_rejects_total\{reason="room-not-found"\} 1$/m);
    expect(text).toMatch(/^duet_rejects_total\{reason="origin"\} 1$/m);
    expect(text).not.toContain(ROOM);
  });
});

describe('drain (SIGTERM)', () => {
  it('tells every client to reconnect (close code 1012), refuses newcomers, and finishes in bounded time', async () => {
    await start({ drainMs: 300 });
    const host = await connect();
    await host.request({ type: 'create', room: ROOM });
    const stop = await stalledClient(server!.port);
    try {
      const drained = server!.drain();
      expect(await host.next()).toEqual({ type: 'reconnect' } satisfies ServerMessage);
      expect(await host.closed).toEqual({ code: 1012, reason: 'Service restart: reconnect' });
      // The stalled client holds the drain open until drainMs: meanwhile the instance is not ready and takes nobody.
      expect((await fetch(`${server!.url}/readyz`)).status).toBe(503);
      const newcomer = new WebSocket(server!.wsUrl);
      newcomer.on('error', () => {});
      const [, response] = (await once(newcomer, 'unexpected-response')) as [unknown, { statusCode: number }];
      expect(response.statusCode).toBe(503);
      newcomer.terminate();
      await drained;
      expect(server!.roomCount()).toBe(0);
    } finally {
      stop();
    }
  });

  it('is what SIGTERM does to signaling/main.ts, which then exits 0', async () => {
    const main = fileURLToPath(new URL('../../../signaling/main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', STATIC_DIR: '/nonexistent', DRAIN_MS: '2000' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /Duet is running at (http:\/\/\S+)/.exec(output);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`main.ts exited (${String(code)}): ${output}`)));
      });
      const client = await WsClient.connect(`${url.replace('http', 'ws')}/ws`);
      child.kill('SIGTERM');
      expect(await client.next()).toEqual({ type: 'reconnect' });
      expect((await client.closed).code).toBe(1012);
      const [code] = await exited;
      expect(code).toBe(0);
      // The log is JSON lines from pino, with the shutdown and drain in it.
      const lines = output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toContainEqual(expect.objectContaining({ event: 'shutdown', signal: 'SIGTERM', level: 'info' }));
      expect(lines).toContainEqual(expect.objectContaining({ event: 'draining' }));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 20_000);
});
