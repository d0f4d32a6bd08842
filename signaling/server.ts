/**
 * The Duet signaling server: serves the built static site and a WebSocket endpoint
 * (/ws) that introduces two peers in a room and relays their sealed signal payloads.
 * It never sees anything but room ids and opaque payloads, and it logs neither:
 * rooms appear in logs only as a short hash tag (see docs/PROTOCOL.md). Rooms live in
 * a RoomStore (signaling/store/: this process's memory, or Redis shared by several
 * instances), ICE servers come from signaling/ice-servers.ts, /healthz, /readyz and
 * /metrics from signaling/ops-http.ts.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES, type ServerMessage } from './protocol.ts';
import { ConnectionCounter, DEFAULT_LIMITS, type ServerLimits, originAllowed } from './limits.ts';
import { type IceConfig, IceServerIssuer } from './ice-servers.ts';
import { ClientAddressResolver, type ProxyTrust } from './client-address.ts';
import { type LogEntry, errorName, logAddress, pinoSink } from './logger.ts';
import { type ServerMetrics, countLogEntry, createMetrics } from './metrics.ts';
import { serveOps, type OpsEndpoints } from './ops-http.ts';
import { RoomRelay } from './room-relay.ts';
import { type StaticRequestHandler, createStaticSite } from './static-site.ts';
import { MemoryRoomStore } from './store/memory-store.ts';
import { RedisRoomStore, type RedisRoomStoreOptions } from './store/redis-store.ts';
import type { RoomStore } from './store/room-store.ts';

export type { LogEntry } from './logger.ts';

export interface SignalingServerOptions {
  /** Default 8080; 0 picks an ephemeral port. */
  port?: number;
  /** Default: all interfaces. */
  host?: string;
  /** Directory of the built static site; undefined serves no static files. */
  staticDir?: string;
  /** Serve HTTPS and WSS instead of HTTP and WS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Largest text frame handled, in bytes (default MAX_FRAME_BYTES). */
  maxPayload?: number;
  /** Interval between liveness pings, in milliseconds (default 30000). */
  heartbeatMs?: number;
  /** Structured log sink (default: one JSON line per entry on stdout). */
  log?: (entry: LogEntry) => void;
  /** Abuse limits (signaling/limits.ts); maxPayload and heartbeatMs above take precedence. */
  limits?: Partial<ServerLimits>;
  /** Where rooms live: this process (default) or Redis shared by several instances (REDIS_URL). */
  store?: { kind: 'memory' } | ({ kind: 'redis' } & RedisRoomStoreOptions);
  /** ICE servers handed to members (signaling/ice-servers.ts); default none. */
  ice?: IceConfig;
  /** ICE hand-outs allowed per client address: sustained per minute, and burst. */
  iceRate?: { perMinute: number; burst: number };
  /** Reverse proxies whose forwarded client addresses are believed (TRUST_PROXY); default none. */
  trustProxy?: ProxyTrust;
  /** Log client addresses in full (LOG_IPS=1); otherwise only as a short keyed hash. */
  logIps?: boolean;
  /** Process metrics (CPU, memory, event loop) in /metrics too (main.ts turns them on). */
  processMetrics?: boolean;
  /** drain(): how long clients get to leave before the rest are cut off (ms, default 10000). */
  drainMs?: number;
}

export interface SignalingServer {
  port: number;
  /** http(s)://host:port */
  url: string;
  /** ws(s)://host:port/ws */
  wsUrl: string;
  roomCount(): number;
  /** The instance's id in the room store ('local' for the in-memory store). */
  instanceId: string;
  /** Closes every socket (code 1001), the WebSocket server and the HTTP server. */
  close(): Promise<void>;
  /**
   * SIGTERM: refuses new connections (readyz turns 503), tells every client to reconnect
   * ({type:'reconnect'}, then close code 1012), waits up to drainMs for them to go, then close().
   */
  drain(): Promise<void>;
}

const DEFAULT_PORT = 8080;
const DEFAULT_HEARTBEAT_MS = 30_000;
const WEBSOCKET_PATH = '/ws';
const CLOSE_GOING_AWAY = 1001;
/** RFC 6455 "Service Restart": the client should reconnect (it lands on another instance). */
const CLOSE_SERVICE_RESTART = 1012;
const DEFAULT_DRAIN_MS = 10_000;
/** How long close() lets sockets finish before cutting them off. */
const CLOSE_GRACE_MS = 1_000;

/** The default sink: JSON lines on stdout (pino). */
export const logToStdout: (entry: LogEntry) => void = pinoSink();

function createStore(options: SignalingServerOptions['store'], log: (entry: LogEntry) => void): RoomStore {
  if (options?.kind !== 'redis') return new MemoryRoomStore();
  const { kind: _kind, ...redis } = options;
  return new RedisRoomStore({ ...redis, onError: (error) => log({ event: 'store-error', level: 'warn', error: errorName(error) }) });
}

