/**
 * Vectors beyond the link handshake's main line: the attempt's session message and an
 * ICE restart (§2), a CPace run (§2a), a remembered device's identity signature (§5)
 * and the resumption secret with the resumed handshake it keys (§3, §6).
 */
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { type Bytes, bytesEqual, concatBytes, fromHex, lengthPrefixed, toBase64Url, toHex, utf8Encode } from '../../src/core/bytes.ts';
import { encodeHello, fullTranscriptHash, helloTranscriptHash, pskId, safetySalt } from '../../src/core/handshake.ts';
import { deriveRoomKeys } from '../../src/core/invite.ts';
import { verifyIdentity, proveIdentity } from '../../src/core/identity.ts';
import { deriveSessionKeys } from '../../src/core/key-schedule.ts';
import { PakeParty } from '../../src/core/pake.ts';
import type { Role } from '../../src/core/roles.ts';
import { type SignalData, openSignal, sealSignal, signalBinding } from '../../src/core/signal-seal.ts';
import { FIXED, FIXED_CANDIDATE } from './fixed.ts';
import { identityKeys, oneTimeSignature } from './one-time.ts';
import { aesGcmRaw, check, fixedRandom, hkdfRaw, hmacRaw, sha256Raw } from './primitives.ts';
import type { HandshakeExpected, SealedSignalVector, TestVectors } from './types.ts';

async function sealedSignal(key: CryptoKey, rawKey: Bytes, sender: Role, signal: SignalData, iv: string, binding: string | undefined): Promise<SealedSignalVector> {
  const payload = await sealSignal(key, sender, signal, fixedRandom([iv]), binding);
  const additionalData = binding === undefined ? `duet/v1/signal/${sender}` : `duet/v1/signal/${sender}/${binding}`;
  const plaintext = utf8Encode(JSON.stringify(signal));
  const sealed = concatBytes(fromHex(iv), await aesGcmRaw(rawKey, fromHex(iv), plaintext, utf8Encode(additionalData)));
  check(payload === toBase64Url(sealed), `sealed ${signal.type} signal`);
  check(JSON.stringify(await openSignal(key, sender, payload, binding)) === JSON.stringify(signal), `${signal.type} signal opens`);
  return { sender_role: sender, ...(binding === undefined ? {} : { binding }), signal, iv, expected: { additional_data: additionalData, plaintext: toHex(plaintext), payload } };
}

export async function attemptSignalVectors(signalKey: CryptoKey, rawKey: Bytes): Promise<TestVectors['attempt_signals']> {
  const { sessionNonce: n, restartNonce: r, attemptIvs } = FIXED;
  return {
    note: 'The host opens the attempt with the session message (bound to no nonce), later announces an ICE restart under N, and the guest then sends a candidate under N/R. N and R enter the additional data as their base64url text.',
    inputs: { key: toHex(rawKey), session_nonce: n, restart_nonce: r },
    session: await sealedSignal(signalKey, rawKey, 'host', { type: 'session', nonce: n }, attemptIvs.session, undefined),
    ice_restart: await sealedSignal(signalKey, rawKey, 'host', { type: 'ice-restart', nonce: r }, attemptIvs.restart, signalBinding(n)),
    after_restart: await sealedSignal(signalKey, rawKey, 'guest', FIXED_CANDIDATE, attemptIvs.afterRestart, signalBinding(n, r)),
  };
}

export async function cpaceVectors(roomId: string): Promise<TestVectors['cpace']> {
  const { password, nameplate, hostRandom, guestRandom } = FIXED.cpace;
  const channel = `${roomId}/${nameplate}`;
  const generatorInput = concatBytes(lengthPrefixed(utf8Encode('duet/v1/cpace')), lengthPrefixed(utf8Encode(password)), lengthPrefixed(utf8Encode(channel)));
  const g = ristretto255_hasher.hashToCurve(generatorInput, { DST: utf8Encode('duet/v1/cpace-ristretto255-sha512') });
  const scalarOf = (hex: string) => ristretto255.Point.Fn.create(BigInt(`0x${hex}`));
  const yHost = scalarOf(hostRandom);
  const yGuest = scalarOf(guestRandom);
  const shareHost = g.multiply(yHost).toBytes();
  const shareGuest = g.multiply(yGuest).toBytes();
  const k = ristretto255.Point.fromBytes(shareGuest).multiply(yHost).toBytes();
  check(bytesEqual(k, ristretto255.Point.fromBytes(shareHost).multiply(yGuest).toBytes()), 'CPace K on both sides');
  const transcript = await sha256Raw(concatBytes(shareHost, shareGuest));
  const secret = await hkdfRaw(k, transcript, 'duet/v1/pake/secret', 32);
  const macHost = await hmacRaw(await hkdfRaw(k, transcript, 'duet/v1/pake/confirm/host', 32), transcript);
  const macGuest = await hmacRaw(await hkdfRaw(k, transcript, 'duet/v1/pake/confirm/guest', 32), transcript);

  const host = new PakeParty('host', password, channel, fixedRandom([hostRandom]));
  const guest = new PakeParty('guest', password, channel, fixedRandom([guestRandom]));
  check(bytesEqual(host.share, shareHost) && bytesEqual(guest.share, shareGuest), 'CPace shares');
  const [hostResult, guestResult] = await Promise.all([host.finish(guest.share), guest.finish(host.share)]);
  check(bytesEqual(hostResult.secret, secret) && bytesEqual(guestResult.secret, secret), 'CPace secret');
  check(bytesEqual(hostResult.localConfirm, macHost) && bytesEqual(guestResult.localConfirm, macGuest), 'CPace confirm MACs');
  check((await hostResult.verifyPeer(macGuest)) && (await guestResult.verifyPeer(macHost)), 'CPace confirm verifies');

  const room = await deriveRoomKeys(secret);
  const scalarHex = (y: bigint) => y.toString(16).padStart(64, '0');
  const payload = (kind: number, body: Bytes) => toBase64Url(concatBytes(Uint8Array.of(kind), body));
  return {
    inputs: { password, room_id: roomId, nameplate, host_random: hostRandom, guest_random: guestRandom },
    expected: {
      channel,
      generator_input: toHex(generatorInput),
      generator: toHex(g.toBytes()),
      host_scalar: scalarHex(yHost),
      guest_scalar: scalarHex(yGuest),
      host_share: toHex(shareHost),
      guest_share: toHex(shareGuest),
      host_share_payload: payload(1, shareHost),
      guest_share_payload: payload(1, shareGuest),
      k: toHex(k),
      transcript: toHex(transcript),
      secret: toHex(secret),
      confirm_mac_host: toHex(macHost),
      confirm_mac_guest: toHex(macGuest),
      host_confirm_payload: payload(2, macHost),
      guest_confirm_payload: payload(2, macGuest),
      signal_key: toHex(await hkdfRaw(secret, new Uint8Array(0), 'duet/v1/signal-key', 32)),
      psk: toHex(room.psk),
    },
  };
}

