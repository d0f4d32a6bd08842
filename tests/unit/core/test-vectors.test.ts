/**
 * docs/test-vectors.json against the implementation AND against a recomputation
 * straight from docs/PROTOCOL.md with other libraries (node:crypto / OpenSSL for
 * HKDF, HMAC, SHA-256, AES-GCM, RSA-OAEP; @noble/curves for P-256). If the code,
 * the spec or the published vectors drift apart, a test here fails.
 */
import { readFileSync } from 'node:fs';
import {
  constants,
  createECDH,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
} from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../src/core/bytes.ts';
import {
  deriveSessionKeys,
  encodeConfirm,
  encodeHello,
  encodeKey,
  formatSafetyCode,
  fullTranscriptHash,
  helloTranscriptHash,
  importPeerRsaKey,
  parseConfirm,
  parseHello,
  parseKey,
  pskId,
  safetySalt,
  secretCommitment,
} from '../../../src/core/handshake.ts';
import { deriveRoomKeys, encodeInviteCode, parseInviteInput } from '../../../src/core/invite.ts';
import { LABELS } from '../../../src/core/kdf.ts';
import type { Role } from '../../../src/core/roles.ts';
import { openSignal, sdpFingerprint, sealSignal } from '../../../src/core/signal-seal.ts';
import { type TestVectors, VECTORS_PATH, buildVectors, serialiseVectors } from '../../../scripts/make-test-vectors.ts';
import { trackReads } from '../helpers/read-tracker.ts';
import { aesGcm, buf, errorCode, fixedRandom, hex, hkdf, hmac, keyScheduleOf, lp, sha256 } from '../helpers/vector-checks.ts';
import { DESCRIPTIVE_FIELDS, FURTHER_SECTIONS, LINK_SECTIONS } from '../helpers/vector-sections.ts';

const FILE_TEXT = readFileSync(VECTORS_PATH, 'utf8');
const STORED = JSON.parse(FILE_TEXT) as TestVectors;
/** The vectors, noting every value a check reads (see the last test). */
const TRACKER = trackReads(STORED);
const V = TRACKER.value;
const PROTOCOL = readFileSync(new URL('../../../docs/PROTOCOL.md', import.meta.url), 'utf8');


/** The labels as written in docs/PROTOCOL.md. */
const SPEC_LABELS = {
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
};
const KEY_LABELS = {
  host_to_guest_aes: SPEC_LABELS.hostToGuestAes,
  host_to_guest_hmac: SPEC_LABELS.hostToGuestMac,
  guest_to_host_aes: SPEC_LABELS.guestToHostAes,
  guest_to_host_hmac: SPEC_LABELS.guestToHostMac,
  confirm_host: SPEC_LABELS.confirmHost,
  confirm_guest: SPEC_LABELS.confirmGuest,
} as const;



const hs = V.handshake;
const schedule = () => keyScheduleOf(hs);

describe('docs/test-vectors.json', () => {
  it('is exactly what scripts/make-test-vectors.ts makes from the current code (one-time values reused)', async () => {
    const regenerated: string[] = [];
    const vectors = await buildVectors(STORED, { log: (line) => regenerated.push(line) });
    expect(regenerated).toEqual([]);
    expect(serialiseVectors(vectors)).toBe(FILE_TEXT);
  });

  it('is spelled as documented: lower-case hex, 32-byte secrets, one-time values listed', () => {
    expect(V.protocol).toBe('duet/v1');
    for (const side of [hs.inputs.host, hs.inputs.guest]) {
      for (const field of [side.nonce, side.ecdh_private, side.secret]) expect(field).toMatch(/^[0-9a-f]{64}$/);
      expect(side.dtls_fingerprint).toMatch(/^sha-256 [0-9a-f]{2}(:[0-9a-f]{2}){31}$/);
      expect(side.key_ciphertext).toMatch(/^[0-9a-f]{512}$/);
    }
    expect(V.invite.inputs.room_secret).toBe('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    for (const path of V.one_time_values) {
      const value = path.split('.').reduce<unknown>((obj, key) => (obj as Record<string, unknown>)[key], V);
      expect(value, path).toMatch(/^[0-9a-f]+$/);
    }
  });
});

