/**
 * The sections of docs/test-vectors.json beyond the link handshake's main line
 * (docs/PROTOCOL.md §2 attempt and ICE restart, §2a CPace, §4 records and refused records, §5
 * identity, §6 resumption), each against the implementation and against a
 * recomputation from the spec with node:crypto and @noble/curves.
 */
import { readFileSync } from 'node:fs';
import { createPublicKey, verify } from 'node:crypto';
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../src/core/bytes.ts';
import { deriveSessionKeys, encodeHello, pskId } from '../../../src/core/handshake.ts';
import { verifyIdentity } from '../../../src/core/identity.ts';
import { deriveRoomKeys } from '../../../src/core/invite.ts';
import { encodeBatch, encodePeerMessage, parseRecordPayload, recordTypeOf } from '../../../src/core/messages.ts';
import { PakeParty } from '../../../src/core/pake.ts';
import { MAX_RECORD_BYTES, type OpenedRecord, RECORD_OVERHEAD, RecordOpener, RecordSealer, RecordType } from '../../../src/core/record.ts';
import { openSignal, sealSignal, signalBinding } from '../../../src/core/signal-seal.ts';
import { type RecordVector, type SealedSignalVector, type TestVectors, VECTORS_PATH } from '../../../scripts/make-test-vectors.ts';
import { trackReads } from '../helpers/read-tracker.ts';
import { aesGcm, buf, errorCode, fixedRandom, hex, hkdf, hmac, keyScheduleOf, lp, sha256 } from '../helpers/vector-checks.ts';
import { FURTHER_SECTIONS } from '../helpers/vector-sections.ts';

const PROTOCOL = readFileSync(new URL('../../../docs/PROTOCOL.md', import.meta.url), 'utf8');

/**
 * Where each key the spec derives with HKDF has its vector. A label the spec gains
 * without one here fails the test below.
 */
const DERIVATION_VECTORS: Readonly<Record<string, string>> = {
  'duet/v1/room-id': 'invite.expected.room_id_bytes',
  'duet/v1/signal-key': 'invite.expected.signal_key',
  'duet/v1/psk': 'invite.expected.psk',
  'duet/v1/pake/secret': 'cpace.expected.secret',
  'duet/v1/pake/confirm/<role>': 'cpace.expected.confirm_mac_host',
  'duet/v1/host->guest/aes-gcm': 'handshake.expected.keys.host_to_guest_aes',
  'duet/v1/host->guest/hmac': 'handshake.expected.keys.host_to_guest_hmac',
  'duet/v1/guest->host/aes-gcm': 'handshake.expected.keys.guest_to_host_aes',
  'duet/v1/guest->host/hmac': 'handshake.expected.keys.guest_to_host_hmac',
  'duet/v1/confirm/host': 'handshake.expected.keys.confirm_host',
  'duet/v1/confirm/guest': 'handshake.expected.keys.confirm_guest',
  'duet/v1/safety-code': 'handshake.expected.safety_code_bytes',
  'duet/v1/resumption': 'handshake.expected.resumption_secret',
};

describe('vectors: coverage of the spec', () => {
  it('every HKDF derivation in PROTOCOL.md has a vector', () => {
    const labels = new Set([...PROTOCOL.matchAll(/HKDF\([^)]*"(duet\/v1\/[^"]+)"/g)].map((m) => m[1]!));
    expect(labels).toEqual(new Set(Object.keys(DERIVATION_VECTORS)));
    const vectors = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as Record<string, unknown>;
    for (const [label, path] of Object.entries(DERIVATION_VECTORS)) {
      const value = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], vectors);
      expect(typeof value === 'string' && /^[0-9a-f]{32,}$/.test(value), `${label} → ${path}`).toBe(true);
    }
  });
});

const TRACKER = trackReads(JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as TestVectors);
const V = TRACKER.value;
const hs = V.handshake;




