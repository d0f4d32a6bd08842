/**
 * Files: the wire format of the file records, the helpers in src/core/files.ts,
 * the FileTransfers state machine fed by hand (an authentic peer can still
 * misbehave), and whole transfers between two ChatSessions over the fake network
 * with real crypto.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { Bytes } from '../../../src/core/bytes.ts';
import { utf8Encode } from '../../../src/core/bytes.ts';
import type { Clock } from '../../../src/core/clock.ts';
import { DuetError } from '../../../src/core/errors.ts';
import { FileChecksum } from '../../../src/core/file-checksum.ts';
import {
  FILE_CHUNK_BYTES,
  FILE_WINDOW_BYTES,
  MAX_OPEN_INCOMING_FILES,
  ProgressMeter,
  announcedFileType,
  chunkCount,
  localFileType,
  sanitiseFileName,
} from '../../../src/core/files.ts';
import { type PeerMessage, encodePeerMessage, parsePeerMessage, recordTypeOf } from '../../../src/core/messages.ts';
import { RecordType } from '../../../src/core/record.ts';
import type { ServerMessage } from '../../../signaling/protocol.ts';
import { type FileSink, FileTransfers, type FileTransfersHost } from '../../../src/session/file-transfers.ts';
import { DiskFileSink, MemoryFileSink } from '../../../src/storage/file-sinks.ts';
import { workerChecksum } from '../../../src/storage/worker-checksum.ts';
import { ManualClock, settle } from '../helpers/manual-clock.ts';
import { securePair, waitFor, waitForPhase } from '../helpers/session-pair.ts';

vi.setConfig({ testTimeout: 30_000 });

const sha256Hex = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const ID = 'file-id-0001';

function roundTrip(message: PeerMessage): PeerMessage {
  return parsePeerMessage(recordTypeOf(message.type), encodePeerMessage(message));
}

function malformedCode(type: number, plaintext: Uint8Array): string | undefined {
  try {
    parsePeerMessage(type as RecordType, plaintext);
    return undefined;
  } catch (error) {
    return (error as DuetError).code;
  }
}

describe('file records on the wire', () => {
  it('every file message survives encode → parse unchanged', () => {
    const data = new Uint8Array(randomBytes(FILE_CHUNK_BYTES)) as Bytes;
    const messages: PeerMessage[] = [
      { type: 'file-offer', id: ID, name: 'holiday photo.jpg', size: 123_456_789, mime: 'image/jpeg', sentAt: 1_700_000_000_000 },
      { type: 'file-accept', id: ID },
      { type: 'file-chunk', id: ID, index: 0xffff_fffe, data },
      { type: 'file-chunk', id: ID, index: 3, data: new Uint8Array([7]) as Bytes },
      { type: 'file-end', id: ID, sha256: 'ab'.repeat(32) },
      { type: 'file-ack', id: ID, received: 2 ** 40 },
      { type: 'file-done', id: ID },
      { type: 'file-cancel', id: ID, reason: 'corrupt' },
    ];
    for (const message of messages) expect(roundTrip(message)).toEqual(message);
  });

  it('refuses malformed file records with record-malformed', () => {
    const offer = (fields: Record<string, unknown>) =>
      utf8Encode(JSON.stringify({ id: ID, name: 'a.txt', size: 1, mime: 'text/plain', sentAt: 1, ...fields }));
    const cases: [number, Uint8Array][] = [
      [RecordType.fileOffer, offer({ name: '../../etc/passwd' })],
      [RecordType.fileOffer, offer({ name: 'evil\u202Etxt.exe' })],
      [RecordType.fileOffer, offer({ name: '' })],
      [RecordType.fileOffer, offer({ name: 'x'.repeat(256) })],
      [RecordType.fileOffer, offer({ size: -1 })],
      [RecordType.fileOffer, offer({ size: 1.5 })],
      [RecordType.fileOffer, offer({ size: 2 ** 53 })],
      [RecordType.fileOffer, offer({ mime: 'text/html; charset=utf-8' })],
      [RecordType.fileOffer, offer({ id: 'short' })],
      [RecordType.fileOffer, offer({ extra: true })],
      [RecordType.fileAccept, utf8Encode('{"id":"not valid!"}')],
      [RecordType.fileEnd, utf8Encode(JSON.stringify({ id: ID, sha256: 'AB'.repeat(32) }))],
      [RecordType.fileAck, utf8Encode(JSON.stringify({ id: ID, received: '5' }))],
      [RecordType.fileCancel, utf8Encode(JSON.stringify({ id: ID, reason: 'bored' }))],
      // chunk: no data, bad id, too much data
      [RecordType.fileChunk, encodePeerMessage({ type: 'file-chunk', id: ID, index: 0, data: new Uint8Array(1) as Bytes }).slice(0, -1)],
      [RecordType.fileChunk, new Uint8Array([3, 0x41, 0x42, 0x43, 0, 0, 0, 0, 1])],
      [RecordType.fileChunk, encodePeerMessage({ type: 'file-chunk', id: ID, index: 0, data: new Uint8Array(FILE_CHUNK_BYTES + 1) as Bytes })],
      [RecordType.fileChunk, new Uint8Array([200, 1, 2])],
    ];
    for (const [type, plaintext] of cases) expect(malformedCode(type, plaintext), new TextDecoder().decode(plaintext).slice(0, 60)).toBe('record-malformed');
  });
});

describe('file helpers', () => {
  it('cleans names: no folders, no control or direction-override characters, no leading dots, at most 255 characters', () => {
    expect(sanitiseFileName('C:\\Users\\me\\report.pdf')).toBe('report.pdf');
    expect(sanitiseFileName('../../.bashrc')).toBe('bashrc');
    expect(sanitiseFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(sanitiseFileName('a\tb\nc.txt')).toBe('abc.txt');
    expect(sanitiseFileName('what?<>.txt')).toBe('what___.txt');
    expect(sanitiseFileName('')).toBe('file');
    expect([...sanitiseFileName('é'.repeat(300))]).toHaveLength(255);
  });

  it('types: only previewable images keep their type on arrival; SVG and HTML become opaque bytes', () => {
    expect(announcedFileType('Image/PNG')).toBe('image/png');
    expect(announcedFileType('')).toBe('application/octet-stream');
    expect(announcedFileType('text/html; charset=utf-8')).toBe('text/html');
    expect(localFileType('image/png')).toBe('image/png');
    expect(localFileType('image/svg+xml')).toBe('application/octet-stream');
    expect(localFileType('text/html')).toBe('application/octet-stream');
  });

  it('the streaming checksum equals SHA-256 of the whole file, however it is cut', () => {
    const data = new Uint8Array(randomBytes(100_003));
    const checksum = new FileChecksum();
    for (let at = 0; at < data.length; at += 7919) checksum.update(data.subarray(at, at + 7919));
    expect(checksum.digestHex()).toBe(sha256Hex(data));
    expect(new FileChecksum().digestHex()).toBe(sha256Hex(new Uint8Array()));
  });

  it('where no Web Worker can start, the checksum falls back to this thread and gives the same digest', async () => {
    expect(typeof (globalThis as { Worker?: unknown }).Worker).toBe('undefined');
    const data = new Uint8Array(randomBytes(50_000));
    const checksum = await workerChecksum();
    checksum.consume(data.slice(0, 20_000));
    checksum.consume(data.slice(20_000));
    expect(await checksum.digestHex()).toBe(sha256Hex(data));
  });

  it('the progress meter smooths the rate and estimates the time left', () => {
    const meter = new ProgressMeter(0, 500, 0.5);
    expect(meter.bytesPerSecond).toBeUndefined();
    meter.update(1000, 100); // too soon to measure
    expect(meter.bytesPerSecond).toBeUndefined();
    meter.update(1000, 1000); // 1000 B in 1 s
    expect(meter.bytesPerSecond).toBe(1000);
    meter.update(4000, 2000); // 3000 B/s now: halfway there
    expect(meter.bytesPerSecond).toBe(2000);
    expect(meter.secondsLeft(4000, 10_000)).toBe(3);
    expect(chunkCount(0)).toBe(0);
    expect(chunkCount(FILE_CHUNK_BYTES + 1)).toBe(2);
  });
});

// ---------------------------------------------------------------------------
// The state machine, driven by hand as a (possibly misbehaving) peer would

/** A sink that records what happened to it. */
class RecordingSink implements FileSink {
  readonly kind = 'memory';
  readonly written: Bytes[] = [];
  aborted = false;
  closed = false;
  async write(bytes: Bytes): Promise<void> {
    this.written.push(bytes);
  }
  async close(): Promise<Blob> {
    this.closed = true;
    return new Blob(this.written);
  }
  async abort(): Promise<void> {
    this.aborted = true;
  }
}

