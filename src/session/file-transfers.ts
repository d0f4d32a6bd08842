/**
 * Files, both ways, over the secure channel of a Session.
 *
 * A transfer is offered (name, size, type), and nothing flows until the receiver
 * accepts. Then the sender streams it in chunks of at most 16 KiB, each its own
 * sealed record (AES-GCM + HMAC, in sequence), reading the file as it goes and
 * hashing it; the last record carries the whole-file SHA-256, which the receiver
 * checks before it offers the file for saving. Two brakes keep memory bounded
 * whatever the size: the link's send buffer (bufferedAmount) and a window of
 * unacknowledged bytes the receiver opens as it writes, so a slow disk slows the
 * sender rather than filling anyone's memory, and a chat message never waits
 * behind more than a window of file data.
 *
 * Plain TypeScript like Session: the sinks (memory or disk) are passed in.
 */
import type { Bytes, RandomSource } from '../core/bytes.ts';
import { toBase64Url } from '../core/bytes.ts';
import type { Clock } from '../core/clock.ts';
import { DuetError, toDuetError } from '../core/errors.ts';
import {
  FILE_ACK_EVERY_BYTES,
  FILE_CHUNK_BYTES,
  FILE_WINDOW_BYTES,
  MAX_OPEN_INCOMING_FILES,
  ProgressMeter,
  type StreamingChecksum,
  announcedFileType,
  chunkCount,
  chunkLength,
  sanitiseFileName,
} from '../core/files.ts';
import type { FileCancelReason, PeerMessage } from '../core/messages.ts';

/** What can be sent: a File (or any Blob with a name). */
export interface FileSource {
  readonly name: string;
  readonly size: number;
  readonly type: string;
  slice(start: number, end: number): Blob;
}

/** Where a received file goes while it arrives. */
export interface FileSink {
  /** 'disk': written to a file the person chose as it arrives; 'memory': kept as a Blob until saved. */
  readonly kind: 'memory' | 'disk';
  /** Writes the next bytes; done with them once it resolves (the receiver's checksum takes them over then). */
  write(bytes: Bytes): Promise<void>;
  /** Everything arrived and checked out: the file (memory), or undefined once it is on disk. */
  close(): Promise<Blob | undefined>;
  /** Throws away what was written (a cancelled or corrupt transfer is never offered for saving). */
  abort(): Promise<void>;
}

export type TransferStatus =
  /** Offered, waiting for the receiver to accept or decline. */
  | { stage: 'offered' }
  | { stage: 'transferring' }
  /** Sender: every chunk is out, waiting for the receiver's checksum verdict. */
  | { stage: 'verifying' }
  /** Receiver: `file` is set when it was kept in memory (a "Save" link), unset when it went to disk. */
  | { stage: 'complete'; file?: Blob }
  | { stage: 'declined'; by: 'me' | 'peer' }
  | { stage: 'cancelled'; by: 'me' | 'peer' }
  | { stage: 'failed'; error: DuetError };

export interface FileTransfer {
  id: string;
  direction: 'outgoing' | 'incoming';
  /** Where it sits among the chat messages (shared counter with Session). */
  position: number;
  /** Who sent it. */
  senderName: string;
  name: string;
  size: number;
  /** The type as announced by the sender (a received file is only ever typed as a safe image type or opaque bytes). */
  mime: string;
  sentAt: number;
  /** Bytes done: written by the receiver (for the sender, as the receiver acknowledged them). */
  done: number;
  bytesPerSecond?: number;
  secondsLeft?: number;
  /** Receiver: the data goes to disk as it arrives (else memory). */
  sink?: FileSink['kind'];
  /** The verified whole-file SHA-256 (hex), once complete. */
  sha256?: string;
  status: TransferStatus;
}

export interface FileTransfersHost {
  /**
   * Seals and sends a record; rejects with a DuetError when there is no secure channel.
   * It must be done with a file chunk's bytes when it returns (SecureChannel.send encodes
   * the message at once): the sender's checksum takes the file's blocks over afterwards.
   */
  send(message: PeerMessage): Promise<void>;
  /** Resolves when the link's send buffer is low enough for more file data. */
  drained(): Promise<void>;
  changed(): void;
  notify(error: DuetError): void;
  myName(): string;
  peerName(): string;
  nextPosition(): number;
  clock: Clock;
  random: RandomSource;
  /** Where whole-file checksums are computed (default: on this thread, loaded on first use). */
  createChecksum?: () => Promise<StreamingChecksum>;
}

