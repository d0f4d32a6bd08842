/**
 * Writes docs/test-vectors.json: Duet protocol v1 computed from fixed inputs with
 * the real implementation (src/core), so anyone can check an independent
 * implementation against it (docs/PROTOCOL.md, section "Test vectors").
 *
 *   npx tsx scripts/make-test-vectors.ts            re-create the file (deterministic)
 *   npx tsx scripts/make-test-vectors.ts --new-rsa  also replace the one-time values
 *
 * Everything is a pure function of the FIXED inputs below except the "one-time"
 * values: the two RSA-2048 key pairs and the two RSA-OAEP ciphertexts (OAEP is
 * randomized). Those are made once and read back from the existing file on every
 * later run, so re-running reproduces the file byte for byte. Before writing, the
 * script cross-checks the implementation against a direct reading of the spec and
 * refuses to write vectors the two disagree on.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createECDH } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Bytes, bytesEqual, concatBytes, fromHex, lengthPrefixed, toBase64Url, toHex, utf8Encode } from '../src/core/bytes.ts';
import { deriveRoomKeys, encodeInviteCode } from '../src/core/invite.ts';
import { sealSignal, type SignalData } from '../src/core/signal-seal.ts';
import {
  encodeConfirm,
  encodeHello,
  encodeKey,
  formatSafetyCode,
  fullTranscriptHash,
  helloTranscriptHash,
  deriveSessionKeys,
  pskId,
  safetySalt,
  secretCommitment,
} from '../src/core/handshake.ts';
import { RecordSealer } from '../src/core/record.ts';
import { encodePeerMessage, recordTypeOf, type PeerMessage } from '../src/core/messages.ts';

export const VECTORS_PATH = fileURLToPath(new URL('../docs/test-vectors.json', import.meta.url));

/* ------------------------------------------------------------------ fixed inputs */

/** `from`, from+1, … as `length` bytes of hex (e.g. seq(0x00, 32) = 00 01 … 1f). */
function seq(from: number, length: number): string {
  return toHex(Uint8Array.from({ length }, (_, i) => (from + i) & 0xff));
}

/** A DTLS fingerprint as Duet binds it: "sha-256 " + 32 lower-case colon-separated bytes. */
function fingerprint(from: number): string {
  return `sha-256 ${seq(from, 32).match(/../g)!.join(':')}`;
}

export const FIXED = {
  roomSecret: seq(0x00, 32),
  signalIv: seq(0xe0, 12),
  /** The host's session nonce for this attempt (base64url of 16 bytes f0…ff). */
  sessionNonce: Buffer.from(fromHex(seq(0xf0, 16))).toString('base64url'),
  host: {
    nonce: seq(0x20, 32),
    ecdhPrivate: seq(0x60, 32),
    secret: seq(0xa0, 32),
    dtlsFingerprint: fingerprint(0x10),
  },
  guest: {
    nonce: seq(0x40, 32),
    ecdhPrivate: seq(0x80, 32),
    secret: seq(0xc0, 32),
    dtlsFingerprint: fingerprint(0x30),
  },
} as const;

/** The host's answer, as simple-peer would signal it. Its fingerprint line is upper case on purpose. */
const HOST_ANSWER_SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=msid-semantic: WMS',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:dUeT',
  'a=ice-pwd:duet-test-vector-ice-pwd0',
  'a=ice-options:trickle',
  `a=fingerprint:sha-256 ${seq(0x10, 32).toUpperCase().match(/../g)!.join(':')}`,
  'a=setup:active',
  'a=mid:0',
  'a=sctp-port:5000',
  'a=max-message-size:262144',
  '',
].join('\r\n');

const FIXED_SIGNAL: SignalData = { type: 'answer', sdp: HOST_ANSWER_SDP };

interface FixedRecord {
  message: PeerMessage;
  iv: string;
}

const FIXED_RECORDS: { hostToGuest: FixedRecord[]; guestToHost: FixedRecord[] } = {
  hostToGuest: [
    { message: { type: 'chat', id: 'msg-00000001', text: 'Hello, Duet! ¡Olá! 👋🏽 漢字', sentAt: 1700000000000 }, iv: seq(0x01, 12) },
    { message: { type: 'bye' }, iv: seq(0x21, 12) },
  ],
  guestToHost: [{ message: { type: 'profile', name: 'Guest Tester' }, iv: seq(0x41, 12) }],
};

