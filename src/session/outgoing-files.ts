/**
 * Sending files: the offer, then, once the receiver accepts, the file read in blocks,
 * hashed and sent in chunks within two brakes: the link's send buffer, and a window
 * of bytes the receiver has not yet acknowledged writing.
 */
import { type Bytes, toBase64Url } from '../core/bytes.ts';
import { DuetError, toDuetError } from '../core/errors.ts';
import { FILE_CHUNK_BYTES, FILE_WINDOW_BYTES, ProgressMeter, announcedFileType, sanitiseFileName } from '../core/files.ts';
import type { PeerMessage } from '../core/messages.ts';
import { type FileSource, type FileTransfer, NO_RATE, type TransferLedger, type TransferStatus, isFinished } from './file-transfer.ts';

/** At most this many chunks handed to the channel and not yet on the wire (it seals them as the link has room). */
const CHUNKS_IN_FLIGHT = 16;
/** Files are read from disk in blocks of this many bytes, then cut into chunks. */
const READ_BLOCK_BYTES = 32 * FILE_CHUNK_BYTES;
const TRANSFER_ID_BYTES = 12;

interface Outgoing {
  source: FileSource;
  /** Bytes handed to the channel, and bytes the receiver confirmed it wrote. */
  sent: number;
  acked: number;
  /** Wakes the pump waiting for window (an ack arrived, or the transfer stopped). */
  wake: (() => void) | undefined;
  meter: ProgressMeter;
}

export class OutgoingFiles {
  private readonly outgoing = new Map<string, Outgoing>();

  constructor(private readonly ledger: TransferLedger) {}

  /** Offers `source` at `position` (in the place of the failed transfer `replacing`, for a retry). */
  async offer(source: FileSource, position: number, replacing?: string): Promise<void> {
    const { host } = this.ledger;
    const id = toBase64Url(host.random(TRANSFER_ID_BYTES));
    const transfer: FileTransfer = {
      id,
      direction: 'outgoing',
      position,
      senderName: host.myName(),
      name: sanitiseFileName(source.name),
      size: source.size,
      mime: announcedFileType(source.type),
      sentAt: host.clock.now(),
      done: 0,
      status: { stage: 'offered' },
    };
    const message: PeerMessage = { type: 'file-offer', id, name: transfer.name, size: transfer.size, mime: transfer.mime, sentAt: transfer.sentAt };
    // Sent first, so nothing shows for an offer that never left.
    await host.send(message);
    this.outgoing.set(id, { source, sent: 0, acked: 0, wake: undefined, meter: new ProgressMeter(transfer.sentAt) });
    if (replacing) this.outgoing.delete(replacing);
    this.ledger.add(transfer, replacing);
  }

  /** Offers a failed outgoing file again (a new transfer in the same place). */
  async retry(id: string): Promise<void> {
    const transfer = this.ledger.get(id);
    const outgoing = this.outgoing.get(id);
    if (!transfer || !outgoing || transfer.direction !== 'outgoing' || transfer.status.stage !== 'failed') return;
    await this.offer(outgoing.source, transfer.position, id);
  }

  onAccept(id: string): void {
    const transfer = this.ledger.get(id);
    const outgoing = this.outgoing.get(id);
    if (!transfer || transfer.direction !== 'outgoing' || transfer.status.stage !== 'offered' || !outgoing) {
      if (transfer?.status.stage !== 'cancelled') this.ledger.reportStray(id, 'accept');
      return;
    }
    outgoing.meter = new ProgressMeter(this.ledger.host.clock.now());
    this.ledger.update(id, { status: { stage: 'transferring' } });
    void this.pump(id, outgoing);
  }

  onAck(id: string, received: number): void {
    const transfer = this.ledger.get(id);
    const outgoing = this.outgoing.get(id);
    if (!transfer || transfer.direction !== 'outgoing' || !outgoing || isFinished(transfer)) return;
    // Acknowledging what was never sent, or going backwards, is not believed.
    if (received > outgoing.sent || received < outgoing.acked) {
      this.ledger.reportStray(id, 'ack');
      return;
    }
    outgoing.acked = received;
    outgoing.meter.update(received, this.ledger.host.clock.now());
    wakeUp(outgoing);
    this.ledger.progress(id, received, outgoing.meter);
  }

