/** Small helpers shared by the test-vector checks (tests/unit/core/test-vectors*.test.ts). */
import { createCipheriv, createHash, createHmac, hkdfSync } from 'node:crypto';
import type { TestVectors } from '../../../scripts/make-test-vectors.ts';
import { fromHex } from '../../../src/core/bytes.ts';
import { DuetError } from '../../../src/core/errors.ts';
import type { KeyScheduleInput } from '../../../src/core/key-schedule.ts';

/** An IV source that hands out exactly the given values, in order (the generator's own). */
export { fixedRandom } from '../../../scripts/test-vectors/primitives.ts';

/** The DuetError code a promise rejects with, or 'no error'. */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'no error',
    (error: unknown) => (error instanceof DuetError ? error.code : `not a DuetError: ${String(error)}`),
  );
}

/**
 * The key-schedule input of the vectors' handshake (secrets, ECDH x, PSK, TH, salt) as
 * deriveSessionKeys takes it; the resumed handshake passes its own PSK, TH and salt.
 */
export function keyScheduleOf(
  hs: TestVectors['handshake'],
  resumed?: { psk: string; th: string; safetySalt: string },
): Omit<KeyScheduleInput, 'role'> {
  return {
    secretHost: fromHex(hs.inputs.host.secret),
    secretGuest: fromHex(hs.inputs.guest.secret),
    ecdhShared: fromHex(hs.expected.ecdh_shared),
    psk: fromHex(resumed?.psk ?? hs.inputs.psk),
    transcriptHash: fromHex(resumed?.th ?? hs.expected.th),
    safetySalt: fromHex(resumed?.safetySalt ?? hs.expected.safety_salt),
  };
}

/* The spec's primitives straight from node:crypto (OpenSSL), independent of src/core. */
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const buf = (h: string): Buffer => Buffer.from(h, 'hex');
/** lp(x): x prefixed with its length as a 16-bit big-endian integer. */
export const lp = (b: Buffer): Buffer => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
export const sha256 = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
export const hkdf = (ikm: Buffer, salt: Buffer, label: string, length: number): Buffer => Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from(label, 'utf8'), length));
export const hmac = (key: Buffer, ...parts: Buffer[]): Buffer => createHmac('sha256', key).update(Buffer.concat(parts)).digest();
/** AES-256-GCM: ciphertext || 16-byte tag. */
export function aesGcm(key: Buffer, iv: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}
