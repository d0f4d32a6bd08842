/**
 * The conversation itself: messages both ways, the outbox, delivery receipts and
 * typing hints. It sends through its host (the secure channel of the moment) and
 * never decides whether the connection is up: the session does.
 */
import { type RandomSource, toBase64Url } from '../core/bytes.ts';
import type { Clock } from '../core/clock.ts';
import { DuetError, toDuetError } from '../core/errors.ts';
import { MAX_MESSAGE_LENGTH, MAX_RECEIPT_IDS, type PeerMessage } from '../core/messages.ts';
import { messageKey } from './timeline.ts';

/**
 * Own messages go sending → sent (on the wire) → delivered (the peer's
 * authenticated receipt), or failed (with a retry). Peer messages are received.
 */
export type DeliveryState = 'sending' | 'sent' | 'delivered' | 'failed' | 'received';

export interface ChatMessage {
  id: string;
  from: 'me' | 'peer';
  name: string;
  text: string;
  sentAt: number;
  /** Order on screen, shared with file transfers (peer clocks may disagree, so not by time). */
  position: number;
  state: DeliveryState;
  /** Why a message failed, when it did. */
  error?: DuetError;
}

/** How often at most this side says it is typing, and how long the peer's "typing" lasts. */
const TYPING_SEND_INTERVAL_MS = 3000;
const TYPING_SHOWN_MS = 5000;
const MESSAGE_ID_BYTES = 12;

/** What changed: messages added or replaced (new objects, the old ones untouched), or the peer's typing. */
export type ConversationChange = { kind: 'messages'; messages: readonly ChatMessage[] } | { kind: 'typing' };

export interface ConversationHost {
  clock: Clock;
  random: RandomSource;
  /** Sends a record on the current secure channel; rejects with not-connected without one. */
  send(message: PeerMessage): Promise<void>;
  changed(change: ConversationChange): void;
  notify(error: DuetError): void;
  nextPosition(): number;
  myName(): string;
  peerName(): string;
}

export class Conversation {
  /**
   * Oldest first, only ever appended to; a changed message is a new object in its
   * place. Kept as one array (not copied per change) so a message costs the same at
   * 10,000 as at 10.
   */
  readonly messages: ChatMessage[] = [];
  /** Where each message is in `messages`, by side and id (a peer may reuse one of our ids). */
  private readonly indexByKey = new Map<string, number>();
  /** The peer is typing (cleared by their message, or a few seconds after they stop). */
  peerTyping = false;
  /** Receipts waiting to go out together, at the end of the current burst of messages. */
  private pendingReceipts: string[] = [];
  private lastTypingSent = Number.NEGATIVE_INFINITY;
  private cancelTypingTimer: (() => void) | undefined;

  constructor(private readonly host: ConversationHost) {}

  /**
   * Adds an own message (shown at once as "sending"); `transmitNow` puts it on the
   * wire, otherwise it waits in the outbox. Throws message-too-long; ignores blank text.
   */
  async send(text: string, transmitNow: boolean): Promise<void> {
    if (text.trim().length === 0) return;
    if (text.length > MAX_MESSAGE_LENGTH) throw new DuetError('message-too-long', `${text.length} characters`);
    const message: ChatMessage = {
      id: toBase64Url(this.host.random(MESSAGE_ID_BYTES)),
      from: 'me',
      name: this.host.myName(),
      text,
      sentAt: this.host.clock.now(),
      position: this.host.nextPosition(),
      state: 'sending',
    };
    this.append(message);
    // The peer stops showing "typing" when this arrives, so the next keystroke may say so again.
    this.lastTypingSent = Number.NEGATIVE_INFINITY;
    if (transmitNow) await this.transmit(message);
  }

  /** Sends a failed message again, with the same id (the peer drops duplicates). False if there is none. */
  async retry(id: string): Promise<boolean> {
    const message = this.own(id);
    if (message?.state !== 'failed') return false;
    this.updateOwnMessages([id], (m) => ({ ...m, state: 'sending', error: undefined }));
    await this.transmit(message);
    return true;
  }

  /**
   * The connection is back: everything not yet acknowledged goes again, in order, with
   * the same ids (the peer drops what it already has and acknowledges it again).
   */
  resendOutbox(): void {
    // A scan of the whole history, but only once per reconnection.
    const outbox = this.messages.filter((m) => m.from === 'me' && m.state !== 'delivered');
    this.updateOwnMessages(
      outbox.map((m) => m.id),
      (m) => ({ ...m, state: 'sending', error: undefined }),
    );
    for (const message of outbox) void this.transmit(message);
  }

