/**
 * The one-time values: RSA-OAEP and ECDSA are randomised, so the two RSA-2048 key
 * pairs, the two KEY ciphertexts and the identity signature are made once, stored in
 * docs/test-vectors.json, and read back on every later run (when still consistent with
 * the fixed inputs), so re-running reproduces the file byte for byte.
 */
import { type Bytes, bytesEqual, fromHex, toHex } from '../../src/core/bytes.ts';
import { FIXED } from './fixed.ts';
import { p256FromScalar } from './primitives.ts';
import type { TestVectors } from './types.ts';

export interface OneTime {
  host: { rsa_pkcs8: string; rsa_spki: string; key_ciphertext: string };
  guest: { rsa_pkcs8: string; rsa_spki: string; key_ciphertext: string };
}

export const ONE_TIME_PATHS = [
  'handshake.inputs.host.rsa_pkcs8',
  'handshake.inputs.host.rsa_spki',
  'handshake.inputs.host.key_ciphertext',
  'handshake.inputs.guest.rsa_pkcs8',
  'handshake.inputs.guest.rsa_spki',
  'handshake.inputs.guest.key_ciphertext',
  'identity.expected.signature',
];

async function makeRsaPair(): Promise<{ pkcs8: string; spki: string }> {
  const pair = await crypto.subtle.generateKey(
    { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['encrypt', 'decrypt'],
  );
  return {
    pkcs8: toHex(new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey))),
    spki: toHex(new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey))),
  };
}

async function rsaEncrypt(spkiHex: string, plaintext: Bytes): Promise<string> {
  const key = await crypto.subtle.importKey('spki', fromHex(spkiHex), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
  return toHex(new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, key, plaintext)));
}

async function rsaDecrypt(pkcs8Hex: string, ciphertextHex: string): Promise<Bytes | undefined> {
  try {
    const key = await crypto.subtle.importKey('pkcs8', fromHex(pkcs8Hex), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']);
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, key, fromHex(ciphertextHex)));
  } catch {
    return undefined;
  }
}

async function spkiOf(pkcs8Hex: string): Promise<string | undefined> {
  try {
    const priv = await crypto.subtle.importKey('pkcs8', fromHex(pkcs8Hex), { name: 'RSA-OAEP', hash: 'SHA-256' }, true, ['decrypt']);
    const jwk = await crypto.subtle.exportKey('jwk', priv);
    const pub = await crypto.subtle.importKey('jwk', { kty: 'RSA', n: jwk.n!, e: jwk.e!, alg: 'RSA-OAEP-256', ext: true }, { name: 'RSA-OAEP', hash: 'SHA-256' }, true, ['encrypt']);
    return toHex(new Uint8Array(await crypto.subtle.exportKey('spki', pub)));
  } catch {
    return undefined;
  }
}

/**
 * The RSA values: reused from `previous` when they are still consistent with the
 * fixed inputs, otherwise (or with `fresh`) made anew.
 */
export async function oneTimeRsa(previous: TestVectors | undefined, fresh: boolean, log: (line: string) => void): Promise<OneTime> {
  const old = fresh ? undefined : previous?.handshake?.inputs;
  const pair = async (side: 'host' | 'guest') => {
    const stored = old?.[side];
    if (stored?.rsa_pkcs8 && stored.rsa_spki && (await spkiOf(stored.rsa_pkcs8)) === stored.rsa_spki) {
      return { pkcs8: stored.rsa_pkcs8, spki: stored.rsa_spki };
    }
    log(`generating a new RSA-2048 key pair for the ${side}`);
    return makeRsaPair();
  };
  const host = await pair('host');
  const guest = await pair('guest');
  // KEY_host carries the host's secret to the guest, so it is encrypted to the guest's key (and vice versa).
  const ciphertext = async (side: 'host' | 'guest', peer: { pkcs8: string; spki: string }) => {
    const stored = old?.[side]?.key_ciphertext;
    const secret = fromHex(FIXED[side].secret);
    if (stored && old?.[side === 'host' ? 'guest' : 'host']?.rsa_spki === peer.spki) {
      const opened = await rsaDecrypt(peer.pkcs8, stored);
      if (opened && bytesEqual(opened, secret)) return stored;
    }
    log(`encrypting the ${side}'s secret anew (RSA-OAEP is randomized)`);
    return rsaEncrypt(peer.spki, secret);
  };
  return {
    host: { rsa_pkcs8: host.pkcs8, rsa_spki: host.spki, key_ciphertext: await ciphertext('host', guest) },
    guest: { rsa_pkcs8: guest.pkcs8, rsa_spki: guest.spki, key_ciphertext: await ciphertext('guest', host) },
  };
}

/** The fixed identity scalar as an ECDSA P-256 key pair (WebCrypto), with its raw public point. */
export async function identityKeys(): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; publicRaw: Bytes }> {
  const { jwk, publicRaw } = p256FromScalar(FIXED.identityPrivate);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
  const privateKey = await crypto.subtle.importKey('jwk', jwk, algorithm, false, ['sign']);
  const publicKey = await crypto.subtle.importKey('raw', publicRaw, algorithm, false, ['verify']);
  return { privateKey, publicKey, publicRaw };
}

/** The stored identity signature if it still verifies over `signedData`, else a new one. */
export async function oneTimeSignature(previous: TestVectors | undefined, fresh: boolean, signedData: Bytes, log: (line: string) => void): Promise<string> {
  const { privateKey, publicKey } = await identityKeys();
  const ecdsa = { name: 'ECDSA', hash: 'SHA-256' } as const;
  const stored = fresh ? undefined : previous?.identity?.expected?.signature;
  if (stored && /^[0-9a-f]{128}$/.test(stored) && (await crypto.subtle.verify(ecdsa, publicKey, fromHex(stored), signedData))) return stored;
  log('signing the identity vector anew (ECDSA is randomized)');
  return toHex(new Uint8Array(await crypto.subtle.sign(ecdsa, privateKey, signedData)));
}