describe('vectors: the attempt’s session message and an ICE restart (§2)', () => {
  const a = V.attempt_signals;
  const signals: [string, SealedSignalVector][] = [
    ['session', a.session],
    ['ice_restart', a.ice_restart],
    ['after_restart', a.after_restart],
  ];

  it('nonces are base64url of 16 bytes; the bindings are N, then N/R', () => {
    for (const nonce of [a.inputs.session_nonce, a.inputs.restart_nonce]) expect(Buffer.from(nonce, 'base64url')).toHaveLength(16);
    expect(a.inputs.key).toBe(V.invite.expected.signal_key);
    expect(a.session.binding).toBeUndefined();
    expect(a.session.signal).toEqual({ type: 'session', nonce: a.inputs.session_nonce });
    expect(a.ice_restart.binding).toBe(a.inputs.session_nonce);
    expect(a.ice_restart.signal).toEqual({ type: 'ice-restart', nonce: a.inputs.restart_nonce });
    expect(a.after_restart.binding).toBe(`${a.inputs.session_nonce}/${a.inputs.restart_nonce}`);
    expect(signalBinding(a.inputs.session_nonce, a.inputs.restart_nonce)).toBe(a.after_restart.binding);
  });

  it('P = base64url(iv || AES-256-GCM(key, iv, JSON(signal), aad)), aad = "duet/v1/signal/<sender>[/<binding>]" as UTF-8, from the spec', () => {
    for (const [name, s] of signals) {
      const aad = s.binding === undefined ? `duet/v1/signal/${s.sender_role}` : `duet/v1/signal/${s.sender_role}/${s.binding}`;
      expect(s.expected.additional_data, name).toBe(aad);
      const plaintext = Buffer.from(JSON.stringify(s.signal), 'utf8');
      expect(hex(plaintext), name).toBe(s.expected.plaintext);
      const sealed = Buffer.concat([buf(s.iv), aesGcm(buf(a.inputs.key), buf(s.iv), plaintext, Buffer.from(aad, 'utf8'))]);
      expect(sealed.toString('base64url'), name).toBe(s.expected.payload);
    }
  });

  it('the implementation seals the same payloads, opens each under its own binding only', async () => {
    const room = await deriveRoomKeys(fromHex(V.invite.inputs.room_secret));
    for (const [name, s] of signals) {
      expect(await sealSignal(room.signalKey, s.sender_role, s.signal, fixedRandom([s.iv]), s.binding), name).toBe(s.expected.payload);
      expect(await openSignal(room.signalKey, s.sender_role, s.expected.payload, s.binding), name).toEqual(s.signal);
    }
    // A signal after the restart does not open under the binding before it, nor a session message under any.
    expect(await errorCode(openSignal(room.signalKey, 'guest', a.after_restart.expected.payload, a.inputs.session_nonce))).toBe('signal-rejected');
    expect(await errorCode(openSignal(room.signalKey, 'host', a.session.expected.payload, a.inputs.session_nonce))).toBe('signal-rejected');
  });
});