export async function createSignalingServer(options: SignalingServerOptions = {}): Promise<SignalingServer> {
  const sink = options.log ?? logToStdout;
  let metrics: ServerMetrics | undefined;
  const log = (entry: LogEntry): void => {
    if (metrics) countLogEntry(metrics, entry);
    sink(entry);
  };
  const limits: ServerLimits = {
    ...DEFAULT_LIMITS,
    ...options.limits,
    maxPayload: options.maxPayload ?? options.limits?.maxPayload ?? MAX_FRAME_BYTES,
    heartbeatMs: options.heartbeatMs ?? options.limits?.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
  };
  const maxPayload = limits.maxPayload;
  const connectionsPerIp = new ConnectionCounter(limits.maxConnectionsPerIp);
  const clientAddress = new ClientAddressResolver(options.trustProxy ?? { kind: 'none' });
  const staticSite = options.staticDir === undefined ? undefined : createStaticSite(options.staticDir);

  const store = createStore(options.store, log);
  await store.start();
  const ice = new IceServerIssuer(options.ice ?? { kind: 'none' }, options.iceRate);
  let draining = false;
  const relay = new RoomRelay(log, limits, store, ice, () => metrics, options.logIps ?? false);
  metrics = createMetrics({ rooms: () => relay.roomCount(), sockets: () => relay.socketCount() }, { processMetrics: options.processMetrics ?? false });
  const ops: OpsEndpoints = {
    ready: async () => !draining && (await store.ready()),
    metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.render() }),
  };

  const handleRequest = (request: IncomingMessage, response: ServerResponse): void => {
    // Served over TLS by us: browsers should never come back over plain HTTP.
    if (options.tls) response.setHeader('Strict-Transport-Security', HSTS);
    serveHttp(request, response, staticSite, ops).catch((error: unknown) => {
      log({ event: 'http-error', error: errorName(error) });
      if (!response.headersSent) sendText(response, 500, 'Internal server error');
      else response.destroy();
    });
  };
  const timeouts = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: Math.max(limits.headersTimeoutMs, REQUEST_TIMEOUT_MS),
    // How often Node looks for connections past those timeouts (its default is 30 s).
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
  };
  const httpServer: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, ...timeouts }, handleRequest)
    : createHttpServer(timeouts, handleRequest);
  limitSockets(httpServer, limits, clientAddress, log, options.logIps ?? false);

  // Frames between maxPayload and 4 × maxPayload reach the handler, which answers
  // payload-too-large; only larger ones make ws close the socket (code 1009).
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * maxPayload });

  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (requestPath(request.url) !== WEBSOCKET_PATH) {
      refuseUpgrade(socket, '404 Not Found');
      return;
    }
    if (draining) {
      log({ event: 'refused', reason: 'draining' });
      refuseUpgrade(socket, '503 Service Unavailable');
      return;
    }
    if (!originAllowed(request.headers.origin, limits.allowedOrigins)) {
      log({ event: 'refused', reason: 'origin' });
      refuseUpgrade(socket, '403 Forbidden');
      return;
    }
    const ip = clientAddress.resolve(request);
    if (!connectionsPerIp.open(ip)) {
      log({ event: 'refused', reason: 'connections-per-ip', address: logAddress(ip, options.logIps ?? false) });
      refuseUpgrade(socket, '429 Too Many Requests');
      return;
    }
    // The place is given back when the socket closes, whether the WebSocket handshake
    // completed (and later closed) or never did: a malformed upgrade must not keep it.
    socket.once('close', () => connectionsPerIp.close(ip));
    wss.handleUpgrade(request, socket, head, (webSocket) => relay.accept(webSocket, ip));
  });

  await listen(httpServer, options.port ?? DEFAULT_PORT, options.host);
  const address = httpServer.address();
  if (address === null || typeof address === 'string') throw new Error('The server has no TCP address');
  const port = address.port;
  log({ event: 'listening', port });

  const heartbeat = setInterval(() => relay.checkLiveness(), limits.heartbeatMs);
  heartbeat.unref();

  const shutdown = async (): Promise<void> => {
    clearInterval(heartbeat);
    relay.stop();
    const wssClosed = new Promise<void>((resolve) => wss.close(() => resolve()));
    for (const client of wss.clients) client.close(CLOSE_GOING_AWAY, 'Server shutting down');
    await withGracePeriod(wssClosed, () => {
      for (const client of wss.clients) client.terminate();
    });
    const httpClosed = new Promise<void>((resolve, reject) => httpServer.close((error) => (error ? reject(error) : resolve())));
    await withGracePeriod(httpClosed, () => httpServer.closeAllConnections());
    // The members' places go back to the store before the instance lets go of it.
    await withGracePeriod(relay.settled(), () => {});
    await store.close();
    log({ event: 'closed' });
  };
  let closing: Promise<void> | undefined;

  const drain = async (drainMs: number): Promise<void> => {
    draining = true;
    log({ event: 'draining', sockets: wss.clients.size });
    const allGone = new Promise<void>((resolve) => {
      const check = (): void => {
        if (wss.clients.size === 0) resolve();
      };
      for (const client of wss.clients) client.once('close', check);
      check();
    });
    for (const client of wss.clients) {
      if (client.readyState !== WebSocket.OPEN) continue;
      client.send(JSON.stringify({ type: 'reconnect' } satisfies ServerMessage));
      client.close(CLOSE_SERVICE_RESTART, 'Service restart: reconnect');
    }
    const timer = new Promise<void>((resolve) => setTimeout(resolve, drainMs).unref());
    await Promise.race([allGone, timer]);
    await (closing ??= shutdown());
  };
  let draining_: Promise<void> | undefined;

  const host = urlHost(options.host);
  const secure = options.tls !== undefined;
  return {
    port,
    url: `${secure ? 'https' : 'http'}://${host}:${port}`,
    wsUrl: `${secure ? 'wss' : 'ws'}://${host}:${port}${WEBSOCKET_PATH}`,
    roomCount: () => relay.roomCount(),
    instanceId: store.instanceId,
    close: () => (closing ??= shutdown()),
    drain: () => (draining_ ??= drain(options.drainMs ?? DEFAULT_DRAIN_MS)),
  };
}

