/**
 * Load generator for the signaling server, run as a child process (several at once
 * for the idle rooms, since one process may hold only so many sockets). It talks
 * only to the loopback address it is given and exits on its own: when the parent
 * says stop, when the parent goes away, or after BENCH_MAX_LIFETIME_MS.
 *
 *   idle:  opens `rooms` rooms of two sockets (create, then join) and keeps them open.
 *   relay: opens `rooms` rooms and sends signal frames host → guest at `rate` per
 *          second in total for `durationMs` (after `warmupMs`), timing each relay.
 */
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';

export type LoadClientTask =
  | { mode: 'idle'; url: string; localAddress: string; rooms: number; concurrency: number }
  | { mode: 'relay'; url: string; localAddress: string; rooms: number; rate: number; warmupMs: number; durationMs: number; payloadChars: number };

export type LoadClientReport =
  | { type: 'progress'; rooms: number }
  | { type: 'ready'; rooms: number; failures: number; elapsedMs: number }
  | { type: 'relay'; latenciesMs: number[]; sent: number; received: number; serverErrors: Record<string, number> }
  | { type: 'failed'; error: string };

const task = JSON.parse(process.env.BENCH_LOAD_TASK ?? 'null') as LoadClientTask | null;
if (!task) throw new Error('BENCH_LOAD_TASK is not set');
const url = new URL(task.url);
if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') throw new Error('the load generator only talks to loopback');

const report = (message: LoadClientReport) => process.send?.(message);
const sockets: WebSocket[] = [];
const maxLifetime = setTimeout(() => process.exit(0), Number(process.env.BENCH_MAX_LIFETIME_MS ?? 6 * 60_000));
maxLifetime.unref();

function stop(): void {
  for (const socket of sockets) socket.terminate();
  process.exit(0);
}
process.on('message', (message: { type: string }) => {
  if (message.type === 'stop') stop();
});
process.on('disconnect', stop);

type Frame = { type: string; payload?: string; code?: string };

function open(onFrame?: (frame: Frame) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(task!.url, { localAddress: task!.localAddress, perMessageDeflate: false });
    sockets.push(socket);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    if (onFrame) socket.on('message', (data) => onFrame(JSON.parse(String(data)) as Frame));
  });
}

/** Resolves with the first frame of `type`; rejects on an error frame. */
function nextFrame(socket: WebSocket, type: string): Promise<Frame> {
  return new Promise((resolve, reject) => {
    const listener = (data: Buffer) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.type === type || frame.type === 'error') {
        socket.off('message', listener);
        if (frame.type === 'error') reject(new Error(`server error ${frame.code}`));
        else resolve(frame);
      }
    };
    socket.on('message', listener);
  });
}

/** One room of two sockets, as two browsers make it: the host creates, then the guest joins. */
async function openRoom(onGuestFrame?: (frame: Frame) => void): Promise<{ host: WebSocket; guest: WebSocket }> {
  const room = randomBytes(16).toString('base64url');
  const host = await open();
  const created = nextFrame(host, 'created');
  host.send(JSON.stringify({ type: 'create', room }));
  await created;
  const guest = await open(onGuestFrame);
  const joined = nextFrame(guest, 'joined');
  guest.send(JSON.stringify({ type: 'join', room }));
  await joined;
  return { host, guest };
}

async function idle(rooms: number, concurrency: number): Promise<void> {
  const started = performance.now();
  let opened = 0;
  let failures = 0;
  let next = 0;
  const progress = setInterval(() => report({ type: 'progress', rooms: opened }), 1000);
  const lane = async () => {
    while (next < rooms) {
      next += 1;
      try {
        await openRoom();
        opened += 1;
      } catch {
        failures += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  clearInterval(progress);
  report({ type: 'ready', rooms: opened, failures, elapsedMs: performance.now() - started });
}

async function relay(t: Extract<LoadClientTask, { mode: 'relay' }>): Promise<void> {
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const serverErrors: Record<string, number> = {};
  // Frames sent during the warm-up are relayed but not timed.
  const firstTimedId = Math.floor((t.warmupMs * t.rate) / 1000);
  let received = 0;
  const onGuestFrame = (frame: Frame) => {
    if (frame.type === 'error') {
      serverErrors[frame.code ?? 'unknown'] = (serverErrors[frame.code ?? 'unknown'] ?? 0) + 1;
      return;
    }
    if (frame.type !== 'signal' || !frame.payload) return;
    const id = Number.parseInt(frame.payload.slice(0, frame.payload.indexOf('-')), 36);
    const at = sentAt.get(id);
    if (at === undefined) return;
    sentAt.delete(id);
    received += 1;
    if (id >= firstTimedId) latencies.push(performance.now() - at);
  };
  const pairs: { host: WebSocket; guest: WebSocket }[] = [];
  for (let i = 0; i < t.rooms; i++) pairs.push(await openRoom(onGuestFrame));
  for (const { host } of pairs) {
    host.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.type === 'error') serverErrors[frame.code ?? 'unknown'] = (serverErrors[frame.code ?? 'unknown'] ?? 0) + 1;
    });
  }
  report({ type: 'ready', rooms: pairs.length, failures: 0, elapsedMs: 0 });

  const filler = 'A'.repeat(t.payloadChars);
  let sent = 0;
  const started = performance.now();
  const totalMs = t.warmupMs + t.durationMs;
  await new Promise<void>((resolve) => {
    // Every tick sends what is due by now, round-robin over the rooms, so the rate is
    // steady on average and each socket stays well inside the server's per-socket rate limit.
    const tick = setInterval(() => {
      const elapsed = performance.now() - started;
      const due = Math.floor((Math.min(elapsed, totalMs) * t.rate) / 1000);
      while (sent < due) {
        const id = sent;
        const prefix = `${id.toString(36)}-`;
        sentAt.set(id, performance.now());
        pairs[id % pairs.length]!.host.send(JSON.stringify({ type: 'signal', payload: prefix + filler.slice(prefix.length) }));
        sent += 1;
      }
      if (elapsed >= totalMs) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  // Let the last frames arrive.
  await new Promise((resolve) => setTimeout(resolve, 500));
  report({ type: 'relay', latenciesMs: latencies, sent, received, serverErrors });
}

try {
  if (task.mode === 'idle') await idle(task.rooms, task.concurrency);
  else await relay(task);
} catch (error) {
  report({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
}