describe('vectors: CPace (§2a)', () => {
  const c = V.cpace;
  const e = c.expected;
  const ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

  it('channel, generator input and generator: hash_to_ristretto255 (RFC 9380) with the spec’s DST', () => {
    expect(c.inputs.room_id).toBe(V.invite.expected.room_id);
    expect(e.channel).toBe(`${c.inputs.room_id}/${c.inputs.nameplate}`);
    const input = Buffer.concat([lp(Buffer.from('duet/v1/cpace')), lp(Buffer.from(c.inputs.password, 'utf8')), lp(Buffer.from(e.channel, 'utf8'))]);
    expect(hex(input)).toBe(e.generator_input);
    const g = ristretto255_hasher.hashToCurve(input, { DST: Buffer.from('duet/v1/cpace-ristretto255-sha512') });
    expect(hex(g.toBytes())).toBe(e.generator);
  });

  it('y = 64 random bytes read big-endian, mod the group order; Y = y·G; K = y·Y_peer; TP, secret and confirm MACs from the spec', () => {
    const g = ristretto255.Point.fromBytes(buf(e.generator));
    const yHost = BigInt(`0x${c.inputs.host_random}`) % ORDER;
    const yGuest = BigInt(`0x${c.inputs.guest_random}`) % ORDER;
    expect(yHost.toString(16).padStart(64, '0')).toBe(e.host_scalar);
    expect(yGuest.toString(16).padStart(64, '0')).toBe(e.guest_scalar);
    expect(hex(g.multiply(yHost).toBytes())).toBe(e.host_share);
    expect(hex(g.multiply(yGuest).toBytes())).toBe(e.guest_share);
    expect(hex(ristretto255.Point.fromBytes(buf(e.guest_share)).multiply(yHost).toBytes())).toBe(e.k);
    expect(hex(ristretto255.Point.fromBytes(buf(e.host_share)).multiply(yGuest).toBytes())).toBe(e.k);
    const tp = sha256(buf(e.host_share), buf(e.guest_share));
    expect(hex(tp)).toBe(e.transcript);
    expect(hex(hkdf(buf(e.k), tp, 'duet/v1/pake/secret', 32))).toBe(e.secret);
    // Each side MACs with the key of its OWN role.
    expect(hex(hmac(hkdf(buf(e.k), tp, 'duet/v1/pake/confirm/host', 32), tp))).toBe(e.confirm_mac_host);
    expect(hex(hmac(hkdf(buf(e.k), tp, 'duet/v1/pake/confirm/guest', 32), tp))).toBe(e.confirm_mac_guest);
    expect(Buffer.from(e.host_share_payload, 'base64url')).toEqual(Buffer.concat([Buffer.from([1]), buf(e.host_share)]));
    expect(Buffer.from(e.guest_share_payload, 'base64url')).toEqual(Buffer.concat([Buffer.from([1]), buf(e.guest_share)]));
    expect(Buffer.from(e.host_confirm_payload, 'base64url')).toEqual(Buffer.concat([Buffer.from([2]), buf(e.confirm_mac_host)]));
    expect(Buffer.from(e.guest_confirm_payload, 'base64url')).toEqual(Buffer.concat([Buffer.from([2]), buf(e.confirm_mac_guest)]));
    // The secret replaces the room secret: signal key and PSK as in section 1.
    expect(hex(hkdf(buf(e.secret), Buffer.alloc(0), 'duet/v1/signal-key', 32))).toBe(e.signal_key);
    expect(hex(hkdf(buf(e.secret), Buffer.alloc(0), 'duet/v1/psk', 32))).toBe(e.psk);
  });

  it('the implementation’s PakeParty, fed the same random bytes, makes the same shares, secret and MACs', async () => {
    const host = new PakeParty('host', c.inputs.password, e.channel, fixedRandom([c.inputs.host_random]));
    const guest = new PakeParty('guest', c.inputs.password, e.channel, fixedRandom([c.inputs.guest_random]));
    expect(hex(host.share)).toBe(e.host_share);
    expect(hex(guest.share)).toBe(e.guest_share);
    const [h, g] = await Promise.all([host.finish(guest.share), guest.finish(host.share)]);
    expect([hex(h.secret), hex(g.secret)]).toEqual([e.secret, e.secret]);
    expect([hex(h.localConfirm), hex(g.localConfirm)]).toEqual([e.confirm_mac_host, e.confirm_mac_guest]);
    expect(await h.verifyPeer(fromHex(e.confirm_mac_guest))).toBe(true);
    expect(await h.verifyPeer(fromHex(e.confirm_mac_host))).toBe(false);
    expect(hex((await deriveRoomKeys(fromHex(e.secret))).psk)).toBe(e.psk);
  });
});