/** At most this many chunk records being sealed ahead of the wire at once. */
const CHUNKS_IN_FLIGHT = 16;
/** Files are read from disk in blocks of this many bytes, then cut into chunks. */
const READ_BLOCK_BYTES = 32 * FILE_CHUNK_BYTES;
/** Progress redraws at most this often (a transfer makes thousands of records a second). */
const PROGRESS_INTERVAL_MS = 100;

const loadInlineChecksum = (): Promise<StreamingChecksum> => import('../core/file-checksum.ts').then(({ inlineChecksum }) => inlineChecksum());

interface Outgoing {
  source: FileSource;
  /** Bytes handed to the channel, and bytes the receiver confirmed it wrote. */
  sent: number;
  acked: number;
  /** Wakes the pump waiting for window (an ack arrived, or the transfer stopped). */
  wake: (() => void) | undefined;
  meter: ProgressMeter;
}

interface Incoming {
  sink: FileSink | undefined;
  checksum: Promise<StreamingChecksum> | undefined;
  nextIndex: number;
  received: number;
  ackedAt: number;
  meter: ProgressMeter;
}

const FINAL_STAGES: ReadonlySet<TransferStatus['stage']> = new Set(['complete', 'declined', 'cancelled', 'failed']);

export function isFinished(transfer: FileTransfer): boolean {
  return FINAL_STAGES.has(transfer.status.stage);
}

export class FileTransfers {
  list: FileTransfer[] = [];
  private readonly outgoing = new Map<string, Outgoing>();
  private readonly incoming = new Map<string, Incoming>();
  /** Transfers already reported as unexpected, so a flood of stray chunks makes one notice. */
  private readonly reportedStray = new Set<string>();
  private cancelProgressTimer: (() => void) | undefined;

  constructor(private readonly host: FileTransfersHost) {}

  private newChecksum(): Promise<StreamingChecksum> {
    return this.host.createChecksum ? this.host.createChecksum() : loadInlineChecksum();
  }

  get(id: string): FileTransfer | undefined {
    return this.list.find((t) => t.id === id);
  }

  /** Offers a file to the peer. Rejects with DuetError('not-connected') when there is no secure channel. */
  async offer(source: FileSource): Promise<void> {
    await this.offerAs(source, this.host.nextPosition());
  }

  private async offerAs(source: FileSource, position: number, replacing?: string): Promise<void> {
    const id = toBase64Url(this.host.random(12));
    const transfer: FileTransfer = {
      id,
      direction: 'outgoing',
      position,
      senderName: this.host.myName(),
      name: sanitiseFileName(source.name),
      size: source.size,
      mime: announcedFileType(source.type),
      sentAt: this.host.clock.now(),
      done: 0,
      status: { stage: 'offered' },
    };
    const message: PeerMessage = { type: 'file-offer', id, name: transfer.name, size: transfer.size, mime: transfer.mime, sentAt: transfer.sentAt };
    // Sent first, so nothing shows for an offer that never left.
    await this.host.send(message);
    this.outgoing.set(id, { source, sent: 0, acked: 0, wake: undefined, meter: new ProgressMeter(transfer.sentAt) });
    this.list = replacing ? this.list.map((t) => (t.id === replacing ? transfer : t)) : [...this.list, transfer];
    if (replacing) this.outgoing.delete(replacing);
    this.host.changed();
  }

  /** Offers a failed outgoing file again (a new transfer in the same place). */
  async retry(id: string): Promise<void> {
    const transfer = this.get(id);
    const outgoing = this.outgoing.get(id);
    if (!transfer || !outgoing || transfer.direction !== 'outgoing' || transfer.status.stage !== 'failed') return;
    await this.offerAs(outgoing.source, transfer.position, id);
  }

  /** Accepts an offered file into `sink` (memory or disk, chosen by the UI). */
  async accept(id: string, sink: FileSink): Promise<void> {
    const transfer = this.get(id);
    if (!transfer || transfer.direction !== 'incoming' || transfer.status.stage !== 'offered') {
      await sink.abort();
      return;
    }
    const incoming: Incoming = {
      sink,
      checksum: this.newChecksum(),
      nextIndex: 0,
      received: 0,
      ackedAt: 0,
      meter: new ProgressMeter(this.host.clock.now()),
    };
    this.incoming.set(id, incoming);
    this.update(id, { status: { stage: 'transferring' }, sink: sink.kind });
    try {
      await this.host.send({ type: 'file-accept', id });
    } catch (error) {
      await this.stop(id, { stage: 'failed', error: toDuetError(error, 'file-interrupted') });
    }
  }

