/**
 * Direct readings of the spec's primitives (WebCrypto and node:crypto used raw, not
 * through src/core), so the generator can cross-check the implementation before it
 * writes a vector; and the fixed-IV random source the implementation is fed.
 */
import { createECDH } from 'node:crypto';
import { type Bytes, fromHex, toBase64Url, utf8Encode } from '../../src/core/bytes.ts';

export function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`implementation and spec disagree: ${what}`);
}

/** `from`, from+1, … as `length` bytes of hex (e.g. seq(0x00, 32) = 00 01 … 1f). */
export function seq(from: number, length: number): string {
  return toHexString(Uint8Array.from({ length }, (_, i) => (from + i) & 0xff));
}

function toHexString(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export async function hkdfRaw(ikm: Bytes, salt: Bytes, label: string, length: number): Promise<Bytes> {
  const base = await crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info: utf8Encode(label) }, base, length * 8));
}

export async function sha256Raw(data: Bytes): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
}

export async function hmacRaw(key: Bytes, data: Bytes): Promise<Bytes> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, data));
}

export async function aesGcmRaw(key: Bytes, iv: Bytes, plaintext: Bytes, additionalData: Bytes): Promise<Bytes> {
  const k = await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt']);
  return new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, k, plaintext));
}

/** A fixed P-256 private scalar as a JWK (ECDH or ECDSA), with its uncompressed public point. */
export function p256FromScalar(dHex: string): { jwk: JsonWebKey; publicRaw: Bytes } {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(dHex, 'hex'));
  const publicRaw = new Uint8Array(ecdh.getPublicKey(null, 'uncompressed'));
  const jwk: JsonWebKey = {
    kty: 'EC',
    crv: 'P-256',
    d: toBase64Url(fromHex(dHex)),
    x: toBase64Url(publicRaw.subarray(1, 33)),
    y: toBase64Url(publicRaw.subarray(33, 65)),
  };
  return { jwk, publicRaw };
}

/** A fixed P-256 private scalar as a WebCrypto ECDH key, with its uncompressed public point. */
export async function ecdhFromScalar(dHex: string): Promise<{ privateKey: CryptoKey; publicRaw: Bytes }> {
  const { jwk, publicRaw } = p256FromScalar(dHex);
  const privateKey = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  return { privateKey, publicRaw };
}

/** A random source that hands out the given values in order, and nothing else. */
export function fixedRandom(values: string[]): (length: number) => Bytes {
  const queue = values.map((value) => fromHex(value));
  return (length) => {
    const next = queue.shift();
    if (!next || next.length !== length) throw new Error(`unexpected random(${length}) request`);
    return next;
  };
}
