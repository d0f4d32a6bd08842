/**
 * The ICE servers the signaling server hands to a member of a room (message
 * `ice-servers`), configured at run time:
 *   STUN_URLS    comma-separated stun: URLs, given as they are;
 *   TURN_URLS    comma-separated turn:/turns: URLs, with
 *   TURN_SECRET  coturn's `static-auth-secret` (`use-auth-secret`, the "TURN REST API"
 *                scheme): username "<expiry unix seconds>:<id>", credential
 *                base64(HMAC-SHA1(secret, username)), valid until the expiry;
 *   TURN_TTL     seconds a credential is valid (default 3600);
 *   ICE_SERVERS  or a fixed RTCIceServer[] as JSON (instead of the above).
 * Nothing set: no ICE servers (the default contacts nobody). Credentials are made per
 * request, never logged, and rate-limited per client address.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { type IceServer, MAX_ICE_SERVERS, type RelayOffer, parseIceServers } from './protocol.ts';
import { KeyedBuckets } from './limits.ts';

export type IceConfig =
  | { kind: 'none' }
  | { kind: 'fixed'; iceServers: IceServer[] }
  | { kind: 'turn-rest'; stunUrls: string[]; turnUrls: string[]; secret: string; ttlSeconds: number };

export const DEFAULT_TURN_TTL_SECONDS = 3600;
/** A fixed list has no expiry of its own; clients are told to ask again after this long. */
const MAX_URLS_PER_SERVER = 4;
const FIXED_REFRESH_MS = 24 * 3600 * 1000;

function splitList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Reads the ICE configuration; throws a plain-language error for a bad value. */
export function iceConfigFromEnv(env: Record<string, string | undefined>): IceConfig {
  const fixed = env.ICE_SERVERS?.trim();
  const stunUrls = splitList(env.STUN_URLS);
  const turnUrls = splitList(env.TURN_URLS);
  const secret = env.TURN_SECRET ?? '';
  if (fixed) {
    if (stunUrls.length > 0 || turnUrls.length > 0 || secret !== '') throw new Error('set ICE_SERVERS or STUN_URLS/TURN_URLS/TURN_SECRET, not both');
    let parsed: unknown;
    try {
      parsed = JSON.parse(fixed);
    } catch {
      throw new Error('ICE_SERVERS must be a JSON array of RTCIceServer objects');
    }
    const iceServers = parseIceServers(parsed);
    if (!iceServers) throw new Error(`ICE_SERVERS must be a JSON array of at most ${MAX_ICE_SERVERS} {urls, username?, credential?} with stun:/turn:/turns: URLs`);
    return iceServers.length === 0 ? { kind: 'none' } : { kind: 'fixed', iceServers };
  }
  const ttlRaw = env.TURN_TTL?.trim();
  const ttlSeconds = ttlRaw ? Number(ttlRaw) : DEFAULT_TURN_TTL_SECONDS;
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) throw new Error(`TURN_TTL must be a positive whole number of seconds, not "${ttlRaw}"`);
  if (turnUrls.length > 0 && secret === '') throw new Error('TURN_URLS needs TURN_SECRET (coturn static-auth-secret)');
  if (secret !== '' && turnUrls.length === 0) throw new Error('TURN_SECRET needs TURN_URLS');
  const bad = [...stunUrls.filter((url) => !/^stuns?:/.test(url)), ...turnUrls.filter((url) => !/^turns?:/.test(url))];
  if (bad.length > 0) throw new Error(`STUN_URLS takes stun: URLs and TURN_URLS turn:/turns: URLs, not "${bad[0]}"`);
  if (stunUrls.length > MAX_URLS_PER_SERVER || turnUrls.length > MAX_URLS_PER_SERVER) throw new Error(`STUN_URLS and TURN_URLS take at most ${MAX_URLS_PER_SERVER} URLs each`);
  if (parseIceServers([...stunUrls, ...turnUrls].map((urls) => ({ urls }))) === undefined) throw new Error('STUN_URLS/TURN_URLS: a URL is too long or has spaces');
  if (stunUrls.length === 0 && turnUrls.length === 0) return { kind: 'none' };
  return { kind: 'turn-rest', stunUrls, turnUrls, secret, ttlSeconds };
}

/** coturn's `use-auth-secret` credential for a username: base64(HMAC-SHA1(secret, username)). */
export function turnRestCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

export type IceIssue =
  | { status: 'none' }
  | { status: 'rate-limited' }
  | { status: 'issued'; iceServers: IceServer[]; expiresAt: number; turnCredential: boolean };

export interface IceIssuerOptions {
  /** Sustained issues per address per minute, and the burst above it (defaults 2 and 20). */
  perMinute?: number;
  burst?: number;
  now?: () => number;
  /** The random part of each TURN username (hex). */
  randomId?: () => string;
}

/** Issues ICE servers to members of rooms, at most so many per client address. */
export class IceServerIssuer {
  private readonly buckets: KeyedBuckets;
  private readonly now: () => number;
  private readonly randomId: () => string;

  constructor(
    private readonly config: IceConfig,
    options: IceIssuerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.randomId = options.randomId ?? (() => randomBytes(8).toString('hex'));
    this.buckets = new KeyedBuckets((options.perMinute ?? 2) / 60, options.burst ?? 20);
  }

  get configured(): boolean {
    return this.config.kind !== 'none';
  }

  /** Whether members get a TURN server (what `server-info` answers, so a lobby can offer "Hide my IP address"). */
  get relay(): RelayOffer {
    const config = this.config;
    if (config.kind === 'turn-rest') return 'offered';
    if (config.kind === 'fixed' && config.iceServers.some((server) => [server.urls].flat().some((url) => /^turns?:/.test(url)))) return 'offered';
    return 'none';
  }

  issue(address: string): IceIssue {
    const config = this.config;
    if (config.kind === 'none') return { status: 'none' };
    const now = this.now();
    if (!this.buckets.take(address, now)) return { status: 'rate-limited' };
    if (config.kind === 'fixed') return { status: 'issued', iceServers: config.iceServers, expiresAt: now + FIXED_REFRESH_MS, turnCredential: false };
    const expirySeconds = Math.floor(now / 1000) + config.ttlSeconds;
    const username = `${expirySeconds}:${this.randomId()}`;
    const iceServers: IceServer[] = [];
    if (config.stunUrls.length > 0) iceServers.push({ urls: config.stunUrls });
    iceServers.push({ urls: config.turnUrls, username, credential: turnRestCredential(config.secret, username) });
    return { status: 'issued', iceServers, expiresAt: expirySeconds * 1000, turnCredential: true };
  }
}