describe('spec and code agree on the labels', () => {
  it('LABELS in src/core/kdf.ts are the ones docs/PROTOCOL.md lists', () => {
    expect({ ...LABELS }).toEqual(SPEC_LABELS);
    for (const label of Object.values(SPEC_LABELS)) expect(PROTOCOL).toContain(`"${label}"`);
    expect(PROTOCOL).toContain('"duet/v1/transcript"');
    expect(PROTOCOL).toContain('"duet/v1/signal/"');
  });
});

describe('vectors: invite and room keys', () => {
  const secret = fromHex(V.invite.inputs.room_secret);
  const e = V.invite.expected;

  it('invite code = unpadded base64url of the secret', () => {
    expect(encodeInviteCode(secret)).toBe(e.invite_code);
    expect(Buffer.from(secret).toString('base64url')).toBe(e.invite_code);
    expect(e.invite_code).toHaveLength(43);
    expect(hex(parseInviteInput(`https://duet.example/#${e.invite_code}`))).toBe(V.invite.inputs.room_secret);
  });

  it('room id, signal key and PSK: implementation', async () => {
    const room = await deriveRoomKeys(secret);
    expect(room.roomId).toBe(e.room_id);
    expect(hex(room.psk)).toBe(e.psk);
    // The signal key is non-extractable: prove it is e.signal_key by opening a payload sealed with the raw key.
    expect(await openSignal(room.signalKey, 'host', V.signal.expected.payload, V.signal.inputs.session_nonce)).toEqual(V.signal.inputs.signal);
  });

  it('room id, signal key and PSK: HKDF-SHA256 with an empty salt, from the spec', () => {
    const empty = Buffer.alloc(0);
    expect(hex(hkdf(Buffer.from(secret), empty, 'duet/v1/room-id', 16))).toBe(e.room_id_bytes);
    expect(buf(e.room_id_bytes).toString('base64url')).toBe(e.room_id);
    expect(e.room_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(hex(hkdf(Buffer.from(secret), empty, 'duet/v1/signal-key', 32))).toBe(e.signal_key);
    expect(hex(hkdf(Buffer.from(secret), empty, 'duet/v1/psk', 32))).toBe(e.psk);
  });
});

describe('vectors: sealed signal payload', () => {
  const s = V.signal;

  it('seals to the exact payload (implementation, fixed IV)', async () => {
    expect(s.inputs.key).toBe(V.invite.expected.signal_key);
    const room = await deriveRoomKeys(fromHex(V.invite.inputs.room_secret));
    expect(await sealSignal(room.signalKey, s.inputs.sender_role, s.inputs.signal, fixedRandom([s.inputs.iv]), s.inputs.session_nonce)).toBe(
      s.expected.payload,
    );
  });

  it('P = base64url(iv || AES-256-GCM(key, iv, JSON(signal), aad = "duet/v1/signal/host/<nonce>")), from the spec', () => {
    const plaintext = Buffer.from(JSON.stringify(s.inputs.signal), 'utf8');
    expect(hex(plaintext)).toBe(s.expected.plaintext);
    expect(s.expected.additional_data).toBe(`duet/v1/signal/${s.inputs.sender_role}/${s.inputs.session_nonce}`);
    const sealed = Buffer.concat([buf(s.inputs.iv), aesGcm(buf(s.inputs.key), buf(s.inputs.iv), plaintext, Buffer.from(s.expected.additional_data))]);
    expect(hex(sealed)).toBe(s.expected.sealed);
    expect(sealed.toString('base64url')).toBe(s.expected.payload);
  });

  it('binds the sender role and carries the host fingerprint', async () => {
    const room = await deriveRoomKeys(fromHex(V.invite.inputs.room_secret));
    expect(await errorCode(openSignal(room.signalKey, 'guest', s.expected.payload, s.inputs.session_nonce))).toBe('signal-rejected');
    // Bound to its attempt: under another session nonce (a replay into a later attempt) it does not open.
    expect(await errorCode(openSignal(room.signalKey, 'host', s.expected.payload, 'A'.repeat(22)))).toBe('signal-rejected');
    if (s.inputs.signal.type !== 'offer' && s.inputs.signal.type !== 'answer') throw new Error('the vector signal must carry an SDP');
    expect(sdpFingerprint(s.inputs.signal.sdp)).toBe(s.expected.sdp_fingerprint);
    expect(s.expected.sdp_fingerprint).toBe(hs.inputs.host.dtls_fingerprint);
  });
});

describe('vectors: handshake', () => {
  const e = hs.expected;
  const sides = [
    ['host', hs.inputs.host, hs.inputs.guest, e.host_ecdh_public, e.hello_host, e.key_host],
    ['guest', hs.inputs.guest, hs.inputs.host, e.guest_ecdh_public, e.hello_guest, e.key_guest],
  ] as const;

  it('RSA keys: PKCS#8 and SPKI of one RSA-2048 (e = 65537) key per side, accepted by the implementation', async () => {
    for (const [role, side] of sides) {
      const priv = createPrivateKey({ key: buf(side.rsa_pkcs8), format: 'der', type: 'pkcs8' });
      expect(priv.asymmetricKeyDetails, role).toEqual({ modulusLength: 2048, publicExponent: 65537n });
      expect(hex(createPublicKey(priv).export({ format: 'der', type: 'spki' })), role).toBe(side.rsa_spki);
      const imported = await importPeerRsaKey(fromHex(side.rsa_spki));
      expect((imported.algorithm as RsaHashedKeyAlgorithm).modulusLength).toBe(2048);
    }
    expect(hs.inputs.host.rsa_spki).not.toBe(hs.inputs.guest.rsa_spki);
  });

  it('KEY ciphertexts: RSA-OAEP (SHA-256, MGF1-SHA-256, empty label) of each secret under the PEER key', async () => {
    for (const [role, side, peer] of sides) {
      const opened = privateDecrypt(
        { key: createPrivateKey({ key: buf(peer.rsa_pkcs8), format: 'der', type: 'pkcs8' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        buf(side.key_ciphertext),
      );
      expect(hex(opened), role).toBe(side.secret);
      const key = await crypto.subtle.importKey('pkcs8', fromHex(peer.rsa_pkcs8), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']);
      const viaWebCrypto = new Uint8Array(await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, key, fromHex(side.key_ciphertext)));
      expect(hex(viaWebCrypto), role).toBe(side.secret);
    }
  });

  it('ECDH: public points d·G and the shared x-coordinate (noble, OpenSSL and WebCrypto agree)', async () => {
    for (const [role, side, , pub] of sides) {
      expect(hex(p256.getPublicKey(buf(side.ecdh_private), false)), role).toBe(pub);
      const ecdh = createECDH('prime256v1');
      ecdh.setPrivateKey(buf(side.ecdh_private));
      expect(ecdh.getPublicKey('hex', 'uncompressed'), role).toBe(pub);
      const otherPub = role === 'host' ? e.guest_ecdh_public : e.host_ecdh_public;
      expect(ecdh.computeSecret(buf(otherPub)).toString('hex'), role).toBe(e.ecdh_shared);
      // noble returns the compressed shared point: 02/03 || x.
      expect(hex(p256.getSharedSecret(buf(side.ecdh_private), buf(otherPub)).subarray(1)), role).toBe(e.ecdh_shared);
      // WebCrypto, the way src/core/handshake.ts derives it (deriveBits, 256 bits).
      const p = buf(pub);
      const jwk: JsonWebKey = {
        kty: 'EC',
        crv: 'P-256',
        d: buf(side.ecdh_private).toString('base64url'),
        x: p.subarray(1, 33).toString('base64url'),
        y: p.subarray(33).toString('base64url'),
      };
      const privateKey = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
      const publicKey = await crypto.subtle.importKey('raw', fromHex(otherPub), { name: 'ECDH', namedCurve: 'P-256' }, false, []);
      expect(hex(new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256))), role).toBe(e.ecdh_shared);
    }
  });

  it('commitment = SHA-256("duet/v1/commitment" || secret), the secret each side later sends in KEY', async () => {
    for (const [role, side] of sides) {
      const commitment = role === 'host' ? e.commitment_host : e.commitment_guest;
      expect(hex(sha256(Buffer.from('duet/v1/commitment'), buf(side.secret))), role).toBe(commitment);
      expect(hex(await secretCommitment(fromHex(side.secret))), role).toBe(commitment);
    }
  });

  it('psk_id = SHA-256("duet/v1/psk-id" || PSK)', async () => {
    expect(hex(sha256(Buffer.from('duet/v1/psk-id'), buf(hs.inputs.psk)))).toBe(e.psk_id);
    expect(hex(await pskId(fromHex(hs.inputs.psk)))).toBe(e.psk_id);
  });

  it('HELLO = 01 01 || nonce(32) || ecdh_public(65) || commitment(32) || psk_id(32) || lp(rsa_spki), and parses back', () => {
    for (const [role, side, , pub, hello] of sides) {
      const commitment = role === 'host' ? e.commitment_host : e.commitment_guest;
      const fields = { nonce: fromHex(side.nonce), ecdhPublic: fromHex(pub), commitment: fromHex(commitment), pskId: fromHex(e.psk_id), rsaSpki: fromHex(side.rsa_spki) };
      expect(hex(encodeHello(fields)), role).toBe(hello);
      expect(hex(Buffer.concat([Buffer.from([1, 1]), buf(side.nonce), buf(pub), buf(commitment), buf(e.psk_id), lp(buf(side.rsa_spki))])), role).toBe(hello);
      expect(parseHello(fromHex(hello)), role).toEqual(fields);
    }
  });

  it('KEY = 01 02 || lp(ciphertext), and parses back', () => {
    for (const [role, side, , , , key] of sides) {
      expect(hex(encodeKey(fromHex(side.key_ciphertext))), role).toBe(key);
      expect(hex(Buffer.concat([Buffer.from([1, 2]), lp(buf(side.key_ciphertext))])), role).toBe(key);
      expect(hex(parseKey(fromHex(key))), role).toBe(side.key_ciphertext);
    }
  });

  it('TH1 and TH: implementation and SHA-256 over the spec layout', async () => {
    const fpHost = Buffer.from(hs.inputs.host.dtls_fingerprint, 'utf8');
    const fpGuest = Buffer.from(hs.inputs.guest.dtls_fingerprint, 'utf8');
    const th1 = sha256(Buffer.from('duet/v1/transcript'), lp(buf(e.hello_host)), lp(buf(e.hello_guest)), lp(fpHost), lp(fpGuest));
    expect(hex(th1)).toBe(e.th1);
    expect(hex(sha256(th1, lp(buf(e.key_host)), lp(buf(e.key_guest))))).toBe(e.th);
    const implTh1 = await helloTranscriptHash({
      helloHost: fromHex(e.hello_host),
      helloGuest: fromHex(e.hello_guest),
      fingerprintHost: hs.inputs.host.dtls_fingerprint,
      fingerprintGuest: hs.inputs.guest.dtls_fingerprint,
    });
    expect(hex(implTh1)).toBe(e.th1);
    expect(hex(await fullTranscriptHash(implTh1, fromHex(e.key_host), fromHex(e.key_guest)))).toBe(e.th);
  });

  it('IKM = secret_host || secret_guest || ECDH x || PSK, and every key is HKDF(IKM, TH, label, 32)', () => {
    const ikm = Buffer.concat([buf(hs.inputs.host.secret), buf(hs.inputs.guest.secret), buf(e.ecdh_shared), buf(hs.inputs.psk)]);
    expect(hex(ikm)).toBe(e.ikm);
    expect(hs.inputs.psk).toBe(V.invite.expected.psk);
    expect(Object.keys(e.keys).sort()).toEqual(Object.keys(KEY_LABELS).sort());
    for (const [name, label] of Object.entries(KEY_LABELS)) {
      expect(hex(hkdf(ikm, buf(e.th), label, 32)), name).toBe(e.keys[name as keyof typeof KEY_LABELS]);
    }
  });

  it('resumption secret = HKDF(IKM, TH, "duet/v1/resumption", 32), the same on both sides', async () => {
    expect(hex(hkdf(buf(e.ikm), buf(e.th), SPEC_LABELS.resumption, 32))).toBe(e.resumption_secret);
    for (const role of ['host', 'guest'] as Role[]) expect(hex((await deriveSessionKeys({ role, ...schedule() })).resumptionSecret), role).toBe(e.resumption_secret);
  });

  it('safety code: HKDF(IKM, S, "duet/v1/safety-code", 30) in six groups of 40 bits mod 100000, S over the HELLOs only', async () => {
    const salt = sha256(Buffer.from('duet/v1/safety-salt'), lp(buf(e.hello_host)), lp(buf(e.hello_guest)));
    expect(hex(salt)).toBe(e.safety_salt);
    expect(hex(await safetySalt(fromHex(e.hello_host), fromHex(e.hello_guest)))).toBe(e.safety_salt);
    const bytes = hkdf(buf(e.ikm), salt, 'duet/v1/safety-code', 30);
    expect(hex(bytes)).toBe(e.safety_code_bytes);
    const groups = Array.from({ length: 6 }, (_, i) => String(BigInt(`0x${bytes.subarray(5 * i, 5 * i + 5).toString('hex')}`) % 100000n).padStart(5, '0'));
    expect(groups.join(' ')).toBe(e.safety_code);
    expect(formatSafetyCode(bytes)).toBe(e.safety_code);
    for (const role of ['host', 'guest'] as Role[]) {
      const keys = await deriveSessionKeys({ role, ...schedule() });
      expect(keys.safetyCode, role).toBe(e.safety_code);
      expect(hex(keys.transcriptHash), role).toBe(e.th);
    }
  });

  it('CONFIRM: HMAC-SHA256(confirmation key of the sender, TH), checked by the implementation’s keys', async () => {
    expect(hex(hmac(buf(e.keys.confirm_host), buf(e.th)))).toBe(e.confirm_mac_host);
    expect(hex(hmac(buf(e.keys.confirm_guest), buf(e.th)))).toBe(e.confirm_mac_guest);
    expect(e.confirm_host).toBe(`0103${e.confirm_mac_host}`);
    expect(e.confirm_guest).toBe(`0103${e.confirm_mac_guest}`);
    expect(hex(encodeConfirm(fromHex(e.confirm_mac_host)))).toBe(e.confirm_host);
    expect(hex(parseConfirm(fromHex(e.confirm_guest)))).toBe(e.confirm_mac_guest);

    const host = await deriveSessionKeys({ role: 'host', ...schedule() });
    const guest = await deriveSessionKeys({ role: 'guest', ...schedule() });
    const th = fromHex(e.th);
    expect(hex(new Uint8Array(await crypto.subtle.sign('HMAC', host.confirmLocal, th)))).toBe(e.confirm_mac_host);
    expect(hex(new Uint8Array(await crypto.subtle.sign('HMAC', guest.confirmLocal, th)))).toBe(e.confirm_mac_guest);
    expect(await crypto.subtle.verify('HMAC', guest.confirmPeer, fromHex(e.confirm_mac_host), th)).toBe(true);
    expect(await crypto.subtle.verify('HMAC', host.confirmPeer, fromHex(e.confirm_mac_guest), th)).toBe(true);
    // The roles are not interchangeable: each MAC verifies under its own key only.
    expect(await crypto.subtle.verify('HMAC', guest.confirmPeer, fromHex(e.confirm_mac_guest), th)).toBe(false);
    expect(await crypto.subtle.verify('HMAC', host.confirmPeer, fromHex(e.confirm_mac_host), th)).toBe(false);
  });
});

describe('docs/PROTOCOL.md, "Test vectors" section', () => {
  const start = PROTOCOL.search(/^## \d+\. Test vectors$/m);
  const section = start >= 0 ? PROTOCOL.slice(start) : '';

  it('exists and quotes the vectors exactly as the file has them', () => {
    expect(start).toBeGreaterThan(0);
    for (const value of [
      V.invite.inputs.room_secret,
      V.invite.expected.invite_code,
      V.invite.expected.room_id,
      V.invite.expected.signal_key,
      V.invite.expected.psk,
      hs.expected.ecdh_shared,
      hs.inputs.host.dtls_fingerprint,
      hs.inputs.guest.dtls_fingerprint,
    ]) {
      expect(section).toContain(`\`${value}\``);
    }
  });
});

describe('every vector is checked', () => {
  it('the file holds exactly the sections the vector tests check', () => {
    expect(Object.keys(STORED).sort()).toEqual([...DESCRIPTIVE_FIELDS, ...LINK_SECTIONS, ...FURTHER_SECTIONS].sort());
  });

  // Runs last in this file: every value of the sections checked here was read by a check above.
  it('every value in invite, signal and handshake was read by a check', () => {
    // A section's `note` is prose for the reader, not a value to check.
    expect(TRACKER.unread(LINK_SECTIONS).filter((path) => !path.endsWith('.note'))).toEqual([]);
  });
});
