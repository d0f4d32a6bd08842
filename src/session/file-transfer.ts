/**
 * One file transfer as the rest of the app sees it (its stages, what it carries), the
 * seams a transfer runs through (a source to read, a sink to write, the host that sends
 * records), and the ledger both halves of FileTransfers share: OutgoingFiles and
 * IncomingFiles each keep their own side's state and change the list only through it.
 */
import type { Bytes, RandomSource } from '../core/bytes.ts';
import type { Clock } from '../core/clock.ts';
import type { DuetError } from '../core/errors.ts';
import type { ProgressMeter, StreamingChecksum } from '../core/files.ts';
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

/** The list of transfers and what both directions do to it. */
export interface TransferLedger {
  readonly host: FileTransfersHost;
  readonly list: readonly FileTransfer[];
  get(id: string): FileTransfer | undefined;
  /** Adds a transfer, or puts it in the place of `replacing`. */
  add(transfer: FileTransfer, replacing?: string): void;
  update(id: string, patch: Partial<FileTransfer>): void;
  /** Bytes done and the rate, redrawn at most every so often. */
  progress(id: string, done: number, meter: ProgressMeter): void;
  /** Ends a transfer here (discarding partial data), and tells the peer why when `tell` is set. */
  stop(id: string, status: TransferStatus, tell?: FileCancelReason): Promise<void>;
  /** One notice per transfer for records that do not fit it. */
  reportStray(id: string, what: string): void;
  newChecksum(): Promise<StreamingChecksum>;
}

const FINAL_STAGES: ReadonlySet<TransferStatus['stage']> = new Set(['complete', 'declined', 'cancelled', 'failed']);

export function isFinished(transfer: FileTransfer): boolean {
  return FINAL_STAGES.has(transfer.status.stage);
}

/** A finished transfer shows no rate or time left. */
export const NO_RATE = { bytesPerSecond: undefined, secondsLeft: undefined } as const;
