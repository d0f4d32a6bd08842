/**
 * The key schedule (docs/PROTOCOL.md §3): the transcript hashes, the safety code's
 * salt, and every key HKDF derives from both secrets, the ECDH secret and the PSK.
 */
import { type Bytes, concatBytes, lengthPrefixed, utf8Encode } from './bytes.ts';
import { LABELS, hkdfAesKey, hkdfBytes, hkdfHmacKey, importHkdfKey, sha256 } from './kdf.ts';
import { type Role } from './roles.ts';

const TRANSCRIPT_LABEL = 'duet/v1/transcript';
const SAFETY_SALT_LABEL = 'duet/v1/safety-salt';


/** Everything both sides must agree on, ordered host first so both compute the same bytes. */
export interface TranscriptInput {
  helloHost: Bytes;
  helloGuest: Bytes;
  fingerprintHost: string;
  fingerprintGuest: string;
}

export async function helloTranscriptHash(t: TranscriptInput): Promise<Bytes> {
  return sha256(
    concatBytes(
      utf8Encode(TRANSCRIPT_LABEL),
      lengthPrefixed(t.helloHost),
      lengthPrefixed(t.helloGuest),
      lengthPrefixed(utf8Encode(t.fingerprintHost)),
      lengthPrefixed(utf8Encode(t.fingerprintGuest)),
    ),
  );
}

/** The safety code's salt: both HELLOs only, which fix every value the code depends on (section 3). */
export function safetySalt(helloHost: Bytes, helloGuest: Bytes): Promise<Bytes> {
  return sha256(concatBytes(utf8Encode(SAFETY_SALT_LABEL), lengthPrefixed(helloHost), lengthPrefixed(helloGuest)));
}

export async function fullTranscriptHash(helloHash: Bytes, keyHost: Bytes, keyGuest: Bytes): Promise<Bytes> {
  return sha256(concatBytes(helloHash, lengthPrefixed(keyHost), lengthPrefixed(keyGuest)));
}

export interface SessionKeys {
  sendAes: CryptoKey;
  sendMac: CryptoKey;
  receiveAes: CryptoKey;
  receiveMac: CryptoKey;
  /** Six groups of five digits, identical on both sides only if nobody interfered. */
  safetyCode: string;
  transcriptHash: Bytes;
  /** Stands in for the room's PSK when the same two peers reconnect (docs/PROTOCOL.md). */
  resumptionSecret: Bytes;
  /** The PSK this handshake used: `psk`, or `previousPsk` when the peer named it. */
  pskUsed: Bytes;
}

export interface KeyScheduleInput {
  role: Role;
  secretHost: Bytes;
  secretGuest: Bytes;
  ecdhShared: Bytes;
  psk: Bytes;
  transcriptHash: Bytes;
  /** safetySalt(HELLO_host, HELLO_guest). */
  safetySalt: Bytes;
}

export interface DerivedKeys extends SessionKeys {
  confirmLocal: CryptoKey;
  confirmPeer: CryptoKey;
}

export function formatSafetyCode(bytes: Uint8Array): string {
  if (bytes.length !== 30) throw new RangeError('safety code needs 30 bytes');
  const groups: string[] = [];
  for (let g = 0; g < 6; g++) {
    let value = 0;
    for (let i = 0; i < 5; i++) value = value * 256 + bytes[g * 5 + i]!;
    groups.push(String(value % 100000).padStart(5, '0'));
  }
  return groups.join(' ');
}

export async function deriveSessionKeys(input: KeyScheduleInput): Promise<DerivedKeys> {
  const base = await importHkdfKey(concatBytes(input.secretHost, input.secretGuest, input.ecdhShared, input.psk));
  const salt = input.transcriptHash;
  const [hgAes, hgMac, ghAes, ghMac, confirmHost, confirmGuest, safety, resumptionSecret] = await Promise.all([
    hkdfAesKey(base, LABELS.hostToGuestAes, salt),
    hkdfHmacKey(base, LABELS.hostToGuestMac, salt),
    hkdfAesKey(base, LABELS.guestToHostAes, salt),
    hkdfHmacKey(base, LABELS.guestToHostMac, salt),
    hkdfHmacKey(base, LABELS.confirmHost, salt),
    hkdfHmacKey(base, LABELS.confirmGuest, salt),
    hkdfBytes(base, LABELS.safetyCode, 30, input.safetySalt),
    hkdfBytes(base, LABELS.resumption, 32, salt),
  ]);
  const isHost = input.role === 'host';
  return {
    sendAes: isHost ? hgAes : ghAes,
    sendMac: isHost ? hgMac : ghMac,
    receiveAes: isHost ? ghAes : hgAes,
    receiveMac: isHost ? ghMac : hgMac,
    confirmLocal: isHost ? confirmHost : confirmGuest,
    confirmPeer: isHost ? confirmGuest : confirmHost,
    safetyCode: formatSafetyCode(safety),
    transcriptHash: input.transcriptHash,
    resumptionSecret,
    pskUsed: input.psk,
  };
}