  async decline(id: string): Promise<void> {
    const transfer = this.get(id);
    if (!transfer || transfer.direction !== 'incoming' || transfer.status.stage !== 'offered') return;
    await this.stop(id, { stage: 'declined', by: 'me' }, 'declined');
  }

  /** Either side, any time before it finished. */
  async cancel(id: string): Promise<void> {
    const transfer = this.get(id);
    if (!transfer || isFinished(transfer)) return;
    await this.stop(id, { stage: 'cancelled', by: 'me' }, 'cancelled');
  }

  /** The secure channel is gone: whatever was under way cannot go on. */
  interruptAll(error: DuetError = new DuetError('file-interrupted')): void {
    for (const transfer of this.list) {
      if (!isFinished(transfer)) void this.stop(transfer.id, { stage: 'failed', error });
    }
  }

  /** A file record from the peer (already authenticated and parsed). */
  async receive(message: PeerMessage): Promise<void> {
    switch (message.type) {
      case 'file-offer':
        await this.onOffer(message);
        return;
      case 'file-accept':
        this.onAccept(message.id);
        return;
      case 'file-chunk':
        await this.onChunk(message.id, message.index, message.data);
        return;
      case 'file-end':
        await this.onEnd(message.id, message.sha256);
        return;
      case 'file-ack':
        this.onAck(message.id, message.received);
        return;
      case 'file-done':
        this.onDone(message.id);
        return;
      case 'file-cancel':
        await this.onCancel(message.id, message.reason);
        return;
      default:
        return;
    }
  }

  // -------------------------------------------------------------------------
  // Receiving

  private async onOffer(offer: Extract<PeerMessage, { type: 'file-offer' }>): Promise<void> {
    // A repeated id is a duplicate (or a peer reusing ids): it changes nothing.
    if (this.get(offer.id)) return;
    const open = this.list.filter((t) => t.direction === 'incoming' && !isFinished(t)).length;
    if (open >= MAX_OPEN_INCOMING_FILES) {
      this.host.notify(new DuetError('too-many-files', `${open} open offers`));
      await this.host.send({ type: 'file-cancel', id: offer.id, reason: 'declined' }).catch(() => {});
      return;
    }
    this.list = [
      ...this.list,
      {
        id: offer.id,
        direction: 'incoming',
        position: this.host.nextPosition(),
        senderName: this.host.peerName(),
        name: offer.name,
        size: offer.size,
        mime: offer.mime,
        sentAt: offer.sentAt,
        done: 0,
        status: { stage: 'offered' },
      },
    ];
    this.host.changed();
  }

  private async onChunk(id: string, index: number, data: Bytes): Promise<void> {
    const transfer = this.get(id);
    const incoming = this.incoming.get(id);
    if (!transfer || transfer.direction !== 'incoming' || !incoming || transfer.status.stage !== 'transferring') {
      // Chunks still on the wire when we cancelled are expected; anything else is not.
      const stoppedByUs = transfer?.status.stage === 'cancelled' || transfer?.status.stage === 'failed';
      if (!stoppedByUs) this.reportStray(id, 'chunk');
      return;
    }
    const expectedLength = chunkLength(transfer.size, index);
    if (index !== incoming.nextIndex || index >= chunkCount(transfer.size) || data.length !== expectedLength) {
      await this.stop(id, { stage: 'failed', error: new DuetError('file-unexpected', `chunk ${index} of ${data.length} bytes`) }, 'error');
      return;
    }
    incoming.nextIndex += 1;
    try {
      const checksum = await incoming.checksum!;
      await incoming.sink!.write(data);
      // The sink is done with the bytes (it keeps a copy if it needs one): the checksum takes them over.
      checksum.consume(data);
    } catch (error) {
      if (this.get(id)?.status.stage !== 'transferring') return;
      await this.stop(id, { stage: 'failed', error: toDuetError(error, 'file-write-failed') }, 'error');
      return;
    }
    if (this.get(id)?.status.stage !== 'transferring') return;
    // expectedLength, not data.length: the checksum took the bytes over, they may be gone from here.
    incoming.received += expectedLength;
    incoming.meter.update(incoming.received, this.host.clock.now());
    if (incoming.received - incoming.ackedAt >= FILE_ACK_EVERY_BYTES || incoming.received === transfer.size) {
      incoming.ackedAt = incoming.received;
      void this.host.send({ type: 'file-ack', id, received: incoming.received }).catch(() => {});
    }
    this.progress(id, incoming.received, incoming.meter);
  }