/** HKDF labels, copied from docs/PROTOCOL.md (not from src/core/kdf.ts, on purpose). */
const SPEC_LABELS = {
  host_to_guest_aes: 'duet/v1/host->guest/aes-gcm',
  host_to_guest_hmac: 'duet/v1/host->guest/hmac',
  guest_to_host_aes: 'duet/v1/guest->host/aes-gcm',
  guest_to_host_hmac: 'duet/v1/guest->host/hmac',
  confirm_host: 'duet/v1/confirm/host',
  confirm_guest: 'duet/v1/confirm/guest',
} as const;

/* ------------------------------------------------------------------ file shape */

export interface SideInputs {
  nonce: string;
  ecdh_private: string;
  /** One-time: PKCS#8 DER of this side's RSA-OAEP private key (2048-bit, e = 65537). */
  rsa_pkcs8: string;
  /** One-time: SPKI DER of the same key, as sent in HELLO. */
  rsa_spki: string;
  /** The 32 bytes this side transports in its KEY. */
  secret: string;
  /** One-time: RSA-OAEP-SHA256 (MGF1-SHA256, empty label) of `secret` under the PEER's rsa_spki. */
  key_ciphertext: string;
  dtls_fingerprint: string;
}

export interface RecordVector {
  type: PeerMessage['type'];
  type_byte: number;
  sequence: number;
  iv: string;
  plaintext_text: string;
  plaintext: string;
  expected: { header: string; ciphertext: string; hmac: string; record: string };
}

export interface TestVectors {
  description: string;
  protocol: string;
  spec: string;
  generator: string;
  encoding: string;
  one_time_values: string[];
  invite: {
    inputs: { room_secret: string };
    expected: { invite_code: string; room_id_bytes: string; room_id: string; signal_key: string; psk: string };
  };
  signal: {
    inputs: { key: string; sender_role: 'host'; session_nonce: string; signal: SignalData; iv: string };
    expected: { additional_data: string; plaintext: string; sealed: string; payload: string; sdp_fingerprint: string };
  };
  handshake: {
    inputs: { psk: string; host: SideInputs; guest: SideInputs };
    expected: {
      host_ecdh_public: string;
      guest_ecdh_public: string;
      commitment_host: string;
      commitment_guest: string;
      psk_id: string;
      hello_host: string;
      hello_guest: string;
      key_host: string;
      key_guest: string;
      th1: string;
      th: string;
      ecdh_shared: string;
      ikm: string;
      keys: Record<keyof typeof SPEC_LABELS, string>;
      safety_salt: string;
      safety_code_bytes: string;
      safety_code: string;
      confirm_mac_host: string;
      confirm_mac_guest: string;
      confirm_host: string;
      confirm_guest: string;
    };
  };
  records: {
    note: string;
    host_to_guest: RecordVector[];
    guest_to_host: RecordVector[];
  };
}

/* ------------------------------------------------------------------ helpers */

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`implementation and spec disagree: ${what}`);
}

async function hkdfRaw(ikm: Bytes, salt: Bytes, label: string, length: number): Promise<Bytes> {
  const base = await crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info: utf8Encode(label) }, base, length * 8));
}

async function sha256Raw(data: Bytes): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
}

async function hmacRaw(key: Bytes, data: Bytes): Promise<Bytes> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, data));
}

/** A fixed P-256 private scalar as a WebCrypto ECDH key, with its uncompressed public point. */
async function ecdhFromScalar(dHex: string): Promise<{ privateKey: CryptoKey; publicRaw: Bytes }> {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(dHex, 'hex'));
  const publicRaw = new Uint8Array(ecdh.getPublicKey(null, 'uncompressed'));
  const b64 = (b: Uint8Array) => toBase64Url(b);
  const jwk: JsonWebKey = {
    kty: 'EC',
    crv: 'P-256',
    d: b64(fromHex(dHex)),
    x: b64(publicRaw.subarray(1, 33)),
    y: b64(publicRaw.subarray(33, 65)),
  };
  const privateKey = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  return { privateKey, publicRaw };
}

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

interface OneTime {
  host: { rsa_pkcs8: string; rsa_spki: string; key_ciphertext: string };
  guest: { rsa_pkcs8: string; rsa_spki: string; key_ciphertext: string };
}

/**
 * The one-time values: reused from `previous` when they are still consistent with
 * the fixed inputs, otherwise (or with `fresh`) made anew.
 */