describe('vectors: records', () => {
  const directions = [
    ['host_to_guest', 'host', 'guest', V.records.host_to_guest, hs.expected.keys.host_to_guest_aes, hs.expected.keys.host_to_guest_hmac],
    ['guest_to_host', 'guest', 'host', V.records.guest_to_host, hs.expected.keys.guest_to_host_aes, hs.expected.keys.guest_to_host_hmac],
  ] as const;

  it('profile first, sequences 1, 2, … per direction, and the bye pre-sealed at 2^64 − 1', () => {
    const all: RecordVector[] = [...V.records.host_to_guest, ...V.records.guest_to_host];
    // Every record type, as the code and the spec's table list them, has a vector.
    const specTypes = [...PROTOCOL.matchAll(/^\| `0x(1[0-9a-f])` \|/gm)].map((m) => Number.parseInt(m[1]!, 16));
    expect(new Set(specTypes)).toEqual(new Set(Object.values(RecordType)));
    expect(new Set(all.map((r) => r.type_byte))).toEqual(new Set(specTypes));
    for (const [name, , , records] of directions) {
      expect(records[0]!.type, name).toBe('profile');
      expect(records.map((r) => r.sequence), name).toEqual(records.map((r, i) => (r.type === 'bye' ? '18446744073709551615' : String(i + 1))));
    }
  });

  it('file chunk = idLength(1) || id || index(4) || data, batch = (type(1) || length(4) || payload)…, from the spec', () => {
    const all: RecordVector[] = [...V.records.host_to_guest, ...V.records.guest_to_host];
    const chunk = all.find((r) => r.type === 'file-chunk')!;
    const { id, index, data } = chunk.file_chunk!;
    const indexBytes = Buffer.alloc(4);
    indexBytes.writeUInt32BE(index);
    expect(chunk.type_byte).toBe(0x18);
    expect(hex(Buffer.concat([Buffer.from([id.length]), Buffer.from(id, 'ascii'), indexBytes, buf(data)]))).toBe(chunk.plaintext);
    const batch = all.find((r) => r.type === 'batch')!;
    expect(batch.type_byte).toBe(0x1d);
    const entries = batch.batch_entries!.map((entry) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(buf(entry.plaintext).length);
      expect(entry.type_byte, entry.type).toBe(recordTypeOf(entry.type));
      return Buffer.concat([Buffer.from([entry.type_byte]), length, buf(entry.plaintext)]);
    });
    expect(hex(Buffer.concat(entries))).toBe(batch.plaintext);
    expect(hex(encodeBatch(batch.batch_entries!.map((e) => ({ type: e.type_byte as RecordType, plaintext: fromHex(e.plaintext) }))))).toBe(batch.plaintext);
    expect(parseRecordPayload(RecordType.batch, fromHex(batch.plaintext)).map((m) => hex(encodePeerMessage(m)))).toEqual(batch.batch_entries!.map((e) => e.plaintext));
  });

  it('record = header || AES-256-GCM(key, iv, plaintext, aad = header) || HMAC(key, header || ciphertext), from the spec', () => {
    for (const [name, , , records, aesKey, macKey] of directions) {
      for (const r of records) {
        const where = `${name} #${r.sequence}`;
        if (r.plaintext_text !== undefined) expect(hex(Buffer.from(r.plaintext_text, 'utf8')), where).toBe(r.plaintext);
        const header = Buffer.alloc(22);
        header[0] = 1;
        header[1] = r.type_byte;
        header.writeBigUInt64BE(BigInt(r.sequence), 2);
        buf(r.iv).copy(header, 10);
        expect(hex(header), where).toBe(r.expected.header);
        const ciphertext = aesGcm(buf(aesKey), buf(r.iv), buf(r.plaintext), header);
        expect(hex(ciphertext), where).toBe(r.expected.ciphertext);
        const tag = hmac(buf(macKey), header, ciphertext);
        expect(hex(tag), where).toBe(r.expected.hmac);
        expect(hex(Buffer.concat([header, ciphertext, tag])), where).toBe(r.expected.record);
      }
    }
  });

  it('the implementation seals the same bytes with its own keys and the fixed IVs, and the peer opens them', async () => {
    for (const [name, sender, receiver, records] of directions) {
      const send = await deriveSessionKeys({ role: sender, ...keyScheduleOf(hs) });
      const receive = await deriveSessionKeys({ role: receiver, ...keyScheduleOf(hs) });
      const sealer = new RecordSealer(send.sendAes, send.sendMac, fixedRandom(records.map((r) => r.iv)));
      const opener = new RecordOpener(receive.receiveAes, receive.receiveMac);
      for (const r of records) {
        const where = `${name} #${r.sequence}`;
        const typeByte = r.type_byte as RecordType;
        const messages = parseRecordPayload(typeByte, fromHex(r.plaintext));
        if (r.type === 'batch') {
          expect(typeByte, where).toBe(RecordType.batch);
          expect(hex(encodeBatch(messages.map((m) => ({ type: recordTypeOf(m.type), plaintext: encodePeerMessage(m) })))), where).toBe(r.plaintext);
        } else {
          expect(typeByte, where).toBe(recordTypeOf(r.type));
          expect(messages.map((m) => m.type), where).toEqual([r.type]);
          expect(hex(encodePeerMessage(messages[0]!)), where).toBe(r.plaintext);
        }
        const sealed = r.type === 'bye' ? sealer.sealFinal(typeByte, fromHex(r.plaintext)) : sealer.seal(typeByte, fromHex(r.plaintext));
        expect(hex(await sealed), where).toBe(r.expected.record);
        const opened = await opener.open(fromHex(r.expected.record));
        expect({ type: opened.type, sequence: opened.sequence, plaintext: hex(opened.plaintext) }, where).toEqual({
          type: r.type_byte,
          sequence: BigInt(r.sequence),
          plaintext: r.plaintext,
        });
      }
      // Keys are per direction: the sender cannot open its own records (no reflection).
      const mirror = new RecordOpener(send.receiveAes, send.receiveMac);
      expect(await errorCode(mirror.open(fromHex(records[0]!.expected.record))), name).toBe('record-forged');
    }
  });
});

