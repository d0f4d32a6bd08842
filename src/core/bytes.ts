/** Byte helpers shared by the protocol code. Pure; no DOM, no network. */

/** Bytes backed by a plain ArrayBuffer, as WebCrypto's BufferSource requires. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** Source of cryptographically secure random bytes (a seam for deterministic tests). */
export type RandomSource = (length: number) => Bytes;

export const secureRandom: RandomSource = (length) => crypto.getRandomValues(new Uint8Array(length));

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

export function utf8Encode(text: string): Bytes {
  return textEncoder.encode(text) as Bytes;
}

/** Strict UTF-8 decoding: invalid sequences throw instead of becoming U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

export function concatBytes(...parts: Uint8Array[]): Bytes {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Copies into a fresh ArrayBuffer-backed array (views from the network may share buffers). */
export function copyBytes(bytes: Uint8Array): Bytes {
  return new Uint8Array(bytes);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Prefixes with a 16-bit big-endian length, so concatenated fields stay unambiguous. */
export function lengthPrefixed(bytes: Uint8Array): Bytes {
  if (bytes.length > 0xffff) throw new RangeError('field longer than 65535 bytes');
  const out = new Uint8Array(2 + bytes.length);
  new DataView(out.buffer).setUint16(0, bytes.length);
  out.set(bytes, 2);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(hex: string): Bytes {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) throw new SyntaxError('invalid hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes unpadded base64url; throws SyntaxError on anything else. */
export function fromBase64Url(text: string): Bytes {
  if (!BASE64URL_PATTERN.test(text) || text.length % 4 === 1) throw new SyntaxError('invalid base64url');
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  // Reject non-canonical encodings (stray low bits), so each value has one spelling.
  if (toBase64Url(out) !== text) throw new SyntaxError('non-canonical base64url');
  return out;
}
