/**
 * The terminal peer's command line: flags, then environment variables, then defaults.
 * Bad input is a usage error that names the flag; nothing is started.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_HANDSHAKE_CONFIG } from '../core/handshake.ts';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../session/connect-timer.ts';
import { DEFAULT_RECONNECT_TIMEOUT_MS } from '../session/reconnector.ts';
import type { SessionOptions } from '../session/session.ts';
import { defaultIdentityPath } from './identity-file.ts';

export interface CliOptions {
  name: string;
  /** A link, a code or a short code to join; absent: create a room. */
  invite: string | undefined;
  serverUrl: string;
  appUrl: string;
  iceServers: RTCIceServer[];
  downloads: string;
  /** --remember: prove this identity key to the peer, and remember the peers' keys beside it. */
  identity: { kind: 'remember'; path: string } | { kind: 'anonymous' };
  tuning: Tuning;
}

/** RSA size and timeouts (flags, then environment variables, then the app's defaults). */
export interface Tuning {
  rsaModulusLength: number;
  /** Each handshake step's wait for the peer. */
  handshakeStepTimeoutMs: number;
  /** The direct connection and the short-code exchange. */
  connectTimeoutMs: number;
  /** Restoring a broken connection before giving up. */
  reconnectTimeoutMs: number;
}

export const DEFAULT_TUNING: Tuning = {
  rsaModulusLength: DEFAULT_HANDSHAKE_CONFIG.rsaModulusLength,
  handshakeStepTimeoutMs: DEFAULT_HANDSHAKE_CONFIG.stepTimeoutMs,
  connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
  reconnectTimeoutMs: DEFAULT_RECONNECT_TIMEOUT_MS,
};

/** What the tuning changes in the session: the handshake's RSA size and step wait, and the connection timeouts. */
export function sessionTuning(tuning: Tuning): Pick<SessionOptions, 'handshake' | 'connectTimeoutMs' | 'reconnectTimeoutMs'> {
  return {
    handshake: { ...DEFAULT_HANDSHAKE_CONFIG, rsaModulusLength: tuning.rsaModulusLength, stepTimeoutMs: tuning.handshakeStepTimeoutMs },
    connectTimeoutMs: tuning.connectTimeoutMs,
    reconnectTimeoutMs: tuning.reconnectTimeoutMs,
  };
}

/** The RSA sizes offered: the handshake accepts 2048 to 8192 bits from a peer, but past 4096 key generation takes minutes. */
export const RSA_SIZES = [2048, 3072, 4096] as const;

export type ParsedCommand =
  | { kind: 'help' }
  | { kind: 'chat'; options: CliOptions }
  | { kind: 'keys'; path: string; force: boolean }
  | { kind: 'usage-error'; problem: string };

export const DEFAULT_SERVER = 'ws://localhost:8080/ws';

/** The web app the signaling server serves: ws://host:port/ws → http://host:port/ (wss → https). */
export function appUrlOf(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/';
  url.search = '';
  url.hash = '';
  return url.toString();
}

function parseIceServers(raw: string): RTCIceServer[] {
  const value: unknown = JSON.parse(raw);
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'object' && s !== null && 'urls' in s)) {
    throw new Error('--ice-servers must be a JSON array of {"urls": …} objects');
  }
  return value as RTCIceServer[];
}

/** Seconds (whole or decimal) within [min, max], as milliseconds; or the problem. */
function parseSeconds(flag: string, raw: string, min: number, max: number): number | string {
  const seconds = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(seconds >= min && seconds <= max)) return `${flag} must be a number of seconds from ${min} to ${max}, not ${raw}`;
  return Math.round(seconds * 1000);
}

