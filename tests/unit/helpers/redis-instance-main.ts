/**
 * One signaling instance on Redis in a child process of its own, so a test can kill it
 * outright (SIGKILL: no close, no goodbye, its lease left to lapse). Argument: JSON
 * { url, prefix, leaseMs }. Sends { type: 'ready', wsUrl, instanceId } over IPC.
 */
import { createSignalingServer } from '../../../signaling/server.ts';

const { url, prefix, leaseMs } = JSON.parse(process.argv[2] ?? '{}') as { url: string; prefix: string; leaseMs: number };
const server = await createSignalingServer({
  port: 0,
  host: '127.0.0.1',
  log: () => {},
  store: { kind: 'redis', url, prefix, leaseMs },
});
process.send?.({ type: 'ready', wsUrl: server.wsUrl, instanceId: server.instanceId });
