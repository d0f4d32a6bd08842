/**
 * Scaling out on Redis, measured: signal relay latency between two instances sharing
 * one real redis-server (the two people on different instances) against one instance
 * with rooms in memory (today's default) and one instance on Redis, all in the same
 * run, at the same rate; and what an idle room costs in Redis memory.
 *
 * Each server is the real one (bench/signaling/server-child.ts) in a process of its
 * own; the clients are `ws` sockets in this process, so send and receive times come
 * from one clock.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import type { SignalingServerOptions } from '../../signaling/server.ts';
import { RedisRoomStore } from '../../signaling/store/redis-store.ts';
import type { RoomId } from '../../signaling/protocol.ts';
import type { ServerChildReport } from '../signaling/server-child.ts';
import { startRedis } from '../../tests/unit/helpers/redis-server.ts';
import { type Summary, summarize } from './stats.ts';

export interface ScaleOutOptions {
  root: string;
  rooms: number;
  /** Signals per second over all rooms. */
  rate: number;
  warmupMs: number;
  durationMs: number;
  payloadChars: number;
  /** Idle rooms written to Redis to measure their memory. */
  idleRooms: number;
  log: (line: string) => void;
}

/** The scale-out bench's load: the same from `npm run bench` and from bench/scale-out.ts. */
export function scaleOutOptions(root: string, quick: boolean, log: (line: string) => void): ScaleOutOptions {
  return {
    root,
    rooms: 50,
    rate: 500,
    warmupMs: quick ? 500 : 2000,
    durationMs: quick ? 3000 : 10_000,
    payloadChars: 512,
    idleRooms: quick ? 2000 : 10_000,
    log,
  };
}

export interface RelayRun {
  sent: number;
  received: number;
  latencyMs: Summary;
}

export interface ScaleOutResult {
  redisVersion: string;
  rooms: number;
  rate: number;
  durationMs: number;
  payloadChars: number;
  /** One instance, rooms in memory (the default). */
  oneInstanceMemory: RelayRun;
  /** One instance, rooms in Redis. */
  oneInstanceRedis: RelayRun;
  /** Two instances on one Redis, the two members of every room on different instances. */
  twoInstancesRedis: RelayRun;
  idleRooms: number;
  /** Redis used_memory growth per idle room (two places and a nameplate). */
  redisBytesPerIdleRoom: number;
}

type Store = NonNullable<SignalingServerOptions['store']>;

async function startServer(root: string, store: Store): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/signaling/server-child.ts')], {
    cwd: root,
    env: { ...process.env, BENCH_SERVER_STORE: JSON.stringify(store), BENCH_SERVER_LIMITS: JSON.stringify({ maxConnectionsPerIp: 100_000 }) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const [report] = (await once(child, 'message')) as [ServerChildReport];
  if (report.type !== 'listening') throw new Error('the server child did not start');
  return { url: `ws://127.0.0.1:${report.port}/ws`, child };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.send({ type: 'stop' });
  await exited;
}

async function open(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await once(socket, 'open');
  return socket;
}

function nextMessage(socket: WebSocket): Promise<{ type: string; [key: string]: unknown }> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(data.toString()) as { type: string })));
}

