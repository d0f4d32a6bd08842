/**
 * The peer's messages, handled one at a time and in order, so that the identity check
 * of a profile finishes before any chat after it shows. Each goes to the unit that
 * owns it; a message that fails to apply is a notice, never the end.
 */
import type { Bytes } from '../core/bytes.ts';
import { type DuetError, toDuetError } from '../core/errors.ts';
import type { PeerMessage } from '../core/messages.ts';
import type { Conversation } from './conversation.ts';
import type { FileTransfers } from './file-transfers.ts';
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
  /** Called when the peer's profile, its first record after a handshake, has been handled. */
  private onIntroduced: (() => void) | undefined;

  constructor(private readonly host: PeerInboxHost) {}

  receive(message: PeerMessage): void {
    this.queue = this.queue.then(() => this.handle(message)).catch((error: unknown) => this.host.notify(toDuetError(error, 'record-malformed')));
  }

  /** Resolves once every message received so far has been handled. */
  settled(): Promise<void> {
    return this.queue;
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
        this.host.peerGone();
        return;
      default:
        await this.host.files.receive(message);
    }
  }
}
