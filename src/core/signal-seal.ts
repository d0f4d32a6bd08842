/**
 * Sealed signal payloads. WebRTC offers, answers and ICE candidates contain the
 * peers' network addresses and DTLS certificate fingerprints. They are sealed with
 * AES-256-GCM under a key derived from the room secret, so the signaling server
 * can neither read them nor swap a fingerprint to sit in the middle. The sender's
 * role is bound as additional data, so a payload cannot be reflected back to its
 * sender, and so is the connection attempt's fresh session nonce (chosen by the
 * host, sent first), so signals recorded from an earlier attempt cannot be replayed.
 * An ICE restart within an attempt gets its own nonce (also the host's), appended to
 * the binding: "<session nonce>/<restart nonce>" (see signalBinding).
 */
import { type Bytes, concatBytes, fromBase64Url, secureRandom, toBase64Url, utf8Decode, utf8Encode, type RandomSource } from './bytes.ts';
import { DuetError } from './errors.ts';
import type { Role } from './roles.ts';

const IV_BYTES = 12;
const MAX_SDP_CHARS = 32 * 1024;
const MAX_CANDIDATE_CHARS = 1024;
/** The largest handshake message (a HELLO with an 8192-bit RSA key) is about 1,600 characters of base64url. */
const MAX_HANDSHAKE_CHARS = 4096;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;

/** The subset of simple-peer's signal data Duet exchanges. */
export type SignalData =
  /** The host's first signal of each attempt: the nonce every later signal is bound to. */
  | { type: 'session'; nonce: string }
  /**
   * The host's announcement of an ICE restart on the live peer connection, sealed under
   * the current binding; every later signal of the attempt is bound to
   * signalBinding(session nonce, this nonce).
   */
  | { type: 'ice-restart'; nonce: string }
  /**
   * One handshake message (docs/PROTOCOL.md section 3), base64url: the handshake runs
   * through the server, sealed and bound like every signal, while WebRTC connects.
   */
  | { type: 'handshake'; message: string }
  | { type: 'offer' | 'answer'; sdp: string }
  | {
      type: 'candidate';
      candidate: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null; usernameFragment?: string | null };
    };

/** What the WebRTC layer exchanges (everything but the nonces and the handshake). */
export type WebRtcSignal = Exclude<SignalData, { type: 'session' | 'ice-restart' | 'handshake' }>;

const NONCE_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/**
 * What a signal is bound to: the attempt's session nonce, followed by "/<restart
 * nonce>" once the host has announced an ICE restart in that attempt (only the
 * latest restart counts, so signals of an earlier restart no longer open).
 */
export function signalBinding(sessionNonce: string, restartNonce?: string): string {
  return restartNonce === undefined ? sessionNonce : `${sessionNonce}/${restartNonce}`;
}

/** "duet/v1/signal/<sender>", plus "/<binding>" for every signal but the session one. */
function additionalData(sender: Role, binding: string | undefined): Bytes {
  return utf8Encode(binding === undefined ? `duet/v1/signal/${sender}` : `duet/v1/signal/${sender}/${binding}`);
}

export async function sealSignal(
  key: CryptoKey,
  sender: Role,
  signal: SignalData,
  random: RandomSource = secureRandom,
  binding?: string,
): Promise<string> {
  const iv = random(IV_BYTES);
  const plaintext = utf8Encode(JSON.stringify(signal));
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(sender, binding) }, key, plaintext),
  );
  return toBase64Url(concatBytes(iv, ciphertext));
}

/**
 * Opens and validates a payload from `sender` under `binding` (undefined for the
 * session message, see signalBinding); throws DuetError('signal-rejected').
 */
