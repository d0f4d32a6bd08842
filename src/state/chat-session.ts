/**
 * ChatSession: the whole life of one Duet conversation as plain TypeScript.
 * The UI observes it (subscribe) and calls its actions; it never touches the DOM.
 * Transport and time are injected, so it runs the same against fakes in tests.
 */
import type { RoomId, ServerMessage } from '../../signaling/protocol.ts';
import { type Bytes, type RandomSource, secureRandom, toBase64Url } from '../core/bytes.ts';
import type { Clock } from '../core/clock.ts';
import { systemClock } from '../core/clock.ts';
import { DuetError, isErrorCode, toDuetError } from '../core/errors.ts';
import { type HandshakeConfig, type RsaIdentity, generateRsaIdentity } from '../core/handshake.ts';
import { type RoomKeys, deriveRoomKeys, encodeInviteCode, generateRoomSecret, inviteLink, parseInviteInput } from '../core/invite.ts';
import { MAX_MESSAGE_LENGTH, type PeerMessage, normaliseName } from '../core/messages.ts';
import { type Role, otherRole } from '../core/roles.ts';
import { SecureChannel } from '../core/secure-channel.ts';
import { openSignal, sealSignal } from '../core/signal-seal.ts';
import type { PeerLink, PeerLinkOptions } from '../transport/peer-link.ts';
import type { SignalingConnection, SignalingHandlers } from '../transport/signaling-client.ts';

export interface Invite {
  link: string;
  code: string;
}

/** Where the conversation is. The UI shows a plain sentence for each. */
export type SessionStatus =
  | { phase: 'lobby' }
  | { phase: 'opening' }
  | { phase: 'waiting'; invite: Invite }
  | { phase: 'connecting' }
  | { phase: 'securing' }
  | { phase: 'secure'; safetyCode: string }
  | { phase: 'ended'; reason: 'peer-left' | 'you-left' }
  | { phase: 'failed'; error: DuetError };

export interface ChatMessage {
  id: string;
  from: 'me' | 'peer';
  name: string;
  text: string;
  sentAt: number;
}

/** Something went wrong without ending the conversation (e.g. a forged record was dropped). */
export interface SessionNotice {
  id: number;
  error: DuetError;
  at: number;
}

export interface SessionTransport {
  connectSignaling(url: string, handlers: SignalingHandlers): Promise<SignalingConnection>;
  createPeerLink(options: PeerLinkOptions): PeerLink;
}

export interface ChatSessionOptions {
  signalingUrl: string;
  /** The app's own address; invite links are this plus #code. */
  appUrl: string;
  iceServers: RTCIceServer[];
  handshake: HandshakeConfig;
  transport: SessionTransport;
  clock?: Clock;
  random?: RandomSource;
}

const MAX_NOTICES = 5;

export class ChatSession {
  status: SessionStatus = { phase: 'lobby' };
  messages: ChatMessage[] = [];
  notices: SessionNotice[] = [];
  myName = '';
  peerName = '';
  role: Role | undefined;
  /** The host's invite, kept so the room can be offered again if a guest drops out early. */
  invite: Invite | undefined;

  private readonly options: ChatSessionOptions;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly listeners = new Set<() => void>();
  private readonly identity: Promise<RsaIdentity>;
  private roomKeys: RoomKeys | undefined;
  private signaling: SignalingConnection | undefined;
  private link: PeerLink | undefined;
  private channel: SecureChannel | undefined;
  private noticeCounter = 0;
  /** Signals from the peer, opened strictly in arrival order. */
  private signalQueue: Promise<void> = Promise.resolve();

