/**
 * Bursts: messages sent in the same microtask share one record (a batch), in order;
 * a lone message keeps its own record type; a malformed batch is refused whole.
 */
import { describe, expect, it, vi } from 'vitest';
import { type Bytes, utf8Encode } from '../../../src/core/bytes.ts';
import type { DuetError } from '../../../src/core/errors.ts';
import { FILE_CHUNK_BYTES } from '../../../src/core/files.ts';
import { type PeerMessage, encodeBatch, encodePeerMessage, parseRecordPayload, recordTypeOf } from '../../../src/core/messages.ts';
import { RecordType } from '../../../src/core/record.ts';
import { establishBoth, makePair } from '../helpers/pair.ts';

vi.setConfig({ testTimeout: 60_000 });

const chat = (i: number, text = `message ${i}`): PeerMessage => ({ type: 'chat', id: `msg-${String(i).padStart(8, '0')}`, text, sentAt: i });
const recordTypes = (frames: Bytes[]) => frames.map((frame) => frame[1]!).filter((type) => type >= 0x10);
const entry = (message: PeerMessage) => ({ type: recordTypeOf(message.type), plaintext: encodePeerMessage(message) });

/**
 * A secure pair whose wire holds the host's records once the handshake is done, until
 * the test delivers them: each is read long after its buffers were reused.
 */
async function pairHoldingHostRecords() {
  let holding = false;
  const held: Bytes[] = [];
  const pair = await makePair({ tamper: (from, frame) => (holding && from === 'host' ? (held.push(frame), []) : [frame]) });
  await establishBoth(pair);
  holding = true;
  return { pair, held };
}

describe('bursts of messages', () => {
  it('a burst travels as one batch record and arrives complete and in order; a lone message keeps its own type', async () => {
    const pair = await makePair();
    await establishBoth(pair);
    const before = pair.host.sent.length;
    const burst = Array.from({ length: 300 }, (_, i) => chat(i));
    await Promise.all(burst.map((message) => pair.host.channel.send(message)));
    await vi.waitFor(() => expect(pair.guest.received).toEqual(burst));
    expect(recordTypes(pair.host.sent.slice(before))).toEqual([RecordType.batch]);

    const alone = chat(1000);
    await pair.host.channel.send(alone);
    await vi.waitFor(() => expect(pair.guest.received.at(-1)).toEqual(alone));
    expect(recordTypes(pair.host.sent.slice(before))).toEqual([RecordType.batch, RecordType.chat]);
    expect(pair.guest.rejected).toEqual([]);
  });

  it('a burst larger than one record is cut into several, still in order; a message too long for any record fails alone', async () => {
    const pair = await makePair();
    await establishBoth(pair);
    const before = pair.host.sent.length;
    const big = Array.from({ length: 12 }, (_, i) => chat(i, 'x'.repeat(40_000)));
    const tooLong: PeerMessage = { type: 'chat', id: 'too-long-000', text: '€'.repeat(70_000), sentAt: 0 };
    const results = await Promise.allSettled([...big.slice(0, 6), tooLong, ...big.slice(6)].map((m) => pair.host.channel.send(m)));
    expect(results.map((r) => r.status)).toEqual([...Array(6).fill('fulfilled'), 'rejected', ...Array(6).fill('fulfilled')]);
    expect(((results[6] as PromiseRejectedResult).reason as DuetError).code).toBe('message-too-long');
    await vi.waitFor(() => expect(pair.guest.received).toEqual(big));
    expect(recordTypes(pair.host.sent.slice(before)).length).toBeGreaterThan(2);
  });

  it('large messages sent one after another arrive intact while each record reuses a sent one\'s buffer', async () => {
    const { pair, held } = await pairHoldingHostRecords();
    const messages = Array.from({ length: 20 }, (_, i) => chat(i, String.fromCharCode(0x61 + i).repeat(30_000 + i)));
    // One at a time: each message is a record of its own, sealed after the one before was sent.
    for (const message of messages) await pair.host.channel.send(message);
    expect(held).toHaveLength(20);
    for (const frame of held) pair.guest.channel.receive(frame);
    await vi.waitFor(() => expect(pair.guest.received).toEqual(messages));
    expect(pair.guest.rejected).toEqual([]);
  });

  it('file chunks arrive intact while their plaintext buffers are reused, one by one and in one burst', async () => {
    const { pair, held } = await pairHoldingHostRecords();
    const chunk = (index: number): PeerMessage => ({ type: 'file-chunk', id: 'file-id-0001', index, data: new Uint8Array(FILE_CHUNK_BYTES).fill(index) as Bytes });
    const oneByOne = Array.from({ length: 8 }, (_, i) => chunk(i));
    for (const message of oneByOne) await pair.host.channel.send(message);
    // Sent in one microtask, encoded at once, but sealed one record each: file data waits
    // for room on the wire a record at a time, so other messages can go out ahead of it.
    const burst = Array.from({ length: 6 }, (_, i) => chunk(8 + i));
    await Promise.all(burst.map((message) => pair.host.channel.send(message)));
    expect(recordTypes(held)).toEqual(Array(14).fill(RecordType.fileChunk));
    for (const frame of held) pair.guest.channel.receive(frame);
    await vi.waitFor(() => expect(pair.guest.received).toHaveLength(14));
    expect(pair.guest.received).toEqual([...oneByOne, ...burst]);
    expect(pair.guest.rejected).toEqual([]);
  });

  it('a malformed batch is refused whole with record-malformed', () => {
    const code = (plaintext: Uint8Array) => {
      try {
        parseRecordPayload(RecordType.batch, plaintext);
        return 'accepted';
      } catch (error) {
        return (error as DuetError).code;
      }
    };
    const good = encodeBatch([entry(chat(1)), entry(chat(2))]);
    expect(parseRecordPayload(RecordType.batch, good)).toEqual([chat(1), chat(2)]);
    expect(code(encodeBatch([entry(chat(1))]))).toBe('record-malformed'); // one message is not a batch
    expect(code(encodeBatch([entry(chat(1)), { type: RecordType.batch, plaintext: good }]))).toBe('record-malformed');
    expect(code(encodeBatch([entry(chat(1)), entry({ type: 'bye' })]))).toBe('record-malformed');
    expect(code(encodeBatch([entry(chat(1)), { type: 0x7f as RecordType, plaintext: utf8Encode('{}') }]))).toBe('record-malformed');
    expect(code(encodeBatch([entry(chat(1)), { type: RecordType.chat, plaintext: utf8Encode('{"id":1}') }]))).toBe('record-malformed');
    expect(code(good.subarray(0, good.length - 1))).toBe('record-malformed'); // truncated
    expect(code(new Uint8Array([...good, RecordType.chat, 0, 0]))).toBe('record-malformed'); // a cut-off header
    expect(code(new Uint8Array())).toBe('record-malformed');
  });
});
