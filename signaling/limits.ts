/**
 * The signaling server's limits: every one has a default, an environment variable
 * and a README line. Pure helpers (no sockets), so they are unit-tested directly.
 */

export interface ServerLimits {
  /** Largest frame answered with an error rather than a closed socket (bytes). */
  maxPayload: number;
  /** Open WebSocket connections allowed from one IP address. */
  maxConnectionsPerIp: number;
  /** Open TCP connections (HTTP, TLS or WebSocket) from one address that is not a trusted proxy. */
  maxSocketsPerIp: number;
  /** Open TCP connections in all; past it new ones are closed at once. */
  maxSockets: number;
  /** A client has this long to send a request's headers (ms); a slower one is cut off. */
  headersTimeoutMs: number;
  /** Sustained messages per second per socket, and the burst allowed above it. */
  messagesPerSecond: number;
  messageBurst: number;
  /**
   * Joins by short code allowed from one address (an IPv6 /64 counts as one): sustained
   * per minute, and the burst above it. Each join spends someone's short code, so this
   * is what keeps anyone from sweeping the numbers.
   */
  shortCodeJoinsPerMinute: number;
  shortCodeJoinBurst: number;
  /** A room nobody joined is closed after this long (ms). */
  unjoinedRoomTtlMs: number;
  /** Ping every socket this often; one that missed the previous ping is dropped (ms). */
  heartbeatMs: number;
  /** A socket whose unsent data exceeds this is too slow to keep (bytes). */
  maxBufferedBytes: number;
  /** Origins allowed to open the WebSocket; empty means any. */
  allowedOrigins: string[];
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxPayload: 64 * 1024,
  maxConnectionsPerIp: 20,
  maxSocketsPerIp: 100,
  maxSockets: 50_000,
  headersTimeoutMs: 10_000,
  messagesPerSecond: 20,
  messageBurst: 60,
  shortCodeJoinsPerMinute: 3,
  shortCodeJoinBurst: 5,
  unjoinedRoomTtlMs: 10 * 60 * 1000,
  heartbeatMs: 30_000,
  maxBufferedBytes: 1024 * 1024,
  allowedOrigins: [],
};

/** Environment variable for each limit, as the README documents them. */
export const LIMIT_VARIABLES: Record<keyof ServerLimits, string> = {
  maxPayload: 'MAX_PAYLOAD_BYTES',
  maxConnectionsPerIp: 'MAX_CONNECTIONS_PER_IP',
  maxSocketsPerIp: 'MAX_SOCKETS_PER_IP',
  maxSockets: 'MAX_SOCKETS',
  headersTimeoutMs: 'HEADERS_TIMEOUT_MS',
  messagesPerSecond: 'MESSAGES_PER_SECOND',
  messageBurst: 'MESSAGE_BURST',
  shortCodeJoinsPerMinute: 'SHORT_CODE_JOINS_PER_MINUTE',
  shortCodeJoinBurst: 'SHORT_CODE_JOIN_BURST',
  unjoinedRoomTtlMs: 'UNJOINED_ROOM_TTL_MS',
  heartbeatMs: 'HEARTBEAT_MS',
  maxBufferedBytes: 'MAX_BUFFERED_BYTES',
  allowedOrigins: 'ALLOWED_ORIGINS',
};

/** Reads limits from the environment; throws a plain-language error for a bad value. */
export function limitsFromEnv(env: Record<string, string | undefined>): ServerLimits {
  const limits: ServerLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(LIMIT_VARIABLES) as (keyof ServerLimits)[]) {
    const name = LIMIT_VARIABLES[key];
    const raw = env[name]?.trim();
    if (!raw) continue;
    if (key === 'allowedOrigins') {
      limits.allowedOrigins = raw.split(',').map((origin) => normaliseOrigin(origin, name));
      continue;
    }
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, not "${raw}"`);
    limits[key] = value;
  }
  return limits;
}

function normaliseOrigin(origin: string, variable: string): string {
  try {
    const url = new URL(origin.trim());
    if (url.origin === 'null') throw new Error('opaque origin');
    return url.origin;
  } catch {
    throw new Error(`${variable} must list origins like https://chat.example.org, not "${origin.trim()}"`);
  }
}

export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  return origin !== undefined && allowed.includes(origin);
}

/** A token bucket: `rate` tokens per second, holding at most `burst`. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.rate);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * One token bucket per key (a client address), for allowances that must hold across
 * that client's sockets. The map is bounded: past `maxKeys` it starts afresh, which
 * only ever gives an address its full burst back early.
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Takes one token from `key`'s bucket if there is one. */
  take(key: string, now: number): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.buckets.clear();
      bucket = new TokenBucket(this.perSecond, this.burst, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  }
}

/** Counts open connections per IP address. */
export class ConnectionCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly maxPerIp: number) {}

  /** Registers a connection; false (and nothing counted) if the address is at its cap. */
  open(ip: string): boolean {
    const count = this.counts.get(ip) ?? 0;
    if (count >= this.maxPerIp) return false;
    this.counts.set(ip, count + 1);
    return true;
  }

  close(ip: string): void {
    const count = (this.counts.get(ip) ?? 0) - 1;
    if (count > 0) this.counts.set(ip, count);
    else this.counts.delete(ip);
  }

  get addresses(): number {
    return this.counts.size;
  }
}
