/**
 * SecureChannel's send queue: file data waits for room on the wire, every other message
 * goes out at once, ahead of the file data still waiting, and the peer still accepts
 * every record strictly in sequence.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Bytes } from '../../../src/core/bytes.ts';
import { DuetError } from '../../../src/core/errors.ts';
import { FILE_CHUNK_BYTES } from '../../../src/core/files.ts';
import type { PeerMessage } from '../../../src/core/messages.ts';
import { RecordType } from '../../../src/core/record.ts';
import { establishBoth, makePair } from '../helpers/pair.ts';

vi.setConfig({ testTimeout: 60_000 });

const chunk = (index: number): PeerMessage => ({ type: 'file-chunk', id: 'file-id-0001', index, data: new Uint8Array(FILE_CHUNK_BYTES).fill(index % 256) as Bytes });
const chat: PeerMessage = { type: 'chat', id: 'message-id-1', text: 'overtaking the file', sentAt: 1 };
const recordTypes = (frames: Bytes[]) => frames.map((frame) => frame[1]!).filter((type) => type >= 0x10);

/** The wire's room for file data, as the data channel's buffer gives it: none until the test makes some. */
function wireRoom() {
  let full = false;
  let waiting: (() => void)[] = [];
  return {
    fill: () => void (full = true),
    drain: () => {
      full = false;
      for (const resolve of waiting.splice(0)) resolve();
    },
    drained: (): Promise<void> => (full ? new Promise<void>((resolve) => waiting.push(resolve)) : Promise.resolve()),
    get waiting() {
      return waiting.length;
    },
  };
}

describe('SecureChannel send queue', () => {
  it('a chat message queued behind 100 file chunks is sent first; the chunks follow in order once the wire has room', async () => {
    const room = wireRoom();
    const pair = await makePair({ drained: (role) => (role === 'host' ? room.drained() : Promise.resolve()) });
    await establishBoth(pair);
    const before = pair.host.sent.length;
    room.fill();
    const chunks = Array.from({ length: 100 }, (_, i) => chunk(i));
    const chunksSent = Promise.all(chunks.map((message) => pair.host.channel.send(message)));
    await pair.host.channel.send(chat);
    expect(recordTypes(pair.host.sent.slice(before))).toEqual([RecordType.chat]);
    await vi.waitFor(() => expect(pair.guest.received).toEqual([chat]));

    room.drain();
    await chunksSent;
    expect(recordTypes(pair.host.sent.slice(before))).toEqual([RecordType.chat, ...Array(100).fill(RecordType.fileChunk)]);
    await vi.waitFor(() => expect(pair.guest.received).toHaveLength(101));
    // In sequence: nothing was refused as replayed or reordered.
    expect(pair.guest.received).toEqual([chat, ...chunks]);
    expect(pair.guest.rejected).toEqual([]);
  });

  it('file data still waiting when the channel closes fails with not-connected', async () => {
    const room = wireRoom();
    const pair = await makePair({ drained: () => room.drained() });
    await establishBoth(pair);
    room.fill();
    const sent = Promise.allSettled(Array.from({ length: 10 }, (_, i) => pair.host.channel.send(chunk(i))));
    pair.host.channel.close();
    const results = await sent;
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as DuetError).code : r.status))).toEqual(Array(10).fill('not-connected'));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof DuetError)).toBe(true);
  });
});