async function oneTimeValues(previous: TestVectors | undefined, fresh: boolean, log: (line: string) => void): Promise<OneTime> {
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

/** An IV source that hands out the given IVs in order, and nothing else. */
function fixedRandom(ivs: string[]): (length: number) => Bytes {
  const queue = ivs.map((iv) => fromHex(iv));
  return (length) => {
    const next = queue.shift();
    if (!next || next.length !== length) throw new Error(`unexpected random(${length}) request`);
    return next;
  };
}

async function recordVectors(aes: CryptoKey, mac: CryptoKey, rawAes: Bytes, rawMac: Bytes, fixed: FixedRecord[]): Promise<RecordVector[]> {
  const sealer = new RecordSealer(aes, mac, fixedRandom(fixed.map((r) => r.iv)));
  const out: RecordVector[] = [];
  for (const [index, { message, iv }] of fixed.entries()) {
    const plaintext = encodePeerMessage(message);
    const typeByte = recordTypeOf(message.type);
    const record = await sealer.seal(typeByte, plaintext);
    const header = record.subarray(0, 22);
    const ciphertext = record.subarray(22, record.length - 32);
    const hmac = record.subarray(record.length - 32);
    // Spec: AES-256-GCM(direction key, iv, plaintext, aad = header); HMAC(direction key, header || ciphertext).
    const sequence = index + 1;
    const specHeader = new Uint8Array(22);
    specHeader[0] = 1;
    specHeader[1] = typeByte;
    new DataView(specHeader.buffer).setBigUint64(2, BigInt(sequence));
    specHeader.set(fromHex(iv), 10);
    check(bytesEqual(header, specHeader), `record header #${sequence}`);
    const gcmKey = await crypto.subtle.importKey('raw', rawAes, 'AES-GCM', false, ['encrypt']);
    const specCiphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: fromHex(iv), additionalData: specHeader }, gcmKey, plaintext));
    check(bytesEqual(ciphertext, specCiphertext), `record ciphertext #${sequence}`);
    check(bytesEqual(hmac, await hmacRaw(rawMac, concatBytes(specHeader, specCiphertext))), `record HMAC #${sequence}`);
    out.push({
      type: message.type,
      type_byte: typeByte,
      sequence,
      iv,
      plaintext_text: new TextDecoder().decode(plaintext),
      plaintext: toHex(plaintext),
      expected: { header: toHex(header), ciphertext: toHex(ciphertext), hmac: toHex(hmac), record: toHex(record) },
    });
  }
  return out;
}

/* ------------------------------------------------------------------ the vectors */