  private async onEnd(id: string, sha256: string): Promise<void> {
    const transfer = this.get(id);
    const incoming = this.incoming.get(id);
    if (!transfer || transfer.direction !== 'incoming' || !incoming || transfer.status.stage !== 'transferring') {
      if (transfer?.status.stage !== 'cancelled') this.reportStray(id, 'end');
      return;
    }
    if (incoming.received !== transfer.size) {
      await this.stop(id, { stage: 'failed', error: new DuetError('file-corrupt', `${incoming.received} of ${transfer.size} bytes`) }, 'corrupt');
      return;
    }
    let actual: string;
    try {
      actual = await (await incoming.checksum!).digestHex();
    } catch (error) {
      await this.stop(id, { stage: 'failed', error: toDuetError(error, 'file-corrupt') }, 'error');
      return;
    }
    if (actual !== sha256) {
      await this.stop(id, { stage: 'failed', error: new DuetError('file-corrupt', 'SHA-256 mismatch') }, 'corrupt');
      return;
    }
    // The person may have cancelled while the digest was computed.
    if (this.get(id)?.status.stage !== 'transferring') return;
    let file: Blob | undefined;
    try {
      file = await incoming.sink!.close();
    } catch (error) {
      await this.stop(id, { stage: 'failed', error: toDuetError(error, 'file-write-failed') }, 'error');
      return;
    }
    if (this.get(id)?.status.stage !== 'transferring') return;
    this.incoming.delete(id);
    this.update(id, { done: transfer.size, sha256: actual, status: file ? { stage: 'complete', file } : { stage: 'complete' }, ...noRate });
    await this.host.send({ type: 'file-done', id }).catch(() => {});
  }

  // -------------------------------------------------------------------------
  // Sending

  private onAccept(id: string): void {
    const transfer = this.get(id);
    if (!transfer || transfer.direction !== 'outgoing' || transfer.status.stage !== 'offered' || !this.outgoing.has(id)) {
      if (transfer?.status.stage !== 'cancelled') this.reportStray(id, 'accept');
      return;
    }
    const outgoing = this.outgoing.get(id)!;
    outgoing.meter = new ProgressMeter(this.host.clock.now());
    this.update(id, { status: { stage: 'transferring' } });
    void this.pump(id, outgoing);
  }

  /** Reads, hashes and sends the file, within the window and the link's buffer. */
  private async pump(id: string, outgoing: Outgoing): Promise<void> {
    const { source } = outgoing;
    const sending = () => this.get(id)?.status.stage === 'transferring';
    const inFlight: Promise<void>[] = [];
    const checksum = await this.newChecksum();
    try {
      let index = 0;
      for (let blockAt = 0; blockAt < source.size && sending(); blockAt += READ_BLOCK_BYTES) {
        let block: Bytes;
        try {
          block = new Uint8Array(await source.slice(blockAt, Math.min(source.size, blockAt + READ_BLOCK_BYTES)).arrayBuffer());
        } catch (error) {
          throw new DuetError('file-read-failed', undefined, { cause: error });
        }
        if (block.length !== Math.min(READ_BLOCK_BYTES, source.size - blockAt)) throw new DuetError('file-read-failed', 'the file changed while it was sent');
        for (let at = 0; at < block.length && sending(); at += FILE_CHUNK_BYTES) {
          // A view, not a copy: encoding the record copies it once anyway.
          const data = block.subarray(at, at + FILE_CHUNK_BYTES);
          while (sending() && outgoing.sent - outgoing.acked + data.length > FILE_WINDOW_BYTES) {
            await new Promise<void>((resolve) => (outgoing.wake = resolve));
          }
          await this.host.drained();
          if (!sending()) break;
          inFlight.push(this.host.send({ type: 'file-chunk', id, index, data }));
          index += 1;
          outgoing.sent += data.length;
          if (inFlight.length >= CHUNKS_IN_FLIGHT) await inFlight.shift();
        }
        // Hashed a block at a time, once every chunk of it was encoded (send() copies the
        // bytes into the record's plaintext at once): the checksum may take the block over.
        checksum.consume(block);
      }
      await Promise.all(inFlight);
      if (!sending()) return;
      await this.host.send({ type: 'file-end', id, sha256: await checksum.digestHex() });
      if (sending()) this.update(id, { status: { stage: 'verifying' } });
    } catch (error) {
      // Settle what is still in flight, so no rejection goes unhandled.
      await Promise.allSettled(inFlight);
      if (!sending()) return;
      const cause = toDuetError(error, 'file-interrupted');
      // Without a channel the peer cannot be told; it sees the same interruption.
      const lostLink = cause.code === 'not-connected';
      const failure = lostLink ? new DuetError('file-interrupted', undefined, { cause }) : cause;
      await this.stop(id, { stage: 'failed', error: failure }, lostLink ? undefined : 'error');
    } finally {
      checksum.dispose();
    }
  }