describe('vectors: refused records (§4)', () => {
  const sequenced = new Map(V.records.host_to_guest.map((r) => [r.sequence, r.expected.record]));

  it('each receiver check refuses its case with the expected code, and the receiver state is unchanged', async () => {
    const codes = V.rejected_records.cases.map((c) => c.expected_error);
    expect(new Set(codes)).toEqual(new Set(['record-malformed', 'record-too-large', 'unsupported-version', 'record-forged', 'record-replayed']));
    const guest = await deriveSessionKeys({ role: 'guest', ...keyScheduleOf(hs) });
    for (const c of V.rejected_records.cases) {
      const opener = new RecordOpener(guest.receiveAes, guest.receiveMac);
      for (const sequence of c.after) await opener.open(fromHex(sequenced.get(sequence)!));
      const bytes = c.record === undefined ? new Uint8Array(c.record_length) : fromHex(c.record);
      expect(bytes.length, c.case).toBe(c.record_length);
      const opened: OpenedRecord | Error = await opener.open(bytes).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
      // Only an authentic record with a malformed payload passes the record layer (and uses up its sequence number).
      const authentic = !(opened instanceof Error);
      expect(authentic, c.case).toBe(c.case.startsWith('malformed payload'));
      const outcome = authentic ? Promise.resolve().then(() => parseRecordPayload(opened.type, opened.plaintext)) : Promise.reject(opened);
      expect(await errorCode(outcome), c.case).toBe(c.expected_error);
      // Otherwise nothing changed: the next record in sequence still opens.
      const next = String(c.after.length + (authentic ? 2 : 1));
      expect(Number((await opener.open(fromHex(sequenced.get(next)!))).sequence), c.case).toBe(Number(next));
    }
  });

  it('the length limits are the spec’s: 22 + 16 + 32 bytes at least, 192 KiB of plaintext at most', () => {
    const lengths = new Map(V.rejected_records.cases.map((c) => [c.expected_error === 'record-too-large' ? 'large' : c.record_length, c]));
    expect(RECORD_OVERHEAD).toBe(22 + 16 + 32);
    expect(lengths.get(22 + 16 + 32 - 1)?.expected_error).toBe('record-malformed');
    expect(lengths.get('large')?.record_length).toBe(192 * 1024 + 70 + 1);
    expect(MAX_RECORD_BYTES + 1).toBe(192 * 1024 + 70 + 1);
  });
});

describe('vectors: identity signature of a remembered device (§5)', () => {
  const i = V.identity;

  it('ECDSA P-256 with SHA-256 over "duet/v1/identity-signature" || TH, r || s; verified by node:crypto and by the implementation', async () => {
    expect(i.inputs.transcript_hash).toBe(hs.expected.th);
    expect(hex(p256.getPublicKey(buf(i.inputs.ecdsa_private), false))).toBe(i.expected.public_key);
    const signed = Buffer.concat([Buffer.from('duet/v1/identity-signature'), buf(i.inputs.transcript_hash)]);
    expect(hex(signed)).toBe(i.expected.signed_data);
    const point = buf(i.expected.public_key);
    const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, format: 'jwk' });
    expect(verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, buf(i.expected.signature))).toBe(true);
    expect(i.expected.proof).toEqual({ publicKey: point.toString('base64url'), signature: buf(i.expected.signature).toString('base64url') });
    expect(hex(await verifyIdentity(i.expected.proof, fromHex(i.inputs.transcript_hash)))).toBe(i.expected.public_key);
    // Bound to this session: under another transcript hash the same proof is refused.
    expect(await errorCode(verifyIdentity(i.expected.proof, fromHex(hs.expected.th1)))).toBe('identity-invalid');
  });
});

