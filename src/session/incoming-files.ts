/**
 * Receiving files: offers held until the person accepts, then chunks written to the
 * sink in order and hashed, acknowledged as they are written (which opens the sender's
 * window), and the whole-file SHA-256 checked before the file is offered for saving.
 */
import type { Bytes } from '../core/bytes.ts';
import { DuetError, toDuetError } from '../core/errors.ts';
import { FILE_ACK_EVERY_BYTES, MAX_OPEN_INCOMING_FILES, ProgressMeter, type StreamingChecksum, chunkCount, chunkLength } from '../core/files.ts';
import type { FileCancelReason, PeerMessage } from '../core/messages.ts';
import { type FileSink, type FileTransfer, NO_RATE, type TransferLedger, isFinished } from './file-transfer.ts';

interface Incoming {
  sink: FileSink;
  checksum: Promise<StreamingChecksum>;
  nextIndex: number;
  received: number;
  ackedAt: number;
  meter: ProgressMeter;
}

type Verdict = { kind: 'verified'; sha256: string } | { kind: 'refused'; error: DuetError; tell: FileCancelReason };

export class IncomingFiles {
  private readonly incoming = new Map<string, Incoming>();

  constructor(private readonly ledger: TransferLedger) {}

  async onOffer(offer: Extract<PeerMessage, { type: 'file-offer' }>): Promise<void> {
    const { host } = this.ledger;
    // A repeated id is a duplicate (or a peer reusing ids): it changes nothing.
    if (this.ledger.get(offer.id)) return;
    const open = this.ledger.list.filter((t) => t.direction === 'incoming' && !isFinished(t)).length;
    if (open >= MAX_OPEN_INCOMING_FILES) {
      host.notify(new DuetError('too-many-files', `${open} open offers`));
      await host.send({ type: 'file-cancel', id: offer.id, reason: 'declined' }).catch(() => {});
      return;
    }
    this.ledger.add({
      id: offer.id,
      direction: 'incoming',
      position: host.nextPosition(),
      senderName: host.peerName(),
      name: offer.name,
      size: offer.size,
      mime: offer.mime,
      sentAt: offer.sentAt,
      done: 0,
      status: { stage: 'offered' },
    });
  }

  /** Accepts an offered file into `sink` (memory or disk, chosen by the UI). */
  async accept(id: string, sink: FileSink): Promise<void> {
    const { host } = this.ledger;
    const transfer = this.ledger.get(id);
    if (!transfer || transfer.direction !== 'incoming' || transfer.status.stage !== 'offered') {
      await sink.abort();
      return;
    }
    this.incoming.set(id, { sink, checksum: this.ledger.newChecksum(), nextIndex: 0, received: 0, ackedAt: 0, meter: new ProgressMeter(host.clock.now()) });
    this.ledger.update(id, { status: { stage: 'transferring' }, sink: sink.kind });
    try {
      await host.send({ type: 'file-accept', id });
    } catch (error) {
      await this.ledger.stop(id, { stage: 'failed', error: toDuetError(error, 'file-interrupted') });
    }
  }

  async onChunk(id: string, index: number, data: Bytes): Promise<void> {
    const transfer = this.ledger.get(id);
    const incoming = this.incoming.get(id);
    if (!transfer || !incoming || !this.receiving(transfer)) {
      // Chunks still on the wire when we cancelled are expected; anything else is not.
      const stoppedByUs = transfer?.status.stage === 'cancelled' || transfer?.status.stage === 'failed';
      if (!stoppedByUs) this.ledger.reportStray(id, 'chunk');
      return;
    }
    const expectedLength = chunkLength(transfer.size, index);
    if (index !== incoming.nextIndex || index >= chunkCount(transfer.size) || data.length !== expectedLength) {
      await this.ledger.stop(id, { stage: 'failed', error: new DuetError('file-unexpected', `chunk ${index} of ${data.length} bytes`) }, 'error');
      return;
    }
    incoming.nextIndex += 1;
    try {
      const checksum = await incoming.checksum;
      await incoming.sink.write(data);
      // The sink is done with the bytes (it keeps a copy if it needs one): the checksum takes them over.
      checksum.consume(data);
    } catch (error) {
      if (this.stillReceiving(id)) await this.ledger.stop(id, { stage: 'failed', error: toDuetError(error, 'file-write-failed') }, 'error');
      return;
    }
    if (!this.stillReceiving(id)) return;
    // expectedLength, not data.length: the checksum took the bytes over, they may be gone from here.
    incoming.received += expectedLength;
    incoming.meter.update(incoming.received, this.ledger.host.clock.now());
    if (incoming.received - incoming.ackedAt >= FILE_ACK_EVERY_BYTES || incoming.received === transfer.size) {
      incoming.ackedAt = incoming.received;
      void this.ledger.host.send({ type: 'file-ack', id, received: incoming.received }).catch(() => {});
    }
    this.ledger.progress(id, incoming.received, incoming.meter);
  }

  async onEnd(id: string, sha256: string): Promise<void> {
    const transfer = this.ledger.get(id);
    const incoming = this.incoming.get(id);
    if (!transfer || !incoming || !this.receiving(transfer)) {
      if (transfer?.status.stage !== 'cancelled') this.ledger.reportStray(id, 'end');
      return;
    }
    if (incoming.received !== transfer.size) {
      await this.ledger.stop(id, { stage: 'failed', error: new DuetError('file-corrupt', `${incoming.received} of ${transfer.size} bytes`) }, 'corrupt');
      return;
    }
    const verdict = await this.verify(incoming, sha256);
    if (verdict.kind === 'refused') {
      await this.ledger.stop(id, { stage: 'failed', error: verdict.error }, verdict.tell);
      return;
    }
    // The person may have cancelled while the digest was computed.
    if (!this.stillReceiving(id)) return;
    let file: Blob | undefined;
    try {
      file = await incoming.sink.close();
    } catch (error) {
      await this.ledger.stop(id, { stage: 'failed', error: toDuetError(error, 'file-write-failed') }, 'error');
      return;
    }
    if (!this.stillReceiving(id)) return;
    this.incoming.delete(id);
    this.ledger.update(id, { done: transfer.size, sha256: verdict.sha256, status: file ? { stage: 'complete', file } : { stage: 'complete' }, ...NO_RATE });
    await this.ledger.host.send({ type: 'file-done', id }).catch(() => {});
  }

  /** The transfer ended: its checksum is let go; the sink to abort, if it had one. */
  stopped(id: string): FileSink | undefined {
    const incoming = this.incoming.get(id);
    this.incoming.delete(id);
    void incoming?.checksum.then((checksum) => checksum.dispose());
    return incoming?.sink;
  }

  /** The whole-file digest (hex) when it equals `sha256`; else the error, and what the sender is told. */
  private async verify(incoming: Incoming, sha256: string): Promise<Verdict> {
    let actual: string;
    try {
      actual = await (await incoming.checksum).digestHex();
    } catch (error) {
      return { kind: 'refused', error: toDuetError(error, 'file-corrupt'), tell: 'error' };
    }
    if (actual !== sha256) return { kind: 'refused', error: new DuetError('file-corrupt', 'SHA-256 mismatch'), tell: 'corrupt' };
    return { kind: 'verified', sha256: actual };
  }

  private receiving(transfer: FileTransfer): boolean {
    return transfer.direction === 'incoming' && transfer.status.stage === 'transferring';
  }

  private stillReceiving(id: string): boolean {
    return this.ledger.get(id)?.status.stage === 'transferring';
  }
}
