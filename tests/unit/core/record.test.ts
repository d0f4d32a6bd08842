import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type Bytes, utf8Encode } from '../../../src/core/bytes.ts';
import { DuetError } from '../../../src/core/errors.ts';
import { HEADER_BYTES, MAX_PLAINTEXT_BYTES, MAX_RECORD_BYTES, RecordOpener, RecordSealer, RecordType, isRecordType } from '../../../src/core/record.ts';

async function keys() {
  const aes = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const mac = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign', 'verify']);
  return { aes, mac };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return error instanceof DuetError ? error.code : `not a DuetError: ${String(error)}`;
  }
}

describe('record layer', () => {
  let sealer: RecordSealer;
  let opener: RecordOpener;
  let other: { aes: CryptoKey; mac: CryptoKey };

  beforeEach(async () => {
    const k = await keys();
    other = await keys();
    sealer = new RecordSealer(k.aes, k.mac);
    opener = new RecordOpener(k.aes, k.mac);
  });

  it('round-trips type, sequence and plaintext', async () => {
    const first = await sealer.seal(RecordType.chat, utf8Encode('hello'));
    const second = await sealer.seal(RecordType.profile, utf8Encode('{"name":"A"}'));
    expect(first.length).toBe(HEADER_BYTES + 5 + 16 + 32);
    const a = await opener.open(first);
    const b = await opener.open(second);
    expect([a.type, a.sequence, new TextDecoder().decode(a.plaintext)]).toEqual([RecordType.chat, 1n, 'hello']);
    expect([b.type, b.sequence]).toEqual([RecordType.profile, 2n]);
  });

  it('rejects a change to any single byte of a record, then still accepts the genuine one', async () => {
    const record = await sealer.seal(RecordType.chat, utf8Encode('integrity matters'));
    const fieldOf = (i: number) =>
      i === 0 ? 'version' : i === 1 ? 'type' : i < 10 ? 'sequence' : i < HEADER_BYTES ? 'iv' : i < record.length - 32 ? 'ciphertext' : 'hmac';
    const seen = new Set<string>();
    for (let i = 0; i < record.length; i++) {
      const tampered = new Uint8Array(record) as Bytes;
      tampered[i] = tampered[i]! ^ 0x01;
      const code = await codeOf(opener.open(tampered));
      const expected = i === 0 ? 'unsupported-version' : i === 1 && !isRecordType(tampered[1]!) ? 'record-malformed' : 'record-forged';
      expect(code, `byte ${i} (${fieldOf(i)})`).toBe(expected);
      seen.add(fieldOf(i));
    }
    expect([...seen].sort()).toEqual(['ciphertext', 'hmac', 'iv', 'sequence', 'type', 'version']);
    expect((await opener.open(record)).sequence).toBe(1n);
  });

  it('rejects a record sealed with another key pair', async () => {
    const stranger = new RecordSealer(other.aes, other.mac);
    expect(await codeOf(opener.open(await stranger.seal(RecordType.chat, utf8Encode('x'))))).toBe('record-forged');
  });

  it('rejects a record whose HMAC is genuine but ciphertext was sealed under a different AES key', async () => {
    // Same MAC key as the opener, different AES key: passes HMAC, fails AES-GCM.
    const k = await keys();
    const s = new RecordSealer(other.aes, k.mac);
    const o = new RecordOpener((await keys()).aes, k.mac);
    expect(await codeOf(o.open(await s.seal(RecordType.chat, utf8Encode('x'))))).toBe('record-forged');
  });

  it('rejects replayed and reordered records without losing its place', async () => {
    const r1 = await sealer.seal(RecordType.chat, utf8Encode('1'));
    const r2 = await sealer.seal(RecordType.chat, utf8Encode('2'));
    const r3 = await sealer.seal(RecordType.chat, utf8Encode('3'));
    await opener.open(r1);
    expect(await codeOf(opener.open(r1))).toBe('record-replayed');
    await opener.open(r3);
    expect(await codeOf(opener.open(r2))).toBe('record-replayed');
    const r4 = await sealer.seal(RecordType.chat, utf8Encode('4'));
    expect((await opener.open(r4)).sequence).toBe(4n);
  });

  it('processes records in arrival order even when opened concurrently', async () => {
    const records = await Promise.all([1, 2, 3, 4, 5].map((n) => sealer.seal(RecordType.chat, utf8Encode(String(n)))));
    const opened = await Promise.all(records.map((r) => opener.open(r)));
    expect(opened.map((r) => r.sequence)).toEqual([1n, 2n, 3n, 4n, 5n]);
  });

  it('opened all at once (pipelined), a burst gets the same outcome per record as one at a time', async () => {
    const records = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => sealer.seal(RecordType.chat, utf8Encode(String(n)))));
    const forged = new Uint8Array(records[3]!) as Bytes;
    forged[HEADER_BYTES] = forged[HEADER_BYTES]! ^ 0x01;
    const gcmOnly = await new RecordSealer(other.aes, (await keys()).mac).seal(RecordType.chat, utf8Encode('x'));
    // 1, 2, 1 again (replayed while 2 is still in flight), 3, 4 forged, 2 again, 5, 6, 6 again.
    const burst = [records[0]!, records[1]!, records[0]!, records[2]!, forged, records[1]!, records[4]!, records[5]!, records[5]!];
    const outcomes = await Promise.all(burst.map((record) => codeOf(opener.open(record))));
    expect(outcomes).toEqual(['accepted', 'accepted', 'record-replayed', 'accepted', 'record-forged', 'record-replayed', 'accepted', 'accepted', 'record-replayed']);
    // The forged record changed nothing: the genuine 4th is refused only because 5 and 6 came after it.
    expect(await codeOf(opener.open(records[3]!))).toBe('record-replayed');
    expect(await codeOf(opener.open(gcmOnly))).toBe('record-forged');
    expect((await opener.open(await sealer.seal(RecordType.chat, utf8Encode('7')))).sequence).toBe(7n);
  });

  it('releases no plaintext unless both tags verify, even when records are opened concurrently', async () => {
    const k = await keys();
    const right = new RecordOpener(k.aes, k.mac);
    const plain = utf8Encode('secret');
    // A valid AES-GCM tag but a wrong HMAC, and a valid HMAC over a ciphertext from another AES key.
    const gcmOnly = await new RecordSealer(k.aes, other.mac).seal(RecordType.chat, plain);
    const hmacOnly = await new RecordSealer(other.aes, k.mac).seal(RecordType.chat, plain);
    const good = await new RecordSealer(k.aes, k.mac).seal(RecordType.chat, plain);
    const outcomes = await Promise.all([gcmOnly, hmacOnly, good, gcmOnly].map((record) => codeOf(right.open(record))));
    expect(outcomes).toEqual(['record-forged', 'record-forged', 'accepted', 'record-forged']);
    // Neither refused record moved the sequence: the genuine one (also sequence 1) was accepted after them.
    const errors = await Promise.all([gcmOnly, hmacOnly].map((record) => right.open(record).catch((error: DuetError) => error.message)));
    expect(errors).toEqual([expect.stringContaining('HMAC mismatch'), expect.stringContaining('AES-GCM')]);
  });

  it('reads the header when open() is called; later changes to the bytes can only make it refuse', async () => {
    const genuine = await sealer.seal(RecordType.chat, utf8Encode('original'));
    const inFlight = new Uint8Array(genuine) as Bytes;
    const opening = opener.open(inFlight);
    // Sequence and type changed right after the call: what was read stands.
    inFlight[9] = 9;
    inFlight[1] = RecordType.profile;
    const opened = await opening;
    expect([opened.type, opened.sequence, new TextDecoder().decode(opened.plaintext)]).toEqual([RecordType.chat, 1n, 'original']);

    // The ciphertext changed while the HMAC is being checked: AES-GCM refuses, nothing else comes out.
    const next = await sealer.seal(RecordType.chat, utf8Encode('next'));
    const changing = new Uint8Array(next) as Bytes;
    const refusing = opener.open(changing);
    changing.fill(0, HEADER_BYTES, changing.length - 32);
    expect(await codeOf(refusing)).toBe('record-forged');

    // A forged record made genuine after the call is still refused.
    const later = await sealer.seal(RecordType.chat, utf8Encode('later'));
    const forged = new Uint8Array(later) as Bytes;
    forged[HEADER_BYTES] = forged[HEADER_BYTES]! ^ 0x01;
    const stillForged = opener.open(forged);
    forged.set(later);
    expect(await codeOf(stillForged)).toBe('record-forged');

    // A record inside a larger buffer (a view with an offset) opens as well.
    const framed = new Uint8Array(later.length + 7) as Bytes;
    framed.set(later, 3);
    expect(new TextDecoder().decode((await opener.open(framed.subarray(3, 3 + later.length))).plaintext)).toBe('later');
  });

  it('decrypts nothing whose HMAC fails, even when records are opened concurrently', async () => {
    const decrypt = vi.spyOn(crypto.subtle, 'decrypt');
    try {
      const good = await sealer.seal(RecordType.chat, utf8Encode('ok'));
      const stranger = await new RecordSealer(other.aes, other.mac).seal(RecordType.chat, utf8Encode('x'));
      const outcomes = await Promise.all([stranger, good, stranger].map((record) => codeOf(opener.open(record))));
      expect(outcomes).toEqual(['record-forged', 'accepted', 'record-forged']);
      expect(decrypt).toHaveBeenCalledTimes(1);
    } finally {
      decrypt.mockRestore();
    }
  });

  it('rejects malformed, truncated, oversized and unknown-type records with named errors', async () => {
    const good = await sealer.seal(RecordType.chat, utf8Encode('x'));
    expect(await codeOf(opener.open(new Uint8Array(0)))).toBe('record-malformed');
    expect(await codeOf(opener.open(good.subarray(0, 40)))).toBe('record-malformed');
    expect(await codeOf(opener.open(new Uint8Array(MAX_RECORD_BYTES + 1)))).toBe('record-too-large');
    const unknown = new Uint8Array(good) as Bytes;
    unknown[1] = 0x7f;
    expect(await codeOf(opener.open(unknown))).toBe('record-malformed');
    const handshakeType = new Uint8Array(good) as Bytes;
    handshakeType[1] = 0x01;
    expect(await codeOf(opener.open(handshakeType))).toBe('record-malformed');
    expect((await opener.open(good)).sequence).toBe(1n);
  });

  it('refuses to seal more than a record can carry', async () => {
    expect(await codeOf(sealer.seal(RecordType.chat, new Uint8Array(MAX_PLAINTEXT_BYTES + 1)))).toBe('message-too-long');
    const max = await sealer.seal(RecordType.chat, new Uint8Array(MAX_PLAINTEXT_BYTES));
    expect(max.length).toBe(MAX_RECORD_BYTES);
    expect((await opener.open(max)).sequence).toBe(1n);
  });

  it('a final record can be sealed ahead of time; nothing is accepted after it', async () => {
    const final = await sealer.sealFinal(RecordType.bye, utf8Encode('{}'));
    const r1 = await sealer.seal(RecordType.chat, utf8Encode('1'));
    await opener.open(r1);
    const opened = await opener.open(final);
    expect([opened.type, opened.sequence]).toEqual([RecordType.bye, 0xffff_ffff_ffff_ffffn]);
    expect(await codeOf(opener.open(await sealer.seal(RecordType.chat, utf8Encode('2'))))).toBe('record-replayed');
    expect(await codeOf(opener.open(final))).toBe('record-replayed');
  });

  it('a record given back once sent holds a later one; records in flight never share a buffer', async () => {
    const payload = (n: number) => new Uint8Array(20_000).fill(n);
    const first = await Promise.all([1, 2, 3].map((n) => sealer.seal(RecordType.fileChunk, payload(n))));
    expect(new Set(first.map((r) => r.buffer)).size).toBe(3);
    // On the wire: the data channel copies each record as it is sent.
    const wire = first.map((r) => new Uint8Array(r));
    for (const record of first) sealer.recycle(record);
    sealer.recycle(first[0]!); // given back twice: still handed to one record only
    const second = await Promise.all([4, 5, 6].map((n) => sealer.seal(RecordType.fileChunk, payload(n))));
    const reused = second.filter((r) => first.some((f) => f.buffer === r.buffer));
    expect(reused).toHaveLength(3);
    expect(new Set(second.map((r) => r.buffer)).size).toBe(3);
    wire.push(...second.map((r) => new Uint8Array(r)));
    const opened = await Promise.all(wire.map((r) => opener.open(r as Bytes)));
    expect(opened.map((r) => [r.sequence, r.plaintext.length, r.plaintext[0]])).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => [BigInt(n), 20_000, n]),
    );
  });

  it('reads the plaintext before seal() returns, so the caller may reuse or release it at once', async () => {
    const plaintext = new Uint8Array(20_000).fill(7);
    const sealing = sealer.seal(RecordType.fileChunk, plaintext);
    plaintext.fill(9);
    const opened = await opener.open(await sealing);
    expect(opened.plaintext.every((byte) => byte === 7)).toBe(true);
  });

  it('uses a fresh IV for every record', async () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const r = await sealer.seal(RecordType.chat, utf8Encode('same'));
      ivs.add(Buffer.from(r.subarray(10, HEADER_BYTES)).toString('hex'));
    }
    expect(ivs.size).toBe(50);
  });
});