function parseTuning(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): Tuning | string {
  const pick = (flag: string, variable: string) => {
    const value = values[flag];
    return typeof value === 'string' ? value : env[variable];
  };
  const tuning = { ...DEFAULT_TUNING };
  const rsa = pick('rsa-bits', 'DUET_RSA_BITS');
  if (rsa !== undefined) {
    const bits = Number(rsa);
    if (!RSA_SIZES.includes(bits as (typeof RSA_SIZES)[number])) return `--rsa-bits must be one of ${RSA_SIZES.join(', ')}, not ${rsa}`;
    tuning.rsaModulusLength = bits;
  }
  const timeouts = [
    ['handshake-timeout', 'DUET_HANDSHAKE_TIMEOUT', 'handshakeStepTimeoutMs', 1, 120],
    ['connect-timeout', 'DUET_CONNECT_TIMEOUT', 'connectTimeoutMs', 5, 600],
    ['reconnect-timeout', 'DUET_RECONNECT_TIMEOUT', 'reconnectTimeoutMs', 10, 3600],
  ] as const;
  for (const [flag, variable, field, min, max] of timeouts) {
    const raw = pick(flag, variable);
    if (raw === undefined) continue;
    const ms = parseSeconds(`--${flag}`, raw, min, max);
    if (typeof ms === 'string') return ms;
    tuning[field] = ms;
  }
  return tuning;
}

function parseKeysCommand(values: Record<string, string | boolean | undefined>, positionals: string[], env: NodeJS.ProcessEnv): ParsedCommand {
  if (positionals.length > 1) return { kind: 'usage-error', problem: '`duet keys` takes no other arguments' };
  const path = typeof values.identity === 'string' ? values.identity : (env.DUET_IDENTITY ?? defaultIdentityPath(env));
  if (!path.trim()) return { kind: 'usage-error', problem: '--identity must name a file' };
  return { kind: 'keys', path, force: values.force === true };
}

export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        server: { type: 'string' },
        'app-url': { type: 'string' },
        'ice-servers': { type: 'string' },
        downloads: { type: 'string' },
        remember: { type: 'boolean' },
        identity: { type: 'string' },
        force: { type: 'boolean' },
        'rsa-bits': { type: 'string' },
        'handshake-timeout': { type: 'string' },
        'connect-timeout': { type: 'string' },
        'reconnect-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { kind: 'usage-error', problem: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (positionals[0] === 'keys') return parseKeysCommand(values, positionals, env);
  if (values.force) return { kind: 'usage-error', problem: '--force is for `duet keys` only' };
  const name = values.name?.trim();
  if (!name) return { kind: 'usage-error', problem: '--name is required' };
  if (positionals.length > 1) return { kind: 'usage-error', problem: 'give at most one invite (link, code or short code)' };
  const serverUrl = values.server ?? env.DUET_SERVER ?? DEFAULT_SERVER;
  try {
    const protocol = new URL(serverUrl).protocol;
    if (protocol !== 'ws:' && protocol !== 'wss:') throw new Error('not ws');
  } catch {
    return { kind: 'usage-error', problem: `--server must be a ws:// or wss:// URL, not ${serverUrl}` };
  }
  const appUrl = values['app-url'] ?? env.DUET_APP_URL ?? appUrlOf(serverUrl);
  try {
    new URL(appUrl);
  } catch {
    return { kind: 'usage-error', problem: `--app-url must be a URL, not ${appUrl}` };
  }
  let iceServers: RTCIceServer[] = [];
  const rawIce = values['ice-servers'] ?? env.DUET_ICE_SERVERS;
  if (rawIce) {
    try {
      iceServers = parseIceServers(rawIce);
    } catch (error) {
      return { kind: 'usage-error', problem: (error as Error).message };
    }
  }
  const tuning = parseTuning(values, env);
  if (typeof tuning === 'string') return { kind: 'usage-error', problem: tuning };
  const identityPath = values.identity ?? env.DUET_IDENTITY ?? defaultIdentityPath(env);
  if (values.identity !== undefined && !values.remember) return { kind: 'usage-error', problem: '--identity needs --remember (or use it with `duet keys`)' };
  return {
    kind: 'chat',
    options: {
      name,
      invite: positionals[0],
      serverUrl,
      appUrl,
      iceServers,
      downloads: values.downloads ?? env.DUET_DOWNLOADS ?? cwd,
      identity: values.remember ? { kind: 'remember', path: identityPath } : { kind: 'anonymous' },
      tuning,
    },
  };
}