describe('vectors: resumption (§3, §6)', () => {
  const r = V.resumption;
  const e = r.expected;

  it('the resumed handshake uses PSK = resumption secret, and derives as section 3 says', async () => {
    expect(r.inputs.psk).toBe(hs.expected.resumption_secret);
    const psk = buf(r.inputs.psk);
    expect(hex(sha256(Buffer.from('duet/v1/psk-id'), psk))).toBe(e.psk_id);
    expect(hex(await pskId(fromHex(r.inputs.psk)))).toBe(e.psk_id);
    const hello = (nonce: string, pub: string, commitment: string, spki: string) =>
      Buffer.concat([Buffer.from([1, 1]), buf(nonce), buf(pub), buf(commitment), buf(e.psk_id), lp(buf(spki))]);
    const helloHost = hello(r.inputs.host_nonce, hs.expected.host_ecdh_public, hs.expected.commitment_host, hs.inputs.host.rsa_spki);
    const helloGuest = hello(r.inputs.guest_nonce, hs.expected.guest_ecdh_public, hs.expected.commitment_guest, hs.inputs.guest.rsa_spki);
    expect([hex(helloHost), hex(helloGuest)]).toEqual([e.hello_host, e.hello_guest]);
    const fields = { nonce: fromHex(r.inputs.host_nonce), ecdhPublic: fromHex(hs.expected.host_ecdh_public), commitment: fromHex(hs.expected.commitment_host), pskId: fromHex(e.psk_id), rsaSpki: fromHex(hs.inputs.host.rsa_spki) };
    expect(hex(encodeHello(fields))).toBe(e.hello_host);
    const fp = (s: string) => lp(Buffer.from(s, 'utf8'));
    const th1 = sha256(Buffer.from('duet/v1/transcript'), lp(helloHost), lp(helloGuest), fp(hs.inputs.host.dtls_fingerprint), fp(hs.inputs.guest.dtls_fingerprint));
    expect(hex(th1)).toBe(e.th1);
    const th = sha256(th1, lp(buf(hs.expected.key_host)), lp(buf(hs.expected.key_guest)));
    expect(hex(th)).toBe(e.th);
    const ikm = Buffer.concat([buf(hs.inputs.host.secret), buf(hs.inputs.guest.secret), buf(hs.expected.ecdh_shared), psk]);
    expect(hex(ikm)).toBe(e.ikm);
    const salt = sha256(Buffer.from('duet/v1/safety-salt'), lp(helloHost), lp(helloGuest));
    expect(hex(salt)).toBe(e.safety_salt);
    expect(hex(hmac(hkdf(ikm, th, 'duet/v1/confirm/host', 32), th))).toBe(e.confirm_mac_host);
    expect(hex(hmac(hkdf(ikm, th, 'duet/v1/confirm/guest', 32), th))).toBe(e.confirm_mac_guest);
    expect(hex(hkdf(ikm, th, 'duet/v1/resumption', 32))).toBe(e.resumption_secret);
    const keys = await deriveSessionKeys({ role: 'guest', ...keyScheduleOf(hs, { psk: r.inputs.psk, th: e.th, safetySalt: e.safety_salt }) });
    expect(hex(new Uint8Array(await crypto.subtle.sign('HMAC', keys.confirmLocal, fromHex(e.th))))).toBe(e.confirm_mac_guest);
    expect(hex(keys.resumptionSecret)).toBe(e.resumption_secret);
  });
});

describe('every vector is checked', () => {
  // Runs last in this file: every value of the sections checked here was read by a check above.
  it('every value in attempt_signals, cpace, records, rejected_records, identity and resumption was read by a check', () => {
    expect(TRACKER.unread(FURTHER_SECTIONS).filter((path) => !path.endsWith('.note'))).toEqual([]);
  });
});
