/**
 * Record vectors (docs/PROTOCOL.md §4): records sealed by the implementation with fixed
 * IVs and checked against the raw spec keys, and one refused record per receiver check.
 */
import { type Bytes, bytesEqual, concatBytes, fromHex, toHex } from '../../src/core/bytes.ts';
import { encodeBatch, encodePeerMessage, recordTypeOf } from '../../src/core/messages.ts';
import { MAX_RECORD_BYTES, RECORD_OVERHEAD, RecordSealer, RecordType } from '../../src/core/record.ts';
import type { FixedRecord } from './fixed.ts';
import { aesGcmRaw, check, fixedRandom, hmacRaw } from './primitives.ts';
import type { RecordVector, RejectedRecord } from './types.ts';

const FINAL_SEQUENCE = 2n ** 64n - 1n;

function describeRecord(fixed: FixedRecord): Pick<RecordVector, 'type' | 'type_byte' | 'plaintext_text' | 'file_chunk' | 'batch_entries'> & { plaintext: Bytes } {
  const { message } = fixed;
  if (Array.isArray(message)) {
    const entries = message.map((m) => ({ type: recordTypeOf(m.type), plaintext: encodePeerMessage(m) }));
    return {
      type: 'batch',
      type_byte: RecordType.batch,
      batch_entries: message.map((m, i) => ({ type: m.type, type_byte: entries[i]!.type, plaintext: toHex(entries[i]!.plaintext) })),
      plaintext: encodeBatch(entries),
    };
  }
  const plaintext = encodePeerMessage(message);
  if (message.type === 'file-chunk') {
    return { type: message.type, type_byte: recordTypeOf(message.type), file_chunk: { id: message.id, index: message.index, data: toHex(message.data) }, plaintext };
  }
  return { type: message.type, type_byte: recordTypeOf(message.type), plaintext_text: new TextDecoder().decode(plaintext), plaintext };
}

export async function recordVectors(aes: CryptoKey, mac: CryptoKey, rawAes: Bytes, rawMac: Bytes, fixed: FixedRecord[]): Promise<RecordVector[]> {
  const sealer = new RecordSealer(aes, mac, fixedRandom(fixed.map((r) => r.iv)));
  const out: RecordVector[] = [];
  let counter = 0n;
  for (const entry of fixed) {
    const { plaintext, ...described } = describeRecord(entry);
    const typeByte = described.type_byte as RecordType;
    const record = entry.final ? await sealer.sealFinal(typeByte, plaintext) : await sealer.seal(typeByte, plaintext);
    const sequence = entry.final ? FINAL_SEQUENCE : (counter += 1n);
    const header = record.subarray(0, 22);
    const ciphertext = record.subarray(22, record.length - 32);
    const hmac = record.subarray(record.length - 32);
    // Spec: AES-256-GCM(direction key, iv, plaintext, aad = header); HMAC(direction key, header || ciphertext).
    const specHeader = new Uint8Array(22);
    specHeader[0] = 1;
    specHeader[1] = typeByte;
    new DataView(specHeader.buffer).setBigUint64(2, sequence);
    specHeader.set(fromHex(entry.iv), 10);
    check(bytesEqual(header, specHeader), `record header #${sequence}`);
    const specCiphertext = await aesGcmRaw(rawAes, fromHex(entry.iv), plaintext, specHeader);
    check(bytesEqual(ciphertext, specCiphertext), `record ciphertext #${sequence}`);
    check(bytesEqual(hmac, await hmacRaw(rawMac, concatBytes(specHeader, specCiphertext))), `record HMAC #${sequence}`);
    out.push({
      type: described.type,
      type_byte: described.type_byte,
      sequence: sequence.toString(),
      iv: entry.iv,
      ...(described.plaintext_text !== undefined ? { plaintext_text: described.plaintext_text } : {}),
      ...(described.file_chunk ? { file_chunk: described.file_chunk } : {}),
      ...(described.batch_entries ? { batch_entries: described.batch_entries } : {}),
      plaintext: toHex(plaintext),
      expected: { header: toHex(header), ciphertext: toHex(ciphertext), hmac: toHex(hmac), record: toHex(record) },
    });
  }
  return out;
}

/**
 * One refused record per receiver check, each given to a receiver of host→guest
 * records that has accepted the records listed in `after` and nothing else.
 * `hostToGuest` / `guestToHost` are the record vectors above; `rawMac` the host→guest HMAC key.
 */
export async function rejectedRecords(hostToGuest: RecordVector[], guestToHost: RecordVector[], rawAes: Bytes, rawMac: Bytes): Promise<RejectedRecord[]> {
  const first = fromHex(hostToGuest[0]!.expected.record);
  const altered = (at: number, value: number) => {
    const copy = Uint8Array.from(first);
    copy[at] = value;
    return copy;
  };
  const last = first.length - 1;
  const badHmac = altered(last, first[last]! ^ 0x01);
  // A record whose HMAC is right but whose GCM tag is not (the sender's HMAC key, a flipped ciphertext bit).
  const badGcm = Uint8Array.from(first);
  badGcm[22] = badGcm[22]! ^ 0x01;
  badGcm.set(await hmacRaw(rawMac, badGcm.subarray(0, badGcm.length - 32)), badGcm.length - 32);
  // An authentic record whose payload is not what its type carries (a chat with no fields).
  const header = new Uint8Array(22);
  header.set([1, RecordType.chat, 0, 0, 0, 0, 0, 0, 0, 1]);
  header.set(fromHex(hostToGuest[0]!.iv), 10);
  const ciphertext = await aesGcmRaw(rawAes, header.subarray(10), new TextEncoder().encode('{}'), header);
  const badPayload = concatBytes(header, ciphertext, await hmacRaw(rawMac, concatBytes(header, ciphertext)));
  const tooShort = first.subarray(0, RECORD_OVERHEAD - 1);
  const cases: RejectedRecord[] = [
    { case: 'too short: 69 bytes, one less than the smallest record (22 + 16 + 32)', after: [], record: toHex(tooShort), record_length: tooShort.length, expected_error: 'record-malformed' },
    { case: `too large: ${MAX_RECORD_BYTES + 1} zero bytes, one more than 192 KiB of plaintext can make`, after: [], record_length: MAX_RECORD_BYTES + 1, expected_error: 'record-too-large' },
    { case: 'unknown version: host_to_guest #1 with version 0x02', after: [], record: toHex(altered(0, 2)), record_length: first.length, expected_error: 'unsupported-version' },
    { case: 'unknown type: host_to_guest #1 with type 0x1e', after: [], record: toHex(altered(1, 0x1e)), record_length: first.length, expected_error: 'record-malformed' },
    { case: 'bad HMAC: host_to_guest #1 with the last bit flipped', after: [], record: toHex(badHmac), record_length: first.length, expected_error: 'record-forged' },
    { case: 'bad AES-GCM tag: a ciphertext bit flipped and the HMAC made anew', after: [], record: toHex(badGcm), record_length: first.length, expected_error: 'record-forged' },
    { case: 'replay: host_to_guest #1 again', after: ['1'], record: toHex(first), record_length: first.length, expected_error: 'record-replayed' },
    { case: 'wrong direction: guest_to_host #1 given to the guest', after: [], record: guestToHost[0]!.expected.record, record_length: fromHex(guestToHost[0]!.expected.record).length, expected_error: 'record-forged' },
    { case: 'malformed payload: an authentic chat record whose plaintext is {}', after: [], record: toHex(badPayload), record_length: badPayload.length, expected_error: 'record-malformed' },
  ];
  return cases;
}