function harness() {
  const clock = new ManualClock();
  const sent: PeerMessage[] = [];
  const notices: DuetError[] = [];
  let position = 0;
  let counter = 0;
  const host: FileTransfersHost = {
    send: async (message) => {
      sent.push(message);
    },
    drained: () => Promise.resolve(),
    changed: () => {},
    notify: (error) => notices.push(error),
    myName: () => 'Alice',
    peerName: () => 'Bruno',
    nextPosition: () => ++position,
    clock: clock as Clock,
    random: (length) => {
      const bytes = new Uint8Array(length);
      bytes[0] = ++counter;
      return bytes as Bytes;
    },
  };
  return { files: new FileTransfers(host), sent, notices, clock };
}

const offerOf = (size: number, id = ID): PeerMessage => ({ type: 'file-offer', id, name: 'data.bin', size, mime: 'application/octet-stream', sentAt: 5 });

function chunksOf(data: Uint8Array, id = ID): PeerMessage[] {
  const out: PeerMessage[] = [];
  for (let index = 0; index * FILE_CHUNK_BYTES < data.length; index++) {
    out.push({ type: 'file-chunk', id, index, data: data.slice(index * FILE_CHUNK_BYTES, (index + 1) * FILE_CHUNK_BYTES) as Bytes });
  }
  return out;
}