/** Rooms with the host on `hostUrl` and the guest on `guestUrl`; signals host → guest at `rate`, latency at the guest. */
async function relayRun(hostUrl: string, guestUrl: string, options: ScaleOutOptions): Promise<RelayRun> {
  const pairs: { host: WebSocket; guest: WebSocket }[] = [];
  /** Send time of each signal in flight, and whether it was sent inside the measured window. */
  const sentAt = new Map<number, { at: number; measured: boolean }>();
  const latencies: number[] = [];
  let measuring = false;
  let sent = 0;
  for (let i = 0; i < options.rooms; i++) {
    const room = randomBytes(16).toString('base64url');
    const host = await open(hostUrl);
    host.send(JSON.stringify({ type: 'create', room }));
    await nextMessage(host);
    const guest = await open(guestUrl);
    const joined = nextMessage(guest);
    const peerJoined = nextMessage(host);
    guest.send(JSON.stringify({ type: 'join', room }));
    await Promise.all([joined, peerJoined]);
    guest.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string; payload?: string };
      if (message.type !== 'signal' || !message.payload) return;
      const seq = Number(message.payload.slice(1, message.payload.indexOf('x')));
      const sending = sentAt.get(seq);
      if (sending === undefined) return;
      sentAt.delete(seq);
      if (sending.measured) latencies.push(performance.now() - sending.at);
    });
    pairs.push({ host, guest });
  }
  let seq = 0;
  const tickMs = 10;
  const perTick = (options.rate * tickMs) / 1000;
  let owed = 0;
  let next = 0;
  const ticker = setInterval(() => {
    owed += perTick;
    for (; owed >= 1; owed--) {
      const pair = pairs[next++ % pairs.length]!;
      const head = `s${seq}x`;
      sentAt.set(seq, { at: performance.now(), measured: measuring });
      seq++;
      if (measuring) sent++;
      pair.host.send(JSON.stringify({ type: 'signal', payload: head + 'A'.repeat(Math.max(0, options.payloadChars - head.length)) }));
    }
  }, tickMs);
  await new Promise((resolve) => setTimeout(resolve, options.warmupMs));
  measuring = true;
  await new Promise((resolve) => setTimeout(resolve, options.durationMs));
  measuring = false;
  clearInterval(ticker);
  await new Promise((resolve) => setTimeout(resolve, 200)); // the last ones in flight
  for (const { host, guest } of pairs) {
    host.terminate();
    guest.terminate();
  }
  return { sent, received: latencies.length, latencyMs: summarize(latencies) };
}

async function redisUsedMemory(probe: Redis): Promise<number> {
  const info = await probe.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
}

export async function runScaleOut(options: ScaleOutOptions): Promise<ScaleOutResult> {
  const { log, root } = options;
  const redis = await startRedis();
  const probe = new Redis(redis.url);
  const children: ChildProcess[] = [];
  try {
    const redisVersion = /^redis_version:(\S+)/m.exec(await probe.info('server'))?.[1] ?? 'unknown';
    const memory = await startServer(root, { kind: 'memory' });
    children.push(memory.child);
    log(`  one instance, rooms in memory: ${options.rooms} rooms, ${options.rate} signals/s…`);
    const oneInstanceMemory = await relayRun(memory.url, memory.url, options);
    await stopServer(memory.child);

    const store: Store = { kind: 'redis', url: redis.url, prefix: 'bench:' };
    const [a, b] = [await startServer(root, store), await startServer(root, store)];
    children.push(a.child, b.child);
    log('  one instance on Redis…');
    const oneInstanceRedis = await relayRun(a.url, a.url, options);
    log('  two instances on Redis, host on A, guest on B…');
    const twoInstancesRedis = await relayRun(a.url, b.url, options);
    await Promise.all([stopServer(a.child), stopServer(b.child)]);

    log(`  ${options.idleRooms} idle rooms in Redis…`);
    const rooms = new RedisRoomStore({ url: redis.url, prefix: 'idle:' });
    await rooms.start();
    const before = await redisUsedMemory(probe);
    for (let i = 0; i < options.idleRooms; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, options.idleRooms - i) }, async () => {
          const room = randomBytes(16).toString('base64url') as RoomId;
          await rooms.createRoom(room, rooms.newMemberId());
          await rooms.allocateNameplate(room, []);
          await rooms.joinRoom(room, rooms.newMemberId());
        }),
      );
    }
    const after = await redisUsedMemory(probe);
    await rooms.close();
    return {
      redisVersion,
      rooms: options.rooms,
      rate: options.rate,
      durationMs: options.durationMs,
      payloadChars: options.payloadChars,
      oneInstanceMemory,
      oneInstanceRedis,
      twoInstancesRedis,
      idleRooms: options.idleRooms,
      redisBytesPerIdleRoom: (after - before) / options.idleRooms,
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    probe.disconnect();
    await redis.stop();
  }
}
