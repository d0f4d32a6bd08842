/**
 * Prometheus metrics (GET /metrics), with prom-client. One registry per server, so
 * two servers in one process (the tests) count separately. Labels are fixed sets (error
 * codes, refusal reasons): never a room, an address or anything a client chose.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServerMetrics {
  readonly registry: Registry;
  readonly signalsRelayed: Counter;
  readonly rejects: Counter<'reason'>;
  readonly turnCredentials: Counter;
  readonly roomsCreated: Counter;
  render(): Promise<string>;
}

export function createMetrics(read: { rooms: () => number; sockets: () => number }, options: { processMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'duet_' });
  new Gauge({ name: 'duet_rooms', help: 'Rooms with a member connected to this instance.', registers: [registry], collect() { this.set(read.rooms()); } });
  new Gauge({ name: 'duet_sockets', help: 'Open WebSocket connections.', registers: [registry], collect() { this.set(read.sockets()); } });
  const metrics: ServerMetrics = {
    registry,
    signalsRelayed: new Counter({ name: 'duet_signals_relayed_total', help: 'Signal frames relayed to a peer.', registers: [registry] }),
    rejects: new Counter({
      name: 'duet_rejects_total',
      help: 'Client requests refused, by reason (a protocol error code, or an upgrade refusal).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    turnCredentials: new Counter({ name: 'duet_turn_credentials_issued_total', help: 'TURN credentials handed out.', registers: [registry] }),
    roomsCreated: new Counter({ name: 'duet_rooms_created_total', help: 'Rooms created on this instance.', registers: [registry] }),
    render: () => registry.metrics(),
  };
  return metrics;
}

/** Counts what the log entries say happened, so the log call sites need no second hook. */
export function countLogEntry(metrics: ServerMetrics, entry: Record<string, unknown>): void {
  if (entry.event === 'rejected' && typeof entry.code === 'string') metrics.rejects.inc({ reason: entry.code });
  else if (entry.event === 'refused' && typeof entry.reason === 'string') metrics.rejects.inc({ reason: entry.reason });
  else if (entry.event === 'room-created') metrics.roomsCreated.inc();
}