async function acceptedIncoming(size: number) {
  const h = harness();
  await h.files.receive(offerOf(size));
  const sink = new RecordingSink();
  await h.files.accept(ID, sink);
  return { ...h, sink };
}

/** A sink whose first write waits until the test releases it, like a slow disk. */
class SlowFirstWriteSink extends RecordingSink {
  writes = 0;
  release!: () => void;
  private readonly released = new Promise<void>((resolve) => (this.release = resolve));
  override async write(bytes: Bytes): Promise<void> {
    this.writes += 1;
    if (this.writes === 1) await this.released;
    await super.write(bytes);
  }
}

describe('FileTransfers receiving file data on a lane of its own', () => {
  it('chunks and the end are handled one at a time and in order though nobody waits for them; other file messages are not held up', async () => {
    const data = new Uint8Array(randomBytes(3 * FILE_CHUNK_BYTES));
    const h = harness();
    await h.files.receive(offerOf(data.length));
    const sink = new SlowFirstWriteSink();
    await h.files.accept(ID, sink);
    const handled = [...chunksOf(data), { type: 'file-end', id: ID, sha256: sha256Hex(data) } as PeerMessage].map((message) => h.files.receive(message));
    await settle();
    // The first write is still under way: the next chunk waits for it.
    expect(sink.writes).toBe(1);
    await h.files.receive(offerOf(10, 'file-id-0002'));
    expect(h.files.get('file-id-0002')?.status.stage).toBe('offered');
    sink.release();
    await Promise.all(handled);
    expect(sink.writes).toBe(3);
    expect(h.files.get(ID)!.status.stage).toBe('complete');
    expect(h.files.get(ID)!.sha256).toBe(sha256Hex(data));
  });
});