export async function openSignal(key: CryptoKey, sender: Role, payload: string, binding?: string): Promise<SignalData> {
  let plaintext: Bytes;
  try {
    const sealed = fromBase64Url(payload);
    if (sealed.length < IV_BYTES + 16) throw new Error('too short');
    plaintext = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: sealed.subarray(0, IV_BYTES), additionalData: additionalData(sender, binding) },
        key,
        sealed.subarray(IV_BYTES),
      ),
    );
  } catch {
    throw new DuetError('signal-rejected', 'payload did not open');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Decode(plaintext));
  } catch {
    throw new DuetError('signal-rejected', 'payload is not JSON');
  }
  const signal = parseSignalData(parsed);
  // The session nonce travels alone, without a nonce binding; everything else only with one.
  if ((signal.type === 'session') !== (binding === undefined)) throw new DuetError('signal-rejected', 'signal out of place');
  // Only the host leads ICE restarts (the guest makes the offers).
  if (signal.type === 'ice-restart' && sender !== 'host') throw new DuetError('signal-rejected', 'signal out of place');
  return signal;
}

function isOptional<T>(value: unknown, check: (v: unknown) => v is T): boolean {
  return value === undefined || value === null || check(value);
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1024;

export function parseSignalData(value: unknown): SignalData {
  const reject = (detail: string) => new DuetError('signal-rejected', detail);
  if (typeof value !== 'object' || value === null) throw reject('not an object');
  const data = value as Record<string, unknown>;
  if (data.type === 'session' || data.type === 'ice-restart') {
    if (typeof data.nonce !== 'string' || !NONCE_PATTERN.test(data.nonce)) throw reject(`invalid ${data.type} nonce`);
    return { type: data.type, nonce: data.nonce };
  }
  if (data.type === 'handshake') {
    const message = data.message;
    if (typeof message !== 'string' || message.length === 0 || message.length > MAX_HANDSHAKE_CHARS || !BASE64URL_PATTERN.test(message)) {
      throw reject('invalid handshake message');
    }
    return { type: 'handshake', message };
  }
  if (data.type === 'offer' || data.type === 'answer') {
    if (typeof data.sdp !== 'string' || data.sdp.length === 0 || data.sdp.length > MAX_SDP_CHARS) throw reject('invalid sdp');
    return { type: data.type, sdp: data.sdp };
  }
  if (data.type === 'candidate') {
    const c = data.candidate as Record<string, unknown> | null | undefined;
    if (typeof c !== 'object' || c === null) throw reject('invalid candidate');
    if (typeof c.candidate !== 'string' || c.candidate.length > MAX_CANDIDATE_CHARS) throw reject('invalid candidate');
    if (!isOptional(c.sdpMid, isString) || !isOptional(c.sdpMLineIndex, isIndex) || !isOptional(c.usernameFragment, isString)) {
      throw reject('invalid candidate fields');
    }
    return {
      type: 'candidate',
      candidate: {
        candidate: c.candidate,
        sdpMid: (c.sdpMid as string | null | undefined) ?? null,
        sdpMLineIndex: (c.sdpMLineIndex as number | null | undefined) ?? null,
        ...(typeof c.usernameFragment === 'string' ? { usernameFragment: c.usernameFragment } : {}),
      },
    };
  }
  throw reject('unknown signal type');
}

/**
 * The DTLS certificate fingerprint from an SDP (`a=fingerprint:sha-256 AB:CD:…`),
 * normalised to lower case (`sha-256 ab:cd:…`). Both peers bind both fingerprints into
 * the handshake transcript, so a swapped certificate makes the key confirmation fail.
 * Every `a=fingerprint` line counts, session-level and media-level alike: the browser
 * checks the one of the media section it uses, so an SDP whose lines name more than one
 * certificate is refused (one line could be bound while another is enforced).
 */
export function sdpFingerprint(sdp: string): string {
  const found = new Set<string>();
  for (const line of sdp.split(/\r?\n/)) {
    if (!line.startsWith('a=fingerprint:')) continue;
    const match = /^a=fingerprint:([A-Za-z0-9-]+) ((?:[0-9A-Fa-f]{2}:)*[0-9A-Fa-f]{2})\s*$/.exec(line);
    if (!match) throw new DuetError('signal-rejected', 'sdp has a malformed fingerprint');
    found.add(`${match[1]!.toLowerCase()} ${match[2]!.toLowerCase()}`);
  }
  if (found.size === 0) throw new DuetError('signal-rejected', 'sdp has no fingerprint');
  if (found.size > 1) throw new DuetError('signal-rejected', 'sdp names more than one DTLS certificate');
  return [...found][0]!;
}
