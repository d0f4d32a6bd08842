/**
 * Build-time configuration (Vite `VITE_*` variables), read once. Every value has a
 * safe default: same-origin signaling and no STUN/TURN servers at all.
 */
import { DEFAULT_HANDSHAKE_CONFIG, type HandshakeConfig } from './core/handshake.ts';

export interface AppConfig {
  signalingUrl: string;
  iceServers: RTCIceServer[];
  handshake: HandshakeConfig;
}

function parseIceServers(raw: string | undefined): RTCIceServer[] {
  if (!raw) return [];
  const value: unknown = JSON.parse(raw);
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'object' && s !== null && 'urls' in s)) {
    throw new Error('VITE_ICE_SERVERS must be a JSON array of RTCIceServer objects');
  }
  return value as RTCIceServer[];
}

function positiveInt(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`invalid number in configuration: ${raw}`);
  return value;
}

/** Same origin, path /ws, matching http→ws and https→wss. */
export function defaultSignalingUrl(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

export function loadConfig(env: ImportMetaEnv, location: Location): AppConfig {
  return {
    signalingUrl: env.VITE_SIGNALING_URL || defaultSignalingUrl(location),
    iceServers: parseIceServers(env.VITE_ICE_SERVERS),
    handshake: {
      rsaModulusLength: positiveInt(env.VITE_RSA_MODULUS_LENGTH, DEFAULT_HANDSHAKE_CONFIG.rsaModulusLength),
      rsaPublicExponent: positiveInt(env.VITE_RSA_PUBLIC_EXPONENT, DEFAULT_HANDSHAKE_CONFIG.rsaPublicExponent),
      stepTimeoutMs: positiveInt(env.VITE_HANDSHAKE_TIMEOUT_MS, DEFAULT_HANDSHAKE_CONFIG.stepTimeoutMs),
      maxAttempts: positiveInt(env.VITE_HANDSHAKE_ATTEMPTS, DEFAULT_HANDSHAKE_CONFIG.maxAttempts),
      retryDelayMs: positiveInt(env.VITE_HANDSHAKE_RETRY_DELAY_MS, DEFAULT_HANDSHAKE_CONFIG.retryDelayMs),
    },
  };
}
