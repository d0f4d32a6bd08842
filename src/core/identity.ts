/**
 * "Remember me on this device": a long-term ECDSA P-256 identity key whose private
 * half is a non-extractable CryptoKey kept in IndexedDB. After each handshake,
 * a side that uses one signs the session's transcript hash with it and sends the
 * public key and signature inside an encrypted record, so the peer can recognise
 * it next time (trust on first use) and notice if the key ever changes.
 */
import { type Bytes, concatBytes, fromBase64Url, toBase64Url, utf8Encode } from './bytes.ts';
import { DuetError } from './errors.ts';

const SIGNATURE_LABEL = utf8Encode('duet/v1/identity-signature');
const PUBLIC_KEY_BYTES = 65;
const SIGNATURE_BYTES = 64;
/** The identity key's algorithm (the terminal peer makes and imports its key file with it too). */
export const IDENTITY_KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA = IDENTITY_KEY_ALGORITHM;
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface DeviceIdentity {
  privateKey: CryptoKey;
  /** Raw uncompressed P-256 point. */
  publicKey: Bytes;
}

/** What a peer sends to prove it holds its identity key in this session. */
export interface IdentityProof {
  publicKey: string;
  signature: string;
}

export async function generateDeviceIdentity(): Promise<DeviceIdentity> {
  const pair = await crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify']);
  return { privateKey: pair.privateKey, publicKey: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)) };
}

function signedData(transcriptHash: Bytes): Bytes {
  return concatBytes(SIGNATURE_LABEL, transcriptHash);
}

export async function proveIdentity(identity: DeviceIdentity, transcriptHash: Bytes): Promise<IdentityProof> {
  const signature = new Uint8Array(await crypto.subtle.sign(ECDSA_SHA256, identity.privateKey, signedData(transcriptHash)));
  return { publicKey: toBase64Url(identity.publicKey), signature: toBase64Url(signature) };
}

/** Checks a peer's proof for this session; returns its public key, or throws DuetError('identity-invalid'). */
export async function verifyIdentity(proof: IdentityProof, transcriptHash: Bytes): Promise<Bytes> {
  try {
    const publicKey = fromBase64Url(proof.publicKey);
    const signature = fromBase64Url(proof.signature);
    if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) throw new Error('wrong sizes');
    const key = await crypto.subtle.importKey('raw', publicKey, ECDSA, false, ['verify']);
    if (await crypto.subtle.verify(ECDSA_SHA256, key, signature, signedData(transcriptHash))) return publicKey;
  } catch {
    // fall through: any failure is the same refusal
  }
  throw new DuetError('identity-invalid');
}

/** A short, readable fingerprint of an identity key, for display. */
export async function identityFingerprint(publicKey: Bytes): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', publicKey));
  return Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .replace(/(.{4})(?=.)/g, '$1 ');
}
