/**
 * The link's invite, its sealed signal and the handshake (docs/PROTOCOL.md §1–3),
 * each computed by the implementation and cross-checked against a direct reading of the spec.
 */
import { type Bytes, bytesEqual, concatBytes, fromHex, lengthPrefixed, toBase64Url, toHex, utf8Encode } from '../../src/core/bytes.ts';
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
} from '../../src/core/handshake.ts';
import { type RoomKeys, deriveRoomKeys, encodeInviteCode } from '../../src/core/invite.ts';
import type { DerivedKeys } from '../../src/core/key-schedule.ts';
import { sealSignal } from '../../src/core/signal-seal.ts';
import { FIXED, FIXED_SIGNAL, SPEC_LABELS } from './fixed.ts';
import type { OneTime } from './one-time.ts';
import { aesGcmRaw, check, ecdhFromScalar, fixedRandom, hkdfRaw, hmacRaw, sha256Raw } from './primitives.ts';
import type { KeyName, SideInputs, TestVectors } from './types.ts';
import type { ResumptionBase } from './extras.ts';

export async function inviteVectors(): Promise<{ room: RoomKeys; signalKey: Bytes; psk: Bytes; vectors: TestVectors['invite'] }> {
  const secret = fromHex(FIXED.roomSecret);
  const room = await deriveRoomKeys(secret);
  const roomIdBytes = await hkdfRaw(secret, new Uint8Array(0), 'duet/v1/room-id', 16);
  const signalKey = await hkdfRaw(secret, new Uint8Array(0), 'duet/v1/signal-key', 32);
  const psk = await hkdfRaw(secret, new Uint8Array(0), 'duet/v1/psk', 32);
  check(room.roomId === toBase64Url(roomIdBytes), 'room id');
  check(bytesEqual(room.psk, psk), 'psk');
  return {
    room,
    signalKey,
    psk,
    vectors: {
      inputs: { room_secret: FIXED.roomSecret },
      expected: { invite_code: encodeInviteCode(secret), room_id_bytes: toHex(roomIdBytes), room_id: room.roomId, signal_key: toHex(signalKey), psk: toHex(psk) },
    },
  };
}

export async function signalVectors(room: RoomKeys, signalKey: Bytes): Promise<TestVectors['signal']> {
  const payload = await sealSignal(room.signalKey, 'host', FIXED_SIGNAL, fixedRandom([FIXED.signalIv]), FIXED.sessionNonce);
  const plaintext = utf8Encode(JSON.stringify(FIXED_SIGNAL));
  const additionalData = `duet/v1/signal/host/${FIXED.sessionNonce}`;
  const sealed = concatBytes(fromHex(FIXED.signalIv), await aesGcmRaw(signalKey, fromHex(FIXED.signalIv), plaintext, utf8Encode(additionalData)));
  check(payload === toBase64Url(sealed), 'sealed signal payload');
  return {
    inputs: { key: toHex(signalKey), sender_role: 'host', session_nonce: FIXED.sessionNonce, signal: FIXED_SIGNAL, iv: FIXED.signalIv },
    expected: { additional_data: additionalData, plaintext: toHex(plaintext), sealed: toHex(sealed), payload, sdp_fingerprint: FIXED.host.dtlsFingerprint },
  };
}

export interface HandshakeRun {
  vectors: TestVectors['handshake'];
  hostKeys: DerivedKeys;
  guestKeys: DerivedKeys;
  raw: Record<KeyName, Bytes>;
  th: Bytes;
  resumption: ResumptionBase;
}

export async function handshakeVectors(psk: Bytes, oneTime: OneTime): Promise<HandshakeRun> {
  const hostEcdh = await ecdhFromScalar(FIXED.host.ecdhPrivate);
  const guestEcdh = await ecdhFromScalar(FIXED.guest.ecdhPrivate);
  const secretHost = fromHex(FIXED.host.secret);
  const secretGuest = fromHex(FIXED.guest.secret);
  const commitmentHost = await sha256Raw(concatBytes(utf8Encode('duet/v1/commitment'), secretHost));
  const commitmentGuest = await sha256Raw(concatBytes(utf8Encode('duet/v1/commitment'), secretGuest));
  check(bytesEqual(commitmentHost, await secretCommitment(secretHost)), 'secret commitment');
  const pskIdBytes = await sha256Raw(concatBytes(utf8Encode('duet/v1/psk-id'), psk));
  check(bytesEqual(pskIdBytes, await pskId(psk)), 'PSK id');
  const helloFields = [
    { ecdhPublic: hostEcdh.publicRaw, commitment: commitmentHost, rsaSpki: fromHex(oneTime.host.rsa_spki) },
    { ecdhPublic: guestEcdh.publicRaw, commitment: commitmentGuest, rsaSpki: fromHex(oneTime.guest.rsa_spki) },
  ];
  const helloHost = encodeHello({ nonce: fromHex(FIXED.host.nonce), ...helloFields[0]!, pskId: pskIdBytes });
  const helloGuest = encodeHello({ nonce: fromHex(FIXED.guest.nonce), ...helloFields[1]!, pskId: pskIdBytes });
  const keyHost = encodeKey(fromHex(oneTime.host.key_ciphertext));
  const keyGuest = encodeKey(fromHex(oneTime.guest.key_ciphertext));
  const th1 = await helloTranscriptHash({ helloHost, helloGuest, fingerprintHost: FIXED.host.dtlsFingerprint, fingerprintGuest: FIXED.guest.dtlsFingerprint });
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
  const keys = {} as Record<KeyName, string>;
  const raw = {} as Record<KeyName, Bytes>;
  for (const name of Object.keys(SPEC_LABELS) as KeyName[]) {
    raw[name] = await hkdfRaw(ikm, th, SPEC_LABELS[name], 32);
    keys[name] = toHex(raw[name]);
  }
  const safetyBytes = await hkdfRaw(ikm, salt, 'duet/v1/safety-code', 30);
  check(hostKeys.safetyCode === formatSafetyCode(safetyBytes) && guestKeys.safetyCode === hostKeys.safetyCode, 'safety code');
  const resumptionSecret = await hkdfRaw(ikm, th, 'duet/v1/resumption', 32);
  check(bytesEqual(resumptionSecret, hostKeys.resumptionSecret) && bytesEqual(resumptionSecret, guestKeys.resumptionSecret), 'resumption secret');

  const macHost = new Uint8Array(await crypto.subtle.sign('HMAC', hostKeys.confirmLocal, th));
  const macGuest = new Uint8Array(await crypto.subtle.sign('HMAC', guestKeys.confirmLocal, th));
  check(bytesEqual(macHost, await hmacRaw(raw.confirm_host, th)), 'host CONFIRM MAC');
  check(bytesEqual(macGuest, await hmacRaw(raw.confirm_guest, th)), 'guest CONFIRM MAC');
  check(await crypto.subtle.verify('HMAC', guestKeys.confirmPeer, macHost, th), 'guest verifies host CONFIRM');
  check(await crypto.subtle.verify('HMAC', hostKeys.confirmPeer, macGuest, th), 'host verifies guest CONFIRM');

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
    hostKeys,
    guestKeys,
    raw,
    th,
    resumption: { ikm, th, secretHost, secretGuest, ecdhShared: sharedHost, hello: helloFields, keyHost, keyGuest },
    vectors: {
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
        resumption_secret: toHex(resumptionSecret),
      },
    },
  };
}