export async function identityVectors(previous: TestVectors | undefined, fresh: boolean, transcriptHash: Bytes, log: (line: string) => void): Promise<TestVectors['identity']> {
  const signedData = concatBytes(utf8Encode('duet/v1/identity-signature'), transcriptHash);
  const signature = await oneTimeSignature(previous, fresh, signedData, log);
  const { publicRaw, privateKey } = await identityKeys();
  const proof = { publicKey: toBase64Url(publicRaw), signature: toBase64Url(fromHex(signature)) };
  check(bytesEqual(await verifyIdentity(proof, transcriptHash), publicRaw), 'identity proof verifies');
  const own = await proveIdentity({ privateKey, publicKey: publicRaw }, transcriptHash);
  check(own.publicKey === proof.publicKey && bytesEqual(await verifyIdentity(own, transcriptHash), publicRaw), 'implementation signs the same bytes');
  return {
    inputs: { ecdsa_private: FIXED.identityPrivate, transcript_hash: toHex(transcriptHash) },
    expected: { public_key: toHex(publicRaw), signed_data: toHex(signedData), signature, proof },
  };
}

export interface ResumptionBase {
  ikm: Bytes;
  th: Bytes;
  secretHost: Bytes;
  secretGuest: Bytes;
  ecdhShared: Bytes;
  hello: { ecdhPublic: Bytes; commitment: Bytes; rsaSpki: Bytes }[];
  keyHost: Bytes;
  keyGuest: Bytes;
}

export async function resumptionVectors(base: ResumptionBase): Promise<{ secret: Bytes; vectors: TestVectors['resumption'] }> {
  const secret = await hkdfRaw(base.ikm, base.th, 'duet/v1/resumption', 32);
  const id = await sha256Raw(concatBytes(utf8Encode('duet/v1/psk-id'), secret));
  check(bytesEqual(id, await pskId(secret)), 'resumed psk_id');
  const [host, guest] = base.hello;
  const helloHost = encodeHello({ nonce: fromHex(FIXED.host.resumedNonce), ...host!, pskId: id });
  const helloGuest = encodeHello({ nonce: fromHex(FIXED.guest.resumedNonce), ...guest!, pskId: id });
  const th1 = await helloTranscriptHash({ helloHost, helloGuest, fingerprintHost: FIXED.host.dtlsFingerprint, fingerprintGuest: FIXED.guest.dtlsFingerprint });
  const th = await fullTranscriptHash(th1, base.keyHost, base.keyGuest);
  const ikm = concatBytes(base.secretHost, base.secretGuest, base.ecdhShared, secret);
  const salt = await safetySalt(helloHost, helloGuest);
  const keys = await deriveSessionKeys({ role: 'host', secretHost: base.secretHost, secretGuest: base.secretGuest, ecdhShared: base.ecdhShared, psk: secret, transcriptHash: th, safetySalt: salt });
  const macHost = await hmacRaw(await hkdfRaw(ikm, th, 'duet/v1/confirm/host', 32), th);
  const macGuest = await hmacRaw(await hkdfRaw(ikm, th, 'duet/v1/confirm/guest', 32), th);
  check(bytesEqual(macHost, new Uint8Array(await crypto.subtle.sign('HMAC', keys.confirmLocal, th))), 'resumed host CONFIRM');
  const next = await hkdfRaw(ikm, th, 'duet/v1/resumption', 32);
  check(bytesEqual(next, keys.resumptionSecret), 'next resumption secret');
  const expected: TestVectors['resumption']['expected'] = {
    psk_id: toHex(id),
    hello_host: toHex(helloHost),
    hello_guest: toHex(helloGuest),
    th1: toHex(th1),
    th: toHex(th),
    ikm: toHex(ikm),
    safety_salt: toHex(salt),
    confirm_mac_host: toHex(macHost),
    confirm_mac_guest: toHex(macGuest),
    resumption_secret: toHex(next),
  };
  return {
    secret,
    vectors: {
      note: 'A resumed handshake after the connection broke: PSK = handshake.expected.resumption_secret. To keep it short, only the nonces and the PSK differ from the handshake above (same RSA keys, ECDH shares, secrets, KEY messages and fingerprints); a real one has fresh values for all of them. Its safety code is not shown: the first one stays on screen.',
      inputs: { psk: toHex(secret), host_nonce: FIXED.host.resumedNonce, guest_nonce: FIXED.guest.resumedNonce },
      expected,
    },
  };
}

export type { HandshakeExpected };