describe('FileTransfers receiving from a misbehaving peer', () => {
  it('a checksum mismatch discards the file: failed file-corrupt, sink aborted, peer told, nothing to save', async () => {
    const data = new Uint8Array(randomBytes(40_000));
    const { files, sink, sent } = await acceptedIncoming(data.length);
    for (const chunk of chunksOf(data)) await files.receive(chunk);
    await files.receive({ type: 'file-end', id: ID, sha256: '00'.repeat(32) });
    const transfer = files.get(ID)!;
    expect(transfer.status).toMatchObject({ stage: 'failed', error: { code: 'file-corrupt' } });
    expect(sink.aborted).toBe(true);
    expect(sink.closed).toBe(false);
    expect(sent.at(-1)).toEqual({ type: 'file-cancel', id: ID, reason: 'corrupt' });
  });

  it('the right checksum completes it, with the file and its SHA-256', async () => {
    const data = new Uint8Array(randomBytes(40_000));
    const { files, sink, sent } = await acceptedIncoming(data.length);
    for (const chunk of chunksOf(data)) await files.receive(chunk);
    await files.receive({ type: 'file-end', id: ID, sha256: sha256Hex(data) });
    await vi.waitFor(() => expect(files.get(ID)!.status.stage).toBe('complete'));
    expect(files.get(ID)!.sha256).toBe(sha256Hex(data));
    expect(sink.closed).toBe(true);
    expect(sent.map((m) => m.type)).toEqual(['file-accept', 'file-ack', 'file-done']);
  });

  it('a chunk out of order, of the wrong length, or past the end fails the transfer with file-unexpected', async () => {
    const data = new Uint8Array(randomBytes(3 * FILE_CHUNK_BYTES));
    const [first, second] = chunksOf(data) as [Extract<PeerMessage, { type: 'file-chunk' }>, Extract<PeerMessage, { type: 'file-chunk' }>];
    const variants: PeerMessage[] = [
      second,
      { ...first, data: first.data.slice(1) as Bytes },
      { ...first, index: 7 },
    ];
    for (const bad of variants) {
      const { files, sink, sent } = await acceptedIncoming(data.length);
      await files.receive(bad);
      expect(files.get(ID)!.status).toMatchObject({ stage: 'failed', error: { code: 'file-unexpected' } });
      expect(sink.aborted).toBe(true);
      expect(sent.at(-1)).toEqual({ type: 'file-cancel', id: ID, reason: 'error' });
    }
  });

  it('data for a file nobody accepted changes nothing but one notice, however many chunks come', async () => {
    const h = harness();
    await h.files.receive(offerOf(FILE_CHUNK_BYTES * 4));
    for (const chunk of chunksOf(new Uint8Array(FILE_CHUNK_BYTES * 4))) await h.files.receive(chunk);
    for (const chunk of chunksOf(new Uint8Array(FILE_CHUNK_BYTES), 'unknown-file')) await h.files.receive(chunk);
    await h.files.receive({ type: 'file-end', id: 'unknown-file', sha256: '00'.repeat(32) });
    expect(h.files.get(ID)!.status.stage).toBe('offered');
    expect(h.files.get('unknown-file')).toBeUndefined();
    expect(h.notices.map((n) => n.code)).toEqual(['file-unexpected', 'file-unexpected']);
    expect(h.sent).toEqual([]);
  });

  it('a failed disk write ends the transfer with file-write-failed and tells the sender', async () => {
    const h = harness();
    await h.files.receive(offerOf(FILE_CHUNK_BYTES * 2));
    const sink = new RecordingSink();
    sink.write = () => Promise.reject(new DuetError('file-write-failed', 'disk full'));
    await h.files.accept(ID, sink);
    await h.files.receive(chunksOf(new Uint8Array(FILE_CHUNK_BYTES * 2))[0]!);
    expect(h.files.get(ID)!.status).toMatchObject({ stage: 'failed', error: { code: 'file-write-failed' } });
    expect(sink.aborted).toBe(true);
    expect(h.sent.at(-1)).toEqual({ type: 'file-cancel', id: ID, reason: 'error' });
  });

  it('an ending that comes short of the announced size is file-corrupt', async () => {
    const data = new Uint8Array(randomBytes(2 * FILE_CHUNK_BYTES));
    const { files } = await acceptedIncoming(data.length + 1);
    for (const chunk of chunksOf(data)) await files.receive(chunk);
    await files.receive({ type: 'file-end', id: ID, sha256: sha256Hex(data) });
    expect(files.get(ID)!.status).toMatchObject({ stage: 'failed', error: { code: 'file-corrupt' } });
  });

  it(`holds at most ${MAX_OPEN_INCOMING_FILES} open offers; more are declined with one notice each, a repeated id is ignored`, async () => {
    const h = harness();
    for (let i = 0; i < MAX_OPEN_INCOMING_FILES + 2; i++) await h.files.receive(offerOf(10, `offer-number-${i}`));
    await h.files.receive(offerOf(99, 'offer-number-0'));
    expect(h.files.list).toHaveLength(MAX_OPEN_INCOMING_FILES);
    expect(h.files.get('offer-number-0')!.size).toBe(10);
    expect(h.sent).toEqual([
      { type: 'file-cancel', id: `offer-number-${MAX_OPEN_INCOMING_FILES}`, reason: 'declined' },
      { type: 'file-cancel', id: `offer-number-${MAX_OPEN_INCOMING_FILES + 1}`, reason: 'declined' },
    ]);
    expect(h.notices.map((n) => n.code)).toEqual(['too-many-files', 'too-many-files']);
  });

  it('declining tells the peer and keeps nothing; a decline cannot stop a transfer that already started', async () => {
    const h = harness();
    await h.files.receive(offerOf(10));
    await h.files.decline(ID);
    expect(h.files.get(ID)!.status).toEqual({ stage: 'declined', by: 'me' });
    expect(h.sent).toEqual([{ type: 'file-cancel', id: ID, reason: 'declined' }]);
  });
});