export async function buildVectors(previous?: TestVectors, options: { fresh?: boolean; log?: (line: string) => void } = {}): Promise<TestVectors> {
  const log = options.log ?? (() => {});
  const secret = fromHex(FIXED.roomSecret);

  // 1. Invite and room keys.
  const room = await deriveRoomKeys(secret);
  const roomIdBytes = await hkdfRaw(secret, new Uint8Array(0), 'duet/v1/room-id', 16);
  const signalKey = await hkdfRaw(secret, new Uint8Array(0), 'duet/v1/signal-key', 32);
  const psk = await hkdfRaw(secret, new Uint8Array(0), 'duet/v1/psk', 32);
  check(room.roomId === toBase64Url(roomIdBytes), 'room id');
  check(bytesEqual(room.psk, psk), 'psk');

  // 2. A sealed signal payload from the host.
  const payload = await sealSignal(room.signalKey, 'host', FIXED_SIGNAL, fixedRandom([FIXED.signalIv]), FIXED.sessionNonce);
  const signalPlaintext = utf8Encode(JSON.stringify(FIXED_SIGNAL));
  const additionalData = utf8Encode(`duet/v1/signal/host/${FIXED.sessionNonce}`);
  const rawSignalKey = await crypto.subtle.importKey('raw', signalKey, 'AES-GCM', false, ['encrypt']);
  const sealed = concatBytes(
    fromHex(FIXED.signalIv),
    new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: fromHex(FIXED.signalIv), additionalData }, rawSignalKey, signalPlaintext)),
  );
  check(payload === toBase64Url(sealed), 'sealed signal payload');

  // 3. Handshake.
  const oneTime = await oneTimeValues(previous, options.fresh ?? false, log);
  const hostEcdh = await ecdhFromScalar(FIXED.host.ecdhPrivate);
  const guestEcdh = await ecdhFromScalar(FIXED.guest.ecdhPrivate);
  const secretHost = fromHex(FIXED.host.secret);
  const secretGuest = fromHex(FIXED.guest.secret);
  const commitmentHost = await sha256Raw(concatBytes(utf8Encode('duet/v1/commitment'), secretHost));
  const commitmentGuest = await sha256Raw(concatBytes(utf8Encode('duet/v1/commitment'), secretGuest));
  check(bytesEqual(commitmentHost, await secretCommitment(secretHost)), 'secret commitment');
  const pskIdBytes = await sha256Raw(concatBytes(utf8Encode('duet/v1/psk-id'), psk));
  check(bytesEqual(pskIdBytes, await pskId(psk)), 'PSK id');
  const helloHost = encodeHello({ nonce: fromHex(FIXED.host.nonce), ecdhPublic: hostEcdh.publicRaw, commitment: commitmentHost, pskId: pskIdBytes, rsaSpki: fromHex(oneTime.host.rsa_spki) });
  const helloGuest = encodeHello({ nonce: fromHex(FIXED.guest.nonce), ecdhPublic: guestEcdh.publicRaw, commitment: commitmentGuest, pskId: pskIdBytes, rsaSpki: fromHex(oneTime.guest.rsa_spki) });
  const keyHost = encodeKey(fromHex(oneTime.host.key_ciphertext));
  const keyGuest = encodeKey(fromHex(oneTime.guest.key_ciphertext));
  const th1 = await helloTranscriptHash({
    helloHost,
    helloGuest,
    fingerprintHost: FIXED.host.dtlsFingerprint,
    fingerprintGuest: FIXED.guest.dtlsFingerprint,
  });
  const th = await fullTranscriptHash(th1, keyHost, keyGuest);
  const importPeer = (raw: Bytes) => crypto.subtle.importKey('raw', raw, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  const sharedHost = new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: await importPeer(guestEcdh.publicRaw) }, hostEcdh.privateKey, 256));
  const sharedGuest = new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: await importPeer(hostEcdh.publicRaw) }, guestEcdh.privateKey, 256));
  check(bytesEqual(sharedHost, sharedGuest), 'ECDH shared secret');
  const ikm = concatBytes(secretHost, secretGuest, sharedHost, psk);

  const salt = await sha256Raw(concatBytes(utf8Encode('duet/v1/safety-salt'), lengthPrefixed(helloHost), lengthPrefixed(helloGuest)));
  check(bytesEqual(salt, await safetySalt(helloHost, helloGuest)), 'safety salt');
  const schedule = { secretHost, secretGuest, ecdhShared: sharedHost, psk, transcriptHash: th, safetySalt: salt };
  const hostKeys = await deriveSessionKeys({ role: 'host', ...schedule });
  const guestKeys = await deriveSessionKeys({ role: 'guest', ...schedule });
  const keys = {} as Record<keyof typeof SPEC_LABELS, string>;
  const raw = {} as Record<keyof typeof SPEC_LABELS, Bytes>;
  for (const name of Object.keys(SPEC_LABELS) as (keyof typeof SPEC_LABELS)[]) {
    raw[name] = await hkdfRaw(ikm, th, SPEC_LABELS[name], 32);
    keys[name] = toHex(raw[name]);
  }
  const safetyBytes = await hkdfRaw(ikm, salt, 'duet/v1/safety-code', 30);
  check(hostKeys.safetyCode === formatSafetyCode(safetyBytes) && guestKeys.safetyCode === hostKeys.safetyCode, 'safety code');

  const macHost = new Uint8Array(await crypto.subtle.sign('HMAC', hostKeys.confirmLocal, th));
  const macGuest = new Uint8Array(await crypto.subtle.sign('HMAC', guestKeys.confirmLocal, th));
  check(bytesEqual(macHost, await hmacRaw(raw.confirm_host, th)), 'host CONFIRM MAC');
  check(bytesEqual(macGuest, await hmacRaw(raw.confirm_guest, th)), 'guest CONFIRM MAC');
  check(await crypto.subtle.verify('HMAC', guestKeys.confirmPeer, macHost, th), 'guest verifies host CONFIRM');
  check(await crypto.subtle.verify('HMAC', hostKeys.confirmPeer, macGuest, th), 'host verifies guest CONFIRM');

  // 4. Records, sealed with the implementation's keys and checked against the raw spec keys.
  const hostToGuest = await recordVectors(hostKeys.sendAes, hostKeys.sendMac, raw.host_to_guest_aes, raw.host_to_guest_hmac, FIXED_RECORDS.hostToGuest);
  const guestToHost = await recordVectors(guestKeys.sendAes, guestKeys.sendMac, raw.guest_to_host_aes, raw.guest_to_host_hmac, FIXED_RECORDS.guestToHost);

  const side = (s: 'host' | 'guest'): SideInputs => ({
    nonce: FIXED[s].nonce,
    ecdh_private: FIXED[s].ecdhPrivate,
    rsa_pkcs8: oneTime[s].rsa_pkcs8,
    rsa_spki: oneTime[s].rsa_spki,
    secret: FIXED[s].secret,
    key_ciphertext: oneTime[s].key_ciphertext,
    dtls_fingerprint: FIXED[s].dtlsFingerprint,
  });

  return {
    description: 'Duet protocol v1 test vectors, computed from fixed inputs with the reference implementation. See docs/PROTOCOL.md, section "Test vectors".',
    protocol: 'duet/v1',
    spec: 'docs/PROTOCOL.md',
    generator: 'npx tsx scripts/make-test-vectors.ts',
    encoding:
      'Byte strings are lower-case hex unless the field is named invite_code, room_id or payload (unpadded base64url) or is text (dtls_fingerprint, safety_code, additional_data, plaintext_text, signal).',
    one_time_values: [
      'handshake.inputs.host.rsa_pkcs8',
      'handshake.inputs.host.rsa_spki',
      'handshake.inputs.host.key_ciphertext',
      'handshake.inputs.guest.rsa_pkcs8',
      'handshake.inputs.guest.rsa_spki',
      'handshake.inputs.guest.key_ciphertext',
    ],
    invite: {
      inputs: { room_secret: FIXED.roomSecret },
      expected: {
        invite_code: encodeInviteCode(secret),
        room_id_bytes: toHex(roomIdBytes),
        room_id: room.roomId,
        signal_key: toHex(signalKey),
        psk: toHex(psk),
      },
    },
    signal: {
      inputs: { key: toHex(signalKey), sender_role: 'host', session_nonce: FIXED.sessionNonce, signal: FIXED_SIGNAL, iv: FIXED.signalIv },
      expected: {
        additional_data: `duet/v1/signal/host/${FIXED.sessionNonce}`,
        plaintext: toHex(signalPlaintext),
        sealed: toHex(sealed),
        payload,
        sdp_fingerprint: FIXED.host.dtlsFingerprint,
      },
    },
    handshake: {
      inputs: { psk: toHex(psk), host: side('host'), guest: side('guest') },
      expected: {
        host_ecdh_public: toHex(hostEcdh.publicRaw),
        guest_ecdh_public: toHex(guestEcdh.publicRaw),
        commitment_host: toHex(commitmentHost),
        commitment_guest: toHex(commitmentGuest),
        psk_id: toHex(pskIdBytes),
        hello_host: toHex(helloHost),
        hello_guest: toHex(helloGuest),
        key_host: toHex(keyHost),
        key_guest: toHex(keyGuest),
        th1: toHex(th1),
        th: toHex(th),
        ecdh_shared: toHex(sharedHost),
        ikm: toHex(ikm),
        keys,
        safety_salt: toHex(salt),
        safety_code_bytes: toHex(safetyBytes),
        safety_code: hostKeys.safetyCode,
        confirm_mac_host: toHex(macHost),
        confirm_mac_guest: toHex(macGuest),
        confirm_host: toHex(encodeConfirm(macHost)),
        confirm_guest: toHex(encodeConfirm(macGuest)),
      },
    },
    records: {
      note: 'Keys: handshake.expected.keys (host_to_guest_* for host_to_guest, guest_to_host_* for guest_to_host). Sequence numbers start at 1 in each direction.',
      host_to_guest: hostToGuest,
      guest_to_host: guestToHost,
    },
  };
}

export function serialiseVectors(vectors: TestVectors): string {
  return `${JSON.stringify(vectors, null, 2)}\n`;
}

export function readStoredVectors(path = VECTORS_PATH): TestVectors | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as TestVectors;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const fresh = process.argv.includes('--new-rsa');
  let before: string | undefined;
  try {
    before = readFileSync(VECTORS_PATH, 'utf8');
  } catch {
    before = undefined;
  }
  const previous = before === undefined ? undefined : (JSON.parse(before) as TestVectors);
  const vectors = await buildVectors(previous, { fresh, log: (line) => console.log(line) });
  const text = serialiseVectors(vectors);
  writeFileSync(VECTORS_PATH, text);
  console.log(`${before === text ? 'unchanged' : 'wrote'} ${VECTORS_PATH}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