  onDone(id: string): void {
    const transfer = this.ledger.get(id);
    const outgoing = this.outgoing.get(id);
    if (!transfer || transfer.direction !== 'outgoing' || !outgoing || transfer.status.stage !== 'verifying' || outgoing.acked !== transfer.size) {
      this.ledger.reportStray(id, 'done');
      return;
    }
    this.outgoing.delete(id);
    this.ledger.update(id, { done: transfer.size, status: { stage: 'complete' }, ...NO_RATE });
  }

  /** The transfer ended with `status`: its pump lets go; a failed one is kept for a retry. */
  stopped(id: string, status: TransferStatus): void {
    const outgoing = this.outgoing.get(id);
    if (!outgoing) return;
    wakeUp(outgoing);
    if (status.stage !== 'failed') this.outgoing.delete(id);
  }

  /** Reads, hashes and sends the file, within the window and the link's buffer. */
  private async pump(id: string, outgoing: Outgoing): Promise<void> {
    const { host } = this.ledger;
    const sending = () => this.ledger.get(id)?.status.stage === 'transferring';
    const inFlight: Promise<void>[] = [];
    const checksum = await this.ledger.newChecksum();
    try {
      let index = 0;
      for (let blockAt = 0; blockAt < outgoing.source.size && sending(); blockAt += READ_BLOCK_BYTES) {
        const block = await readBlock(outgoing.source, blockAt);
        for (let at = 0; at < block.length && sending(); at += FILE_CHUNK_BYTES) {
          // A view, not a copy: encoding the record copies it once anyway.
          const data = block.subarray(at, at + FILE_CHUNK_BYTES);
          await this.roomFor(outgoing, data.length, sending);
          if (!sending()) break;
          inFlight.push(host.send({ type: 'file-chunk', id, index, data }));
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
      await host.send({ type: 'file-end', id, sha256: await checksum.digestHex() });
      if (sending()) this.ledger.update(id, { status: { stage: 'verifying' } });
    } catch (error) {
      // Settle what is still in flight, so no rejection goes unhandled.
      await Promise.allSettled(inFlight);
      if (sending()) await this.failed(id, error);
    } finally {
      checksum.dispose();
    }
  }

  /** Waits until `length` more bytes fit the receiver's window and the link's buffer is low. */
  private async roomFor(outgoing: Outgoing, length: number, sending: () => boolean): Promise<void> {
    while (sending() && outgoing.sent - outgoing.acked + length > FILE_WINDOW_BYTES) {
      await new Promise<void>((resolve) => (outgoing.wake = resolve));
    }
    await this.ledger.host.drained();
  }

  private async failed(id: string, error: unknown): Promise<void> {
    const cause = toDuetError(error, 'file-interrupted');
    // Without a channel the peer cannot be told; it sees the same interruption.
    const lostLink = cause.code === 'not-connected';
    const failure = lostLink ? new DuetError('file-interrupted', undefined, { cause }) : cause;
    await this.ledger.stop(id, { stage: 'failed', error: failure }, lostLink ? undefined : 'error');
  }
}

/** The block of the file at `blockAt`; file-read-failed if it cannot be read or the file changed size. */
async function readBlock(source: FileSource, blockAt: number): Promise<Bytes> {
  let block: Bytes;
  try {
    block = new Uint8Array(await source.slice(blockAt, Math.min(source.size, blockAt + READ_BLOCK_BYTES)).arrayBuffer());
  } catch (error) {
    throw new DuetError('file-read-failed', undefined, { cause: error });
  }
  if (block.length !== Math.min(READ_BLOCK_BYTES, source.size - blockAt)) throw new DuetError('file-read-failed', 'the file changed while it was sent');
  return block;
}

function wakeUp(outgoing: Outgoing): void {
  const wake = outgoing.wake;
  outgoing.wake = undefined;
  wake?.();
}