describe('FileTransfers sending', () => {
  it('never has more than the window unacknowledged, and acks beyond what was sent are not believed', async () => {
    const h = harness();
    const data = new Uint8Array(randomBytes(FILE_WINDOW_BYTES * 3));
    await h.files.offer(new File([data], 'big.bin'));
    const id = h.files.list[0]!.id;
    await h.files.receive({ type: 'file-accept', id });
    const sentBytes = () => h.sent.filter((m) => m.type === 'file-chunk').length * FILE_CHUNK_BYTES;
    await vi.waitFor(() => expect(sentBytes()).toBe(FILE_WINDOW_BYTES));
    await settle();
    expect(sentBytes()).toBe(FILE_WINDOW_BYTES);
    await h.files.receive({ type: 'file-ack', id, received: FILE_WINDOW_BYTES + 1 });
    expect(h.notices.map((n) => n.code)).toEqual(['file-unexpected']);
    await settle();
    expect(sentBytes()).toBe(FILE_WINDOW_BYTES);
    await h.files.receive({ type: 'file-ack', id, received: FILE_WINDOW_BYTES / 2 });
    await vi.waitFor(() => expect(sentBytes()).toBe(FILE_WINDOW_BYTES * 1.5));
    // Ahead of what was sent again: still not believed (one notice per transfer is enough).
    await h.files.receive({ type: 'file-ack', id, received: data.length });
    expect(h.notices).toHaveLength(1);
    await settle();
    expect(sentBytes()).toBe(FILE_WINDOW_BYTES * 1.5);
    await h.files.receive({ type: 'file-ack', id, received: FILE_WINDOW_BYTES * 1.5 });
    await vi.waitFor(() => expect(sentBytes()).toBe(FILE_WINDOW_BYTES * 2.5));
    await h.files.receive({ type: 'file-ack', id, received: FILE_WINDOW_BYTES * 2 });
    await vi.waitFor(() => expect(sentBytes()).toBe(data.length));
    await vi.waitFor(() => expect(h.sent.at(-1)).toEqual({ type: 'file-end', id, sha256: sha256Hex(data) }));
    // A "done" before every byte was acknowledged is not believed either.
    await h.files.receive({ type: 'file-done', id });
    expect(h.files.get(id)!.status.stage).toBe('verifying');
    await h.files.receive({ type: 'file-ack', id, received: data.length });
    await h.files.receive({ type: 'file-done', id });
    expect(h.files.get(id)!.status.stage).toBe('complete');
  });

  it('the receiver failing or finding the file corrupt fails it here with file-peer-failed or file-corrupt', async () => {
    for (const [reason, code] of [['error', 'file-peer-failed'], ['corrupt', 'file-corrupt']] as const) {
      const h = harness();
      await h.files.offer(new File(['x'.repeat(100)], 'a.txt'));
      const id = h.files.list[0]!.id;
      await h.files.receive({ type: 'file-accept', id });
      await h.files.receive({ type: 'file-cancel', id, reason });
      expect(h.files.get(id)!.status).toMatchObject({ stage: 'failed', error: { code } });
    }
  });

  it('a declined offer sends nothing; a retry of a failed one is a new offer in the same place', async () => {
    const h = harness();
    await h.files.offer(new File(['hello'], 'a.txt', { type: 'text/plain' }));
    const first = h.files.list[0]!;
    expect(h.sent[0]).toEqual({ type: 'file-offer', id: first.id, name: 'a.txt', size: 5, mime: 'text/plain', sentAt: 0 });
    await h.files.receive({ type: 'file-cancel', id: first.id, reason: 'declined' });
    expect(h.files.get(first.id)!.status).toEqual({ stage: 'declined', by: 'peer' });
    await h.files.offer(new File(['again'], 'b.txt'));
    const second = h.files.list[1]!;
    h.files.interruptAll();
    expect(h.files.get(second.id)!.status).toMatchObject({ stage: 'failed', error: { code: 'file-interrupted' } });
    await h.files.retry(second.id);
    expect(h.files.list).toHaveLength(2);
    expect(h.files.list[1]).toMatchObject({ name: 'b.txt', position: second.position, status: { stage: 'offered' } });
    expect(h.files.list[1]!.id).not.toBe(second.id);
  });
});

