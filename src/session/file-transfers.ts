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
 * FileTransfers keeps the list and what both directions share (stopping, progress,
 * stray records); OutgoingFiles sends, IncomingFiles receives. Plain TypeScript like
 * Session: the sinks (memory or disk) are passed in.
 */
import { DuetError } from '../core/errors.ts';
import type { ProgressMeter, StreamingChecksum } from '../core/files.ts';
import type { FileCancelReason, PeerMessage } from '../core/messages.ts';
import { type FileSink, type FileSource, type FileTransfer, type FileTransfersHost, NO_RATE, type TransferLedger, type TransferStatus, isFinished } from './file-transfer.ts';
import { IncomingFiles } from './incoming-files.ts';
import { OutgoingFiles } from './outgoing-files.ts';

export type { FileSink, FileSource, FileTransfer, FileTransfersHost, TransferStatus } from './file-transfer.ts';
export { isFinished } from './file-transfer.ts';

/** Progress redraws at most this often (a transfer makes thousands of records a second). */
const PROGRESS_INTERVAL_MS = 100;
/** Transfers remembered as already reported stray; past this the memory starts over. */
const MAX_REPORTED_STRAY = 64;

/**
 * The peer's file data (chunks, and what must come after them: the end, a cancel). It
 * is handled on a lane of its own, in order, so that writing and hashing a backlog of
 * chunks never holds up the peer's other messages (see PeerInbox).
 */
const FILE_DATA_MESSAGES: ReadonlySet<PeerMessage['type']> = new Set(['file-chunk', 'file-end', 'file-cancel']);

export function isFileData(message: PeerMessage): boolean {
  return FILE_DATA_MESSAGES.has(message.type);
}

const loadInlineChecksum = (): Promise<StreamingChecksum> => import('../core/file-checksum.ts').then(({ inlineChecksum }) => inlineChecksum());

export class FileTransfers implements TransferLedger {
  list: FileTransfer[] = [];
  private readonly outgoing: OutgoingFiles;
  private readonly incoming: IncomingFiles;
  /** Transfers already reported as unexpected, so a flood of stray chunks makes one notice. */
  private readonly reportedStray = new Set<string>();
  private cancelProgressTimer: (() => void) | undefined;
  /** The file data received so far, handled one message at a time (see isFileData). */
  private dataLane: Promise<void> = Promise.resolve();

  constructor(readonly host: FileTransfersHost) {
    this.outgoing = new OutgoingFiles(this);
    this.incoming = new IncomingFiles(this);
  }

  get(id: string): FileTransfer | undefined {
    return this.list.find((t) => t.id === id);
  }

  /** Offers a file to the peer. Rejects with DuetError('not-connected') when there is no secure channel. */
  async offer(source: FileSource): Promise<void> {
    await this.outgoing.offer(source, this.host.nextPosition());
  }

  /** Offers a failed outgoing file again (a new transfer in the same place). */
  retry(id: string): Promise<void> {
    return this.outgoing.retry(id);
  }

  /** Accepts an offered file into `sink` (memory or disk, chosen by the UI). */
  accept(id: string, sink: FileSink): Promise<void> {
    return this.incoming.accept(id, sink);
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

  /**
   * A file record from the peer (already authenticated and parsed); resolves once it is
   * handled. File data (isFileData) is handled after the file data received before it,
   * whether or not the caller waited for that.
   */
  receive(message: PeerMessage): Promise<void> {
    if (!isFileData(message)) return this.handle(message);
    const handled = this.dataLane.then(() => this.handle(message));
    this.dataLane = handled.catch(() => {});
    return handled;
  }

  private async handle(message: PeerMessage): Promise<void> {
    switch (message.type) {
      case 'file-offer':
        await this.incoming.onOffer(message);
        return;
      case 'file-accept':
        this.outgoing.onAccept(message.id);
        return;
      case 'file-chunk':
        await this.incoming.onChunk(message.id, message.index, message.data);
        return;
      case 'file-end':
        await this.incoming.onEnd(message.id, message.sha256);
        return;
      case 'file-ack':
        this.outgoing.onAck(message.id, message.received);
        return;
      case 'file-done':
        this.outgoing.onDone(message.id);
        return;
      case 'file-cancel':
        await this.onCancel(message.id, message.reason);
        return;
      default:
        return;
    }
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
  // The ledger both directions share

  add(transfer: FileTransfer, replacing?: string): void {
    this.list = replacing ? this.list.map((t) => (t.id === replacing ? transfer : t)) : [...this.list, transfer];
    this.host.changed();
  }

  /** Ends a transfer here (discarding partial data), and tells the peer why when `tell` is set. */
  async stop(id: string, status: TransferStatus, tell?: FileCancelReason): Promise<void> {
    const transfer = this.get(id);
    if (!transfer || isFinished(transfer)) return;
    this.update(id, { status, ...NO_RATE });
    this.outgoing.stopped(id, status);
    const sink = this.incoming.stopped(id);
    if (tell) await this.host.send({ type: 'file-cancel', id, reason: tell }).catch(() => {});
    await sink?.abort().catch(() => {});
  }

  reportStray(id: string, what: string): void {
    if (this.reportedStray.has(id)) return;
    if (this.reportedStray.size > MAX_REPORTED_STRAY) this.reportedStray.clear();
    this.reportedStray.add(id);
    this.host.notify(new DuetError('file-unexpected', `unexpected ${what}`));
  }

  newChecksum(): Promise<StreamingChecksum> {
    return this.host.createChecksum ? this.host.createChecksum() : loadInlineChecksum();
  }

  update(id: string, patch: Partial<FileTransfer>): void {
    this.list = this.list.map((t) => (t.id === id ? { ...t, ...patch } : t));
    this.host.changed();
  }

  /** Progress changes often; the UI hears of it at most every PROGRESS_INTERVAL_MS. */
  progress(id: string, done: number, meter: ProgressMeter): void {
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
