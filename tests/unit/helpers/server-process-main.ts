/**
 * The signaling server alone in a child process started with --expose-gc (see
 * server-process.ts), so its heap can be measured after a full collection without
 * the test's own sockets and fuzzing in the same heap. Talks over the IPC channel:
 * it sends { type: 'ready', port, wsUrl }, answers { type: 'heap' } with
 * { type: 'heap', heapUsed, rooms } measured after garbage collection, { type: 'rooms' }
 * with { type: 'rooms', rooms }, and stops on { type: 'stop' }.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ServerLimits } from '../../../signaling/limits.ts';
import { createSignalingServer } from '../../../signaling/server.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !process.send) {
  console.error('server-process-main: needs --expose-gc and an IPC channel');
  process.exit(2);
}
const send = process.send.bind(process);

const limits = JSON.parse(process.argv[2] ?? '{}') as Partial<ServerLimits>;
const server = await createSignalingServer({ port: 0, host: '127.0.0.1', log: () => {}, limits });

/** Full collections until the heap stops shrinking (finalizers and weak callbacks run between them). */
async function settledHeap(): Promise<number> {
  let previous = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 10; round++) {
    gc!();
    await nextTurn();
    const used = process.memoryUsage().heapUsed;
    if (used >= previous) return used;
    previous = used;
  }
  return previous;
}

process.on('message', (message: { type?: string }) => {
  if (message.type === 'heap') void settledHeap().then((heapUsed) => send({ type: 'heap', heapUsed, rooms: server.roomCount() }));
  if (message.type === 'rooms') send({ type: 'rooms', rooms: server.roomCount() });
  if (message.type === 'stop') void server.close().then(() => process.exit(0));
});
send({ type: 'ready', port: server.port, wsUrl: server.wsUrl });