// ---------------------------------------------------------------------------
// Two ChatSessions, real crypto, fake network

/** A File whose reads past `gateAt` wait until release(), like a slow disk. */
function gatedFile(data: Uint8Array, name: string, gateAt: number) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const blob = new File([data as Bytes], name, { type: 'application/octet-stream' });
  const source = {
    name,
    size: blob.size,
    type: blob.type,
    slice(start: number, end: number): Blob {
      const part = blob.slice(start, end);
      if (start < gateAt) return part;
      return { arrayBuffer: () => gate.then(() => part.arrayBuffer()) } as Blob;
    },
  };
  return { source, release };
}

describe('files between two sessions', () => {
  it('a file arrives byte-identical after the receiver accepts, with progress on both sides, and a text message overtakes it', async () => {
    const { host, guest } = await securePair();
    const data = new Uint8Array(randomBytes(3 * 1024 * 1024 + 123));
    const { source, release } = gatedFile(data, 'report.bin', 1024 * 1024);
    await host.sendFile(source);
    const offered = await waitFor(() => {
      expect(guest.transfers).toHaveLength(1);
      return guest.transfers[0]!;
    });
    expect(offered).toMatchObject({ direction: 'incoming', name: 'report.bin', size: data.length, senderName: 'Alice', status: { stage: 'offered' } });
    await guest.acceptFile(offered.id, new MemoryFileSink(offered.mime));
    // The sender's disk is "slow" past 1 MiB: the transfer is under way, part done.
    await waitFor(() => expect(guest.transfers[0]!.done).toBe(1024 * 1024));
    expect(host.transfers[0]!.status.stage).toBe('transferring');
    await host.send('still here');
    await waitFor(() => expect(guest.messages.map((m) => m.text)).toEqual(['still here']));
    expect(guest.transfers[0]!.status.stage).toBe('transferring');
    release();
    await waitFor(() => expect(guest.transfers[0]!.status.stage).toBe('complete'));
    await waitFor(() => expect(host.transfers[0]!.status.stage).toBe('complete'));
    const status = guest.transfers[0]!.status as { stage: 'complete'; file: Blob };
    const received = new Uint8Array(await status.file.arrayBuffer());
    expect(sha256Hex(received)).toBe(sha256Hex(data));
    expect(guest.transfers[0]!.sha256).toBe(sha256Hex(data));
    expect(status.file.type).toBe('application/octet-stream');
    expect(host.transfers[0]!.done).toBe(data.length);
    // Messages and files keep the order they happened in.
    expect(guest.messages[0]!.position).toBeGreaterThan(guest.transfers[0]!.position);
  });

  it('either side can cancel mid-way; both see it, and the receiver keeps nothing', async () => {
    for (const canceller of ['sender', 'receiver'] as const) {
      const { host, guest } = await securePair();
      const data = new Uint8Array(randomBytes(2 * 1024 * 1024));
      const { source } = gatedFile(data, 'x.bin', 1024 * 1024);
      await host.sendFile(source);
      const id = await waitFor(() => guest.transfers[0]!.id);
      const sink = new MemoryFileSink('application/octet-stream');
      const abort = vi.spyOn(sink, 'abort');
      await guest.acceptFile(id, sink);
      await waitFor(() => expect(guest.transfers[0]!.done).toBe(1024 * 1024));
      await (canceller === 'sender' ? host : guest).cancelFile(id);
      const [mine, theirs] = canceller === 'sender' ? [host, guest] : [guest, host];
      await waitFor(() => expect(theirs.transfers[0]!.status).toEqual({ stage: 'cancelled', by: 'peer' }));
      expect(mine.transfers[0]!.status).toEqual({ stage: 'cancelled', by: 'me' });
      expect(abort).toHaveBeenCalled();
    }
  });

  it('a broken connection fails the transfer on both sides with file-interrupted; after reconnecting the sender can retry', async () => {
    const { world, host, guest } = await securePair();
    const data = new Uint8Array(randomBytes(2 * 1024 * 1024));
    const { source, release } = gatedFile(data, 'y.bin', 1024 * 1024);
    await host.sendFile(source);
    const id = await waitFor(() => guest.transfers[0]!.id);
    await guest.acceptFile(id, new MemoryFileSink('application/octet-stream'));
    await waitFor(() => expect(guest.transfers[0]!.done).toBe(1024 * 1024));
    world.network.linkOf(host)!.fail();
    for (const side of [host, guest]) {
      await waitFor(() => expect(side.transfers[0]!.status).toMatchObject({ stage: 'failed', error: { code: 'file-interrupted' } }));
    }
    expect(host.canSendFiles).toBe(false);
    await expect(host.sendFile(new File(['x'], 'x.txt'))).rejects.toMatchObject({ code: 'not-connected' });
    await Promise.all([waitForPhase(host, 'secure'), waitForPhase(guest, 'secure')]);
    release();
    await host.retryFile(id);
    const retried = await waitFor(() => {
      const incoming = guest.transfers.find((t) => t.id !== id);
      expect(incoming).toBeDefined();
      return incoming!;
    });
    expect(host.transfers).toHaveLength(1);
    await guest.acceptFile(retried.id, new MemoryFileSink(retried.mime));
    await waitFor(() => expect(guest.transfers.find((t) => t.id === retried.id)!.status.stage).toBe('complete'));
    const file = (guest.transfers.find((t) => t.id === retried.id)!.status as { file: Blob }).file;
    expect(sha256Hex(new Uint8Array(await file.arrayBuffer()))).toBe(sha256Hex(data));
  });

  it('a transfer pauses through an ICE restart (same data channel) and completes intact', async () => {
    const { world, host, guest, safetyCode } = await securePair();
    const data = new Uint8Array(randomBytes(2 * 1024 * 1024 + 5));
    const { source, release } = gatedFile(data, 'through-restart.bin', 1024 * 1024);
    await host.sendFile(source);
    const id = await waitFor(() => guest.transfers[0]!.id);
    await guest.acceptFile(id, new MemoryFileSink('application/octet-stream'));
    await waitFor(() => expect(guest.transfers[0]!.done).toBe(1024 * 1024));
    const stages: string[] = [];
    host.subscribe(() => {
      if (host.status.phase === 'reconnecting' && stages.at(-1) !== host.status.stage) stages.push(host.status.stage);
    });
    // Hold the host's restart announcement, so the transfer goes on while ICE is down.
    const held: ServerMessage[] = [];
    world.server.intercept = (frame, from) => {
      if (from.owner !== host) return frame;
      held.push(frame);
      return null;
    };
    world.network.breakPath(world.network.linkOf(host)!);
    await waitFor(() => expect(host.status).toMatchObject({ phase: 'reconnecting', stage: 'ice-restart' }));
    release();
    await settle();
    expect(host.transfers[0]!.status.stage).toBe('transferring');
    world.server.intercept = undefined;
    for (const frame of held) world.server.deliverTo(guest, frame);
    await waitFor(() => expect([host.status, guest.status]).toEqual([{ phase: 'secure', safetyCode }, { phase: 'secure', safetyCode }]));
    await waitFor(() => expect(guest.transfers[0]!.status.stage).toBe('complete'));
    const file = (guest.transfers[0]!.status as { file: Blob }).file;
    expect(sha256Hex(new Uint8Array(await file.arrayBuffer()))).toBe(sha256Hex(data));
    await waitFor(() => expect(host.transfers[0]!.status.stage).toBe('complete'));
    // Never a new peer connection: the ICE restart kept the data channel, and the transfer with it.
    expect(stages).toEqual(['ice-restart']);
    expect(world.network.links).toHaveLength(2);
  });

  it('leaving mid-transfer stops every timer the transfers started (the session disposes of them)', async () => {
    const { world, host, guest } = await securePair();
    const data = new Uint8Array(randomBytes(2 * 1024 * 1024));
    const { source } = gatedFile(data, 'left-behind.bin', 1024 * 1024);
    await host.sendFile(source);
    const id = await waitFor(() => guest.transfers[0]!.id);
    await guest.acceptFile(id, new MemoryFileSink('application/octet-stream'));
    await waitFor(() => expect(guest.transfers[0]!.done).toBe(1024 * 1024));
    // Progress redraws wait on the clock, which only the test moves: they are pending now.
    expect(world.clock.pending).toBeGreaterThan(0);
    guest.leave();
    host.leave();
    await settle();
    expect([host.status.phase, guest.status.phase]).toEqual(['ended', 'ended']);
    expect(world.clock.pending).toBe(0);
  });

  it('an empty file and an image with its type both arrive', async () => {
    const { host, guest } = await securePair();
    await host.sendFile(new File([], 'empty.txt'));
    await host.sendFile(new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'pic.png', { type: 'image/png' }));
    await waitFor(() => expect(guest.transfers).toHaveLength(2));
    for (const offer of guest.transfers) await guest.acceptFile(offer.id, new MemoryFileSink(offer.mime));
    await waitFor(() => expect(guest.transfers.map((t) => t.status.stage)).toEqual(['complete', 'complete']));
    const [empty, image] = guest.transfers.map((t) => (t.status as { file: Blob }).file) as [Blob, Blob];
    expect(empty.size).toBe(0);
    expect(image.type).toBe('image/png');
    await waitFor(() => expect(host.transfers.map((t) => t.status.stage)).toEqual(['complete', 'complete']));
  });
});