/**
 * Caps at the socket level, before any request is read, so slow or idle connections
 * (a "slowloris") cannot exhaust the server: in all (maxConnections), per address
 * (trusted proxies excepted: their clients are capped by forwarded address at the
 * upgrade), and in time to send the headers.
 */
/** Two years, the preload lists' minimum; subdomains are the operator's to vouch for, not ours. */
const HSTS = 'max-age=63072000';
/** A whole request (headers and body) must arrive within this (ms); ours are tiny. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Sockets per address beyond its WebSocket cap: page loads, a reconnecting socket. */
const SOCKET_HEADROOM = 32;

function limitSockets(server: Server, limits: ServerLimits, addresses: ClientAddressResolver, log: (entry: LogEntry) => void, logIps: boolean): void {
  server.maxConnections = limits.maxSockets;
  // A socket that sends nothing at all: headersTimeout starts at the first byte, so idle
  // ones get the same time in all. (ws clears this on the sockets it upgrades.)
  server.timeout = limits.headersTimeoutMs;
  // A WebSocket is a socket too: the socket cap never sits below the WebSocket cap.
  const socketsPerIp = new ConnectionCounter(Math.max(limits.maxSocketsPerIp, limits.maxConnectionsPerIp + SOCKET_HEADROOM));
  server.on('connection', (socket: Socket) => {
    const peer = addresses.peer(socket);
    if (peer.trustedProxy) return;
    if (!socketsPerIp.open(peer.address)) {
      log({ event: 'refused', reason: 'sockets-per-ip', address: logAddress(peer.address, logIps) });
      socket.destroy();
      return;
    }
    socket.once('close', () => socketsPerIp.close(peer.address));
  });
}

function refuseUpgrade(socket: Duplex, status: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Waits for `done`, running `force` if it takes longer than CLOSE_GRACE_MS, so a stalled peer cannot hold up shutdown. */
async function withGracePeriod(done: Promise<void>, force: () => void): Promise<void> {
  const timer = setTimeout(force, CLOSE_GRACE_MS);
  timer.unref();
  try {
    await done;
  } finally {
    clearTimeout(timer);
  }
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The host to put in URLs: wildcard addresses are reachable as localhost. */
function urlHost(host: string | undefined): string {
  if (host === undefined || host === '' || host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

// ---------------------------------------------------------------------------
// HTTP: health check and static files

/**
 * The page's full Content-Security-Policy is a <meta> tag written by the build
 * (it must work on any static host). The header adds what a meta tag cannot
 * express, and nothing that could contradict a build's own signaling origin.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** The path part of a request target, still percent-encoded. */
function requestPath(target: string | undefined): string {
  const raw = target ?? '/';
  const queryStart = raw.search(/[?#]/);
  return queryStart === -1 ? raw : raw.slice(0, queryStart);
}

async function serveHttp(request: IncomingMessage, response: ServerResponse, staticSite: StaticRequestHandler | undefined, ops: OpsEndpoints): Promise<void> {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return sendText(response, 405, 'Method not allowed');
  }
  const pathname = requestPath(request.url);
  if (await serveOps(request, response, pathname, ops)) return;
  if (staticSite === undefined) return sendText(response, 404, 'Not found');
  staticSite(request, response, pathname, () => sendText(response, 404, 'Not found'));
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}
