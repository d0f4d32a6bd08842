/**
 * The operations endpoints: GET /healthz (liveness: the process answers), /readyz
 * (readiness: accepting connections, and the room store reachable), /metrics
 * (Prometheus text format). Kept apart from static serving so either can change alone.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface OpsEndpoints {
  /** Whether the instance should get new clients: not draining, and the store answers. */
  ready(): Promise<boolean>;
  metrics(): Promise<{ contentType: string; body: string }>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Answers an operations request and returns true, or returns false for any other path. */
export async function serveOps(request: IncomingMessage, response: ServerResponse, pathname: string, ops: OpsEndpoints): Promise<boolean> {
  const head = request.method === 'HEAD';
  if (pathname === '/healthz') {
    response.writeHead(200, { 'Content-Type': JSON_TYPE, 'Cache-Control': 'no-store' });
    response.end(head ? undefined : JSON.stringify({ status: 'ok' }));
    return true;
  }
  if (pathname === '/readyz') {
    const ready = await ops.ready();
    response.writeHead(ready ? 200 : 503, { 'Content-Type': JSON_TYPE, 'Cache-Control': 'no-store' });
    response.end(head ? undefined : JSON.stringify({ status: ready ? 'ready' : 'not-ready' }));
    return true;
  }
  if (pathname === '/metrics') {
    const { contentType, body } = await ops.metrics();
    response.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
    response.end(head ? undefined : body);
    return true;
  }
  return false;
}
