/**
 * The peer's messages, handled one at a time and in order, so that the identity check
 * of a profile finishes before any chat after it shows. Each goes to the unit that
 * owns it; a message that fails to apply is a notice, never the end.
 *
 * Except file data (chunks, a transfer's end or cancel): FileTransfers handles it on a
 * lane of its own, in order, and the inbox does not wait for it, so a chat message that
 * arrived behind a backlog of chunks being written and hashed shows at once. The records
 * themselves were still accepted strictly in sequence (the channel's replay check); only
 * what is done with them afterwards runs side by side. Nothing else depends on file data
 * having been handled, save the goodbye, which waits for it.
 */
import type { Bytes } from '../core/bytes.ts';
import { type DuetError, toDuetError } from '../core/errors.ts';
import type { PeerMessage } from '../core/messages.ts';
import type { Conversation } from './conversation.ts';
import { type FileTransfers, isFileData } from './file-transfers.ts';
import type { PeerTrust } from './peer-trust.ts';

export interface PeerInboxHost {
  conversation: Conversation;
  trust: PeerTrust;
  files: FileTransfers;
  setPeerName(name: string): void;
  changed(): void;
  notify(error: DuetError): void;
  /** The transcript hash of the current session, which identity proofs are checked against. */
  transcriptHash(): Bytes | undefined;
  /** The peer's authenticated goodbye. */
  peerGone(): void;
}

export class PeerInbox {
  private queue: Promise<void> = Promise.resolve();
  /** The last file data handed on: FileTransfers handles it in order, so it settles after all before it. */
  private fileData: Promise<void> = Promise.resolve();
  /** Called when the peer's profile, its first record after a handshake, has been handled. */
  private onIntroduced: (() => void) | undefined;

  constructor(private readonly host: PeerInboxHost) {}

  receive(message: PeerMessage): void {
    this.queue = this.queue.then(() => this.handle(message)).catch((error: unknown) => this.notifyFailed(error));
  }

  /** Resolves once every message received so far has been handled (file data too). */
  async settled(): Promise<void> {
    await this.queue;
    await this.fileData;
  }

  private notifyFailed(error: unknown): void {
    this.host.notify(toDuetError(error, 'record-malformed'));
  }

  /** Resolves when the peer's next profile has been handled. */
  expectIntroduction(): Promise<void> {
    return new Promise<void>((resolve) => (this.onIntroduced = resolve));
  }

  clearPeer(): void {
    this.onIntroduced = undefined;
  }

  private async handle(message: PeerMessage): Promise<void> {
    const { conversation } = this.host;
    switch (message.type) {
      case 'profile':
        this.host.setPeerName(message.name);
        await this.host.trust.checkPeer(message.name, message.identity, this.host.transcriptHash());
        this.onIntroduced?.();
        this.onIntroduced = undefined;
        this.host.changed();
        return;
      case 'chat':
        conversation.receiveChat(message);
        return;
      case 'receipt':
        conversation.receiveReceipt(message.ids);
        return;
      case 'typing':
        conversation.receiveTyping();
        return;
      case 'keepalive':
        return;
      case 'bye':
        // A file whose last chunks and end came before the goodbye completes first.
        await this.fileData;
        this.host.peerGone();
        return;
      default:
        if (isFileData(message)) {
          // On the files' own lane, in order; the next message does not wait for it.
          this.fileData = this.host.files.receive(message).catch((error: unknown) => this.notifyFailed(error));
          return;
        }
        await this.host.files.receive(message);
    }
  }
}