  private onAck(id: string, received: number): void {
    const transfer = this.get(id);
    const outgoing = this.outgoing.get(id);
    if (!transfer || transfer.direction !== 'outgoing' || !outgoing || isFinished(transfer)) return;
    // Acknowledging what was never sent, or going backwards, is not believed.
    if (received > outgoing.sent || received < outgoing.acked) {
      this.reportStray(id, 'ack');
      return;
    }
    outgoing.acked = received;
    outgoing.meter.update(received, this.host.clock.now());
    const wake = outgoing.wake;
    outgoing.wake = undefined;
    wake?.();
    this.progress(id, received, outgoing.meter);
  }

  private onDone(id: string): void {
    const transfer = this.get(id);
    const outgoing = this.outgoing.get(id);
    if (!transfer || transfer.direction !== 'outgoing' || !outgoing || transfer.status.stage !== 'verifying' || outgoing.acked !== transfer.size) {
      this.reportStray(id, 'done');
      return;
    }
    this.outgoing.delete(id);
    this.update(id, { done: transfer.size, status: { stage: 'complete' }, ...noRate });
  }

  private async onCancel(id: string, reason: FileCancelReason): Promise<void> {
    const transfer = this.get(id);
    if (!transfer || isFinished(transfer)) return;
    const status: TransferStatus =
      reason === 'declined'
        ? { stage: 'declined', by: 'peer' }
        : reason === 'cancelled'
          ? { stage: 'cancelled', by: 'peer' }
          : { stage: 'failed', error: new DuetError(reason === 'corrupt' ? 'file-corrupt' : 'file-peer-failed') };
    // A decline only answers an offer; after that the peer must say cancelled.
    if (reason === 'declined' && (transfer.direction !== 'outgoing' || transfer.status.stage !== 'offered')) return;
    await this.stop(id, status);
  }

  // -------------------------------------------------------------------------

  /** Ends a transfer here (discarding partial data), and tells the peer why when `tell` is set. */
  private async stop(id: string, status: TransferStatus, tell?: FileCancelReason): Promise<void> {
    const transfer = this.get(id);
    if (!transfer || isFinished(transfer)) return;
    this.update(id, { status, ...noRate });
    const outgoing = this.outgoing.get(id);
    if (outgoing) {
      const wake = outgoing.wake;
      outgoing.wake = undefined;
      wake?.();
      // Kept after a failure, so the person can send the same file again.
      if (status.stage !== 'failed') this.outgoing.delete(id);
    }
    const incoming = this.incoming.get(id);
    this.incoming.delete(id);
    void incoming?.checksum?.then((checksum) => checksum.dispose());
    if (tell) await this.host.send({ type: 'file-cancel', id, reason: tell }).catch(() => {});
    await incoming?.sink?.abort().catch(() => {});
  }

  private reportStray(id: string, what: string): void {
    if (this.reportedStray.has(id)) return;
    if (this.reportedStray.size > 64) this.reportedStray.clear();
    this.reportedStray.add(id);
    this.host.notify(new DuetError('file-unexpected', `unexpected ${what}`));
  }

  private update(id: string, patch: Partial<FileTransfer>): void {
    this.list = this.list.map((t) => (t.id === id ? { ...t, ...patch } : t));
    this.host.changed();
  }

  /** Progress changes often; the UI hears of it at most every PROGRESS_INTERVAL_MS. */
  private progress(id: string, done: number, meter: ProgressMeter): void {
    this.list = this.list.map((t) => {
      if (t.id !== id) return t;
      const bytesPerSecond = meter.bytesPerSecond;
      const secondsLeft = meter.secondsLeft(done, t.size);
      return { ...t, done, ...(bytesPerSecond !== undefined ? { bytesPerSecond } : {}), ...(secondsLeft !== undefined ? { secondsLeft } : {}) };
    });
    if (this.cancelProgressTimer) return;
    this.cancelProgressTimer = this.host.clock.setTimeout(() => {
      this.cancelProgressTimer = undefined;
      this.host.changed();
    }, PROGRESS_INTERVAL_MS);
  }

  /** Stops the progress timer (the session is over). */
  dispose(): void {
    this.cancelProgressTimer?.();
    this.cancelProgressTimer = undefined;
  }
}

const noRate = { bytesPerSecond: undefined, secondsLeft: undefined } as const;