describe('DuetError for files', () => {
  it('has a sentence for every file failure', () => {
    for (const code of ['file-corrupt', 'file-interrupted', 'file-unexpected', 'file-read-failed', 'file-write-failed', 'file-peer-failed', 'too-many-files'] as const) {
      expect(new DuetError(code).userMessage.length).toBeGreaterThan(10);
    }
  });
});

describe('file sinks', () => {
  it('memory: gathers copies of the chunks into one Blob, typed only as a previewable image or opaque bytes; abort keeps nothing', async () => {
    const parts = [new Uint8Array(randomBytes(3 * 1024 * 1024)), new Uint8Array(randomBytes(3 * 1024 * 1024)), new Uint8Array([1, 2, 3])] as Bytes[];
    const sink = new MemoryFileSink('text/html');
    for (const part of parts) await sink.write(part);
    const file = await sink.close();
    expect(file.type).toBe('application/octet-stream');
    const whole = new Uint8Array(await file.arrayBuffer());
    expect(sha256Hex(whole)).toBe(sha256Hex(Buffer.concat(parts)));

    const image = new MemoryFileSink('image/webp');
    await image.write(parts[2]!);
    expect((await image.close()).type).toBe('image/webp');

    // Gathered by copying: the caller's bytes are free once write() resolves, however the parts fall.
    const small = new MemoryFileSink('application/octet-stream', 10);
    const source = new Uint8Array([1, 2, 3, 4, 5, 6, 7]) as Bytes;
    await small.write(source);
    await small.write(source);
    source.fill(0);
    await small.write(new Uint8Array(25).fill(9) as Bytes);
    expect([...new Uint8Array(await (await small.close()).arrayBuffer())]).toEqual([1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7, ...Array(25).fill(9)]);

    const aborted = new MemoryFileSink('image/png');
    await aborted.write(parts[0]!);
    await aborted.abort();
    expect((await aborted.close()).size).toBe(0);
  });

  it('disk: writes through the File System Access API, undefined when the dialog is dismissed, named errors otherwise', async () => {
    const log: string[] = [];
    const writable = {
      write: async (data: Uint8Array) => void log.push(`write ${data.length}`),
      close: async () => void log.push('close'),
      abort: async () => void log.push('abort'),
    };
    const suggested: string[] = [];
    const scope = {
      showSaveFilePicker: async (options: { suggestedName?: string }) => {
        suggested.push(options.suggestedName ?? '');
        return { createWritable: async () => writable };
      },
    };
    expect(DiskFileSink.supported(scope)).toBe(true);
    expect(DiskFileSink.supported({})).toBe(false);
    const sink = (await DiskFileSink.choose('big.iso', scope))!;
    expect(sink.kind).toBe('disk');
    await sink.write(new Uint8Array(10) as Bytes);
    expect(await sink.close()).toBeUndefined();
    const other = (await DiskFileSink.choose('other.iso', scope))!;
    await other.abort();
    expect(suggested).toEqual(['big.iso', 'other.iso']);
    expect(log).toEqual(['write 10', 'close', 'abort']);

    const dismissed = { showSaveFilePicker: async () => Promise.reject(new DOMException('The user aborted a request.', 'AbortError')) };
    expect(await DiskFileSink.choose('x', dismissed)).toBeUndefined();
    const refused = { showSaveFilePicker: async () => Promise.reject(new DOMException('Not allowed', 'NotAllowedError')) };
    await expect(DiskFileSink.choose('x', refused)).rejects.toMatchObject({ code: 'file-write-failed' });
    const broken = { showSaveFilePicker: async () => ({ createWritable: async () => ({ ...writable, write: () => Promise.reject(new Error('disk full')) }) }) };
    await expect((await DiskFileSink.choose('x', broken))!.write(new Uint8Array(1) as Bytes)).rejects.toMatchObject({ code: 'file-write-failed' });
  });
});
