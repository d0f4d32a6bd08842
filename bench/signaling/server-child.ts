/**
 * The real signaling server (createSignalingServer) in a process of its own, so its
 * memory is measured apart from the load generator and the harness. Started by
 * bench/lib/signaling-load.ts with an IPC channel; it says where it listens, answers
 * memory questions, and exits when the parent asks or goes away.
 *
 * Limits come as JSON in BENCH_SERVER_LIMITS, the room store in BENCH_SERVER_STORE. It listens on 127.0.0.1 only, and its
 * log lines (one per room event, as in production) go to stdout, which the parent
 * discards.
 */
import { type SignalingServerOptions, createSignalingServer } from '../../signaling/server.ts';
import type { ServerLimits } from '../../signaling/limits.ts';

export type ServerChildRequest = { type: 'memory'; collectGarbage: boolean } | { type: 'stop' };
export type ServerChildReport =
  | { type: 'listening'; port: number; pid: number }
  | { type: 'memory'; rssBytes: number; heapUsedBytes: number; externalBytes: number; rooms: number };

const limits = JSON.parse(process.env.BENCH_SERVER_LIMITS ?? '{}') as Partial<ServerLimits>;
/** The room store, as JSON (BENCH_SERVER_STORE): in memory unless told otherwise (bench/lib/scale-out.ts). */
const store = JSON.parse(process.env.BENCH_SERVER_STORE ?? '{"kind":"memory"}') as SignalingServerOptions['store'];
const server = await createSignalingServer({ port: 0, host: '127.0.0.1', limits, store });

const report = (message: ServerChildReport) => process.send?.(message);
report({ type: 'listening', port: server.port, pid: process.pid });

process.on('message', (request: ServerChildRequest) => {
  if (request.type === 'memory') {
    // Collecting first gives the memory the rooms hold, not garbage awaiting collection.
    if (request.collectGarbage) globalThis.gc?.();
    const usage = process.memoryUsage();
    report({ type: 'memory', rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, externalBytes: usage.external, rooms: server.roomCount() });
  } else if (request.type === 'stop') {
    void server.close().finally(() => process.exit(0));
  }
});
// The bench went away (crashed or was interrupted): do not linger.
process.on('disconnect', () => process.exit(0));