  /** Puts a message on the wire; a failure is recorded on the message itself, where the person sees it. */
  private async transmit(message: ChatMessage): Promise<void> {
    try {
      await this.host.send({ type: 'chat', id: message.id, text: message.text, sentAt: message.sentAt });
      this.updateOwnMessages([message.id], (m) => (m.state === 'sending' ? { ...m, state: 'sent' } : m));
    } catch (error) {
      const failure = toDuetError(error, 'not-connected');
      this.updateOwnMessages([message.id], (m) => (m.state === 'sending' ? { ...m, state: 'failed', error: failure } : m));
    }
  }

  /** A chat record from the peer. */
  receiveChat(message: Extract<PeerMessage, { type: 'chat' }>): void {
    // Receipted even when it is a duplicate: the earlier receipt may have been lost.
    this.queueReceipt(message.id);
    this.setPeerTyping(false);
    if (this.indexByKey.has(messageKey({ from: 'peer', id: message.id }))) return;
    this.append({
      id: message.id,
      from: 'peer',
      name: this.host.peerName(),
      text: message.text,
      sentAt: message.sentAt,
      position: this.host.nextPosition(),
      state: 'received',
    });
  }

  receiveReceipt(ids: readonly string[]): void {
    this.updateOwnMessages(ids, (m) => (m.state !== 'delivered' ? { ...m, state: 'delivered', error: undefined } : m));
  }

  receiveTyping(): void {
    this.setPeerTyping(true);
  }

  /** Tells the peer this side is typing; at most once every few seconds. */
  notifyTyping(): void {
    const now = this.host.clock.now();
    if (now - this.lastTypingSent < TYPING_SEND_INTERVAL_MS) return;
    this.lastTypingSent = now;
    this.host.send({ type: 'typing' }).catch(() => {
      // Typing hints are best effort: losing one changes nothing the person relies on.
    });
  }

  /** The peer is gone: no receipts owed, nobody typing. The history stays. */
  clearPeer(): void {
    this.pendingReceipts = [];
    this.cancelTypingTimer?.();
    this.cancelTypingTimer = undefined;
    this.peerTyping = false;
  }

  private own(id: string): ChatMessage | undefined {
    const index = this.indexByKey.get(messageKey({ from: 'me', id }));
    return index === undefined ? undefined : this.messages[index];
  }

  private append(message: ChatMessage): void {
    this.indexByKey.set(messageKey(message), this.messages.length);
    this.messages.push(message);
    this.host.changed({ kind: 'messages', messages: [message] });
  }

  /** Replaces the own messages named by `ids` that `update` changes (a new object each); one notification for them all. */
  private updateOwnMessages(ids: readonly string[], update: (message: ChatMessage) => ChatMessage): void {
    const changed: ChatMessage[] = [];
    for (const id of ids) {
      const index = this.indexByKey.get(messageKey({ from: 'me', id }));
      if (index === undefined) continue;
      const current = this.messages[index]!;
      const next = update(current);
      if (next === current) continue;
      this.messages[index] = next;
      changed.push(next);
    }
    if (changed.length > 0) this.host.changed({ kind: 'messages', messages: changed });
  }

  private queueReceipt(id: string): void {
    this.pendingReceipts.push(id);
    // One receipt record for a burst of messages.
    if (this.pendingReceipts.length === 1) queueMicrotask(() => this.flushReceipts());
  }

  private flushReceipts(): void {
    while (this.pendingReceipts.length > 0) {
      const ids = this.pendingReceipts.splice(0, MAX_RECEIPT_IDS);
      this.host.send({ type: 'receipt', ids }).catch((error: unknown) => this.host.notify(toDuetError(error, 'not-connected')));
    }
  }

  private setPeerTyping(typing: boolean): void {
    this.cancelTypingTimer?.();
    this.cancelTypingTimer = typing ? this.host.clock.setTimeout(() => this.setPeerTyping(false), TYPING_SHOWN_MS) : undefined;
    if (this.peerTyping === typing) return;
    this.peerTyping = typing;
    this.host.changed({ kind: 'typing' });
  }
}
