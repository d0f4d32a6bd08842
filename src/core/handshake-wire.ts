/**
 * The handshake's messages on the wire (docs/PROTOCOL.md §3): HELLO, KEY and CONFIRM,
 * each `version || type || body`, encoded and parsed strictly (a named error for
 * anything else), and the peer's keys imported with their sizes checked.
 */
import { type Bytes, concatBytes, lengthPrefixed, utf8Encode } from './bytes.ts';
import { DuetError } from './errors.ts';
import { sha256 } from './kdf.ts';

export const WIRE_VERSION = 1;

export const HandshakeType = { hello: 1, key: 2, confirm: 3 } as const;
export type HandshakeType = (typeof HandshakeType)[keyof typeof HandshakeType];

export const NONCE_BYTES = 32;
export const SECRET_BYTES = 32;
const ECDH_PUBLIC_BYTES = 65; // uncompressed P-256 point
const MAC_BYTES = 32;
const MAX_SPKI_BYTES = 2048;
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 8192;
const COMMITMENT_BYTES = 32;
const COMMITMENT_LABEL = 'duet/v1/commitment';
const PSK_ID_LABEL = 'duet/v1/psk-id';
const PSK_ID_BYTES = 32;

export interface Hello {
  nonce: Bytes;
  ecdhPublic: Bytes;
  /** SHA-256("duet/v1/commitment" || secret): binds the sender to the secret its KEY will carry. */
  commitment: Bytes;
  /** pskId(PSK): which pre-shared key the sender holds (a resumption may have reached only one side). */
  pskId: Bytes;
  rsaSpki: Bytes;
}

/** Names a pre-shared key without revealing it: SHA-256("duet/v1/psk-id" || psk). */
export function pskId(psk: Bytes): Promise<Bytes> {
  return sha256(concatBytes(utf8Encode(PSK_ID_LABEL), psk));
}

/** The HELLO's commitment to a KEY secret. */
export function secretCommitment(secret: Bytes): Promise<Bytes> {
  return sha256(concatBytes(utf8Encode(COMMITMENT_LABEL), secret));
}

function header(type: HandshakeType): Bytes {
  return new Uint8Array([WIRE_VERSION, type]);
}

export function encodeHello(hello: Hello): Bytes {
  return concatBytes(header(HandshakeType.hello), hello.nonce, hello.ecdhPublic, hello.commitment, hello.pskId, lengthPrefixed(hello.rsaSpki));
}

export function encodeKey(encryptedSecret: Bytes): Bytes {
  return concatBytes(header(HandshakeType.key), lengthPrefixed(encryptedSecret));
}

export function encodeConfirm(mac: Bytes): Bytes {
  return concatBytes(header(HandshakeType.confirm), mac);
}

const malformed = (detail: string) => new DuetError('handshake-malformed', detail);

/** Reads version and type; throws a named error for anything that is not a handshake message. */
export function handshakeTypeOf(message: Uint8Array): HandshakeType {
  if (message.length < 2) throw malformed('too short');
  if (message[0] !== WIRE_VERSION) throw new DuetError('unsupported-version', `version ${message[0]}`);
  const type = message[1];
  if (type !== HandshakeType.hello && type !== HandshakeType.key && type !== HandshakeType.confirm) throw malformed('unknown type');
  return type;
}

function readLengthPrefixed(message: Uint8Array, offset: number, max: number): Bytes {
  if (message.length < offset + 2) throw malformed('truncated length');
  const length = (message[offset]! << 8) | message[offset + 1]!;
  if (length === 0 || length > max) throw malformed('field length out of range');
  if (message.length !== offset + 2 + length) throw malformed('length mismatch');
  return message.slice(offset + 2, offset + 2 + length) as Bytes;
}

export function parseHello(message: Uint8Array): Hello {
  if (handshakeTypeOf(message) !== HandshakeType.hello) throw malformed('expected HELLO');
  const ecdhEnd = 2 + NONCE_BYTES + ECDH_PUBLIC_BYTES;
  const commitmentEnd = ecdhEnd + COMMITMENT_BYTES;
  const fixed = commitmentEnd + PSK_ID_BYTES;
  if (message.length < fixed + 2) throw malformed('HELLO too short');
  return {
    nonce: message.slice(2, 2 + NONCE_BYTES) as Bytes,
    ecdhPublic: message.slice(2 + NONCE_BYTES, ecdhEnd) as Bytes,
    commitment: message.slice(ecdhEnd, commitmentEnd) as Bytes,
    pskId: message.slice(commitmentEnd, fixed) as Bytes,
    rsaSpki: readLengthPrefixed(message, fixed, MAX_SPKI_BYTES),
  };
}

export function parseKey(message: Uint8Array): Bytes {
  if (handshakeTypeOf(message) !== HandshakeType.key) throw malformed('expected KEY');
  return readLengthPrefixed(message, 2, MAX_RSA_BITS / 8);
}

export function parseConfirm(message: Uint8Array): Bytes {
  if (handshakeTypeOf(message) !== HandshakeType.confirm) throw malformed('expected CONFIRM');
  if (message.length !== 2 + MAC_BYTES) throw malformed('CONFIRM has the wrong length');
  return message.slice(2) as Bytes;
}

/** Imports a peer's RSA key, refusing anything but RSA-OAEP of a sane size. */
export async function importPeerRsaKey(spki: Bytes): Promise<CryptoKey> {
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('spki', spki, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
  } catch {
    throw malformed('invalid RSA public key');
  }
  const { modulusLength } = key.algorithm as RsaHashedKeyAlgorithm;
  if (modulusLength < MIN_RSA_BITS || modulusLength > MAX_RSA_BITS) throw malformed(`RSA modulus ${modulusLength} out of range`);
  return key;
}

export async function importPeerEcdhKey(raw: Bytes): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey('raw', raw, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  } catch {
    throw malformed('invalid ECDH share');
  }
}
