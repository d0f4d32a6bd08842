/**
 * HKDF-SHA256 (RFC 5869) through WebCrypto. Every label Duet uses is listed in
 * LABELS so that docs/PROTOCOL.md and the code cannot disagree on one.
 */
import { type Bytes, utf8Encode } from './bytes.ts';

export const LABELS = {
  roomId: 'duet/v1/room-id',
  signalKey: 'duet/v1/signal-key',
  psk: 'duet/v1/psk',
  hostToGuestAes: 'duet/v1/host->guest/aes-gcm',
  hostToGuestMac: 'duet/v1/host->guest/hmac',
  guestToHostAes: 'duet/v1/guest->host/aes-gcm',
  guestToHostMac: 'duet/v1/guest->host/hmac',
  confirmHost: 'duet/v1/confirm/host',
  confirmGuest: 'duet/v1/confirm/guest',
  safetyCode: 'duet/v1/safety-code',
  resumption: 'duet/v1/resumption',
} as const;

const EMPTY_SALT = new Uint8Array(0);

export async function importHkdfKey(ikm: Bytes): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits', 'deriveKey']);
}

function hkdfParams(label: string, salt: Bytes): HkdfParams {
  return { name: 'HKDF', hash: 'SHA-256', salt, info: utf8Encode(label) };
}

export async function hkdfBytes(base: CryptoKey, label: string, length: number, salt: Bytes = EMPTY_SALT): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.deriveBits(hkdfParams(label, salt), base, length * 8));
}

/** Derives a non-extractable AES-256-GCM key. */
export async function hkdfAesKey(base: CryptoKey, label: string, salt: Bytes = EMPTY_SALT): Promise<CryptoKey> {
  return crypto.subtle.deriveKey(hkdfParams(label, salt), base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** Derives a non-extractable HMAC-SHA256 key with a 256-bit key. */
export async function hkdfHmacKey(base: CryptoKey, label: string, salt: Bytes = EMPTY_SALT): Promise<CryptoKey> {
  return crypto.subtle.deriveKey(
    hkdfParams(label, salt),
    base,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify'],
  );
}

export async function sha256(data: Bytes): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
}