  constructor(options: ChatSessionOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? secureRandom;
    // Start the slow RSA key generation now, so keys are ready before a peer arrives.
    this.identity = generateRsaIdentity(options.handshake);
    this.identity.catch(() => {});
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private setStatus(status: SessionStatus): void {
    this.status = status;
    this.changed();
  }

  get canSend(): boolean {
    return this.status.phase === 'secure';
  }

  /** Creates a room and waits for the peer. Errors end in status 'failed'. */
  async createRoom(name: string): Promise<void> {
    await this.enterRoom(name, 'host', generateRoomSecret(this.random));
  }

  /** Joins the room of an invite code or link. Throws DuetError('invalid-code') at once if it is unreadable. */
  async joinRoom(name: string, codeOrLink: string): Promise<void> {
    const secret = parseInviteInput(codeOrLink);
    await this.enterRoom(name, 'guest', secret);
  }

  private async enterRoom(name: string, role: Role, secret: Bytes): Promise<void> {
    if (this.status.phase !== 'lobby') throw new DuetError('already-in-room');
    this.myName = normaliseName(name);
    this.role = role;
    this.setStatus({ phase: 'opening' });
    try {
      this.roomKeys = await deriveRoomKeys(secret);
      this.signaling = await this.options.transport.connectSignaling(this.options.signalingUrl, {
        onMessage: (message) => this.onSignalingMessage(message),
        onInvalid: (error) => this.notify(error),
        onClose: () => this.onSignalingClosed(),
      });
    } catch (error) {
      this.fail(toDuetError(error, 'signaling-unreachable'));
      return;
    }
    const room: RoomId = this.roomKeys.roomId;
    if (role === 'host') {
      this.signaling.send({ type: 'create', room });
      this.invite = { link: inviteLink(this.options.appUrl, secret), code: encodeInviteCode(secret) };
      this.setStatus({ phase: 'waiting', invite: this.invite });
    } else {
      this.signaling.send({ type: 'join', room });
      this.setStatus({ phase: 'connecting' });
    }
  }

  private onSignalingMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'created':
        return;
      case 'joined':
        // The guest starts the WebRTC offer.
        this.startPeerLink(true);
        return;
      case 'peer-joined':
        this.startPeerLink(false);
        return;
      case 'signal':
        this.onSignal(message.payload);
        return;
      case 'peer-left':
        this.onPeerGone();
        return;
      case 'error':
        this.onServerError(message.code);
        return;
    }
  }

  private onServerError(code: string): void {
    const error = isErrorCode(code) ? new DuetError(code) : new DuetError('server-error', code);
    // Before the peer connection exists, a server refusal ends the attempt (room full,
    // no such room); afterwards it is only a notice.
    if (this.status.phase === 'opening' || this.status.phase === 'waiting' || (this.status.phase === 'connecting' && !this.link)) {
      this.fail(error);
    } else {
      this.notify(error);
    }
  }

  private onSignalingClosed(): void {
    this.signaling = undefined;
    // Once the data channel is up the server is no longer needed.
    if (this.status.phase === 'secure' || this.status.phase === 'ended' || this.status.phase === 'failed') return;
    if (this.status.phase === 'securing') return;
    this.fail(new DuetError('signaling-lost'));
  }

  private startPeerLink(initiator: boolean): void {
    if (this.link || !this.role) return;
    const role = this.role;
    this.setStatus({ phase: 'connecting' });
    try {
      this.link = this.options.transport.createPeerLink({
        initiator,
        iceServers: this.options.iceServers,
        onSignal: (signal) => {
          const keys = this.roomKeys;
          if (!keys) return;
          sealSignal(keys.signalKey, role, signal, this.random).then(
            (payload) => this.signaling?.send({ type: 'signal', payload }),
            (error: unknown) => this.notify(toDuetError(error, 'signal-rejected')),
          );
        },
        onConnect: () => this.onPeerConnected(),
        onData: (bytes) => this.channel?.receive(bytes),
        onClose: (error) => this.onLinkClosed(error),
      });
    } catch (error) {
      this.fail(toDuetError(error, 'peer-connection-failed'));
    }
  }

  private onSignal(payload: string): void {
    const keys = this.roomKeys;
    const role = this.role;
    if (!keys || !role) return;
    this.signalQueue = this.signalQueue.then(async () => {
      try {
        const signal = await openSignal(keys.signalKey, otherRole(role), payload);
        this.link?.signal(signal);
      } catch (error) {
        // A payload that does not open under the room key was forged or altered by
        // whoever relays it: it is dropped and the person is told.
        this.notify(toDuetError(error, 'signal-rejected'));
      }
    });
  }

  private async onPeerConnected(): Promise<void> {
    const link = this.link;
    const keys = this.roomKeys;
    const role = this.role;
    if (!link || !keys || !role) return;
    this.setStatus({ phase: 'securing' });
    try {
      const fingerprints = link.fingerprints();
      const identity = await this.identity;
      const channel = new SecureChannel({
        role,
        identity,
        psk: keys.psk,
        localFingerprint: fingerprints.local,
        remoteFingerprint: fingerprints.remote,
        send: (bytes) => link.send(bytes),
        onMessage: (message) => this.onPeerMessage(message),
        onRejected: (error) => this.notify(error),
        config: this.options.handshake,
        clock: this.clock,
        random: this.random,
      });
      this.channel = channel;
      const { safetyCode } = await channel.establish();
      if (this.link !== link) return;
      this.setStatus({ phase: 'secure', safetyCode });
      await channel.send({ type: 'profile', name: this.myName });
    } catch (error) {
      if (this.link !== link) return;
      this.fail(toDuetError(error, 'handshake-failed'));
    }
  }

  private onPeerMessage(message: PeerMessage): void {
    switch (message.type) {
      case 'profile':
        this.peerName = message.name;
        this.changed();
        return;
      case 'chat':
        if (this.messages.some((m) => m.from === 'peer' && m.id === message.id)) return;
        this.messages = [...this.messages, { id: message.id, from: 'peer', name: this.peerName || 'Peer', text: message.text, sentAt: message.sentAt }];
        this.changed();
        return;
      case 'bye':
        this.onPeerGone();
        return;
    }
  }

  private onLinkClosed(error?: DuetError): void {
    if (this.status.phase === 'ended' || this.status.phase === 'failed') return;
    if (this.status.phase === 'secure') {
      this.onPeerGone();
      return;
    }
    this.fail(error ?? new DuetError('peer-connection-failed', 'closed before the handshake finished'));
  }

  private onPeerGone(): void {
    const phase = this.status.phase;
    if (phase === 'ended' || phase === 'failed' || phase === 'lobby') return;
    if (this.role === 'host' && phase !== 'secure' && this.invite) {
      // The guest left before the conversation started: the room stays open for
      // someone else with the link.
      this.teardownPeer();
      this.setStatus({ phase: 'waiting', invite: this.invite });
      return;
    }
    this.teardownPeer();
    this.signaling?.send({ type: 'leave' });
    this.setStatus({ phase: 'ended', reason: 'peer-left' });
  }

  /** Sends a chat message. Resolves when it is on the wire; throws a DuetError otherwise. */
  async send(text: string): Promise<void> {
    const channel = this.channel;
    if (!channel || this.status.phase !== 'secure') throw new DuetError('not-connected');
    if (text.trim().length === 0) return;
    if (text.length > MAX_MESSAGE_LENGTH) throw new DuetError('message-too-long', `${text.length} characters`);
    const message: ChatMessage = { id: this.newMessageId(), from: 'me', name: this.myName, text, sentAt: this.clock.now() };
    await channel.send({ type: 'chat', id: message.id, text: message.text, sentAt: message.sentAt });
    this.messages = [...this.messages, message];
    this.changed();
  }

  /** Leaves the conversation and tells the peer, as far as it can be told. */
  leave(): void {
    if (this.status.phase === 'lobby') return;
    if (this.channel?.established) void this.channel.send({ type: 'bye' }).catch(() => {});
    this.signaling?.send({ type: 'leave' });
    this.teardownPeer();
    this.signaling?.close();
    this.signaling = undefined;
    if (this.status.phase !== 'failed') this.setStatus({ phase: 'ended', reason: 'you-left' });
  }

  dismissNotice(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
    this.changed();
  }

  private newMessageId(): string {
    return toBase64Url(this.random(12));
  }

  private notify(error: DuetError): void {
    this.notices = [...this.notices, { id: ++this.noticeCounter, error, at: this.clock.now() }].slice(-MAX_NOTICES);
    this.changed();
  }

  private teardownPeer(): void {
    this.channel?.close();
    this.channel = undefined;
    const link = this.link;
    this.link = undefined;
    link?.destroy();
  }

  private fail(error: DuetError): void {
    this.teardownPeer();
    this.signaling?.close();
    this.signaling = undefined;
    this.setStatus({ phase: 'failed', error });
  }
}
