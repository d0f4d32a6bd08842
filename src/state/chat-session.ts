/**
 * ChatSession: the whole life of one Duet conversation as plain TypeScript.
 * The UI observes it (subscribe) and calls its actions; it never touches the DOM.
 * Transport and time are injected, so it runs the same against fakes in tests.
 */
import type { JoinVia, RoomId, ServerMessage } from '../../signaling/protocol.ts';
import { type Bytes, type RandomSource, bytesEqual, concatBytes, fromBase64Url, secureRandom, toBase64Url } from '../core/bytes.ts';
import type { Clock } from '../core/clock.ts';
import { sleep, systemClock } from '../core/clock.ts';
import { DuetError, isErrorCode, toDuetError } from '../core/errors.ts';
import { type HandshakeConfig, type RsaIdentity, generateRsaIdentity } from '../core/handshake.ts';
import { type DeviceIdentity, type IdentityProof, identityFingerprint, proveIdentity, verifyIdentity } from '../core/identity.ts';
import { type RoomKeys, deriveRoomKeys, encodeInviteCode, generateRoomSecret, inviteLink, parseInviteInput } from '../core/invite.ts';
import type { StreamingChecksum } from '../core/files.ts';
import { MAX_MESSAGE_LENGTH, MAX_RECEIPT_IDS, type PeerMessage, normaliseName } from '../core/messages.ts';
import { type Role, otherRole } from '../core/roles.ts';
import type { PakeParty, PakeResult } from '../core/pake.ts';
import { SecureChannel } from '../core/secure-channel.ts';
import {
  PAKE_CONFIRM_BYTES,
  PAKE_SHARE_BYTES,
  formatShortCode,
  generatePassword,
  loadWordlist,
  looksLikeShortCode,
  parseShortCode,
} from '../core/short-code.ts';
import { type SignalData, openSignal, sealSignal, signalBinding } from '../core/signal-seal.ts';
import type { DeviceStore } from '../storage/device-store.ts';
import { type FileSink, type FileSource, type FileTransfer, FileTransfers } from './file-transfers.ts';
import type { PeerLink, PeerLinkOptions } from '../transport/peer-link.ts';
import type { SignalingConnection, SignalingHandlers } from '../transport/signaling-client.ts';

export interface Invite {
  link: string;
  code: string;
  /** "7-tiger-ocean", when the server had a nameplate free. */
  shortCode?: string;
}

/**
 * How a broken connection is being restored: first an ICE restart on the same peer
 * connection (the data channel and the secure session go on as they are), then, if
 * that does not bring it back in time, a new peer connection with a resumed handshake.
 */
export type ReconnectStage = 'ice-restart' | 'new-connection';

/** Where the conversation is. The UI shows a plain sentence for each. */
export type SessionStatus =
  | { phase: 'lobby' }
  | { phase: 'opening' }
  | { phase: 'waiting'; invite: Invite }
  | { phase: 'connecting' }
  | { phase: 'securing' }
  | { phase: 'secure'; safetyCode: string }
  /** The direct connection broke; both sides try to restore it, keeping the conversation and its safety code. */
  | { phase: 'reconnecting'; safetyCode: string; reason: DuetError; stage: ReconnectStage }
  | { phase: 'ended'; reason: 'peer-left' | 'you-left' }
  | { phase: 'failed'; error: DuetError };

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
/**
 * Liveness: a keepalive goes out when nothing else was sent for this long, and a
 * peer silent for SILENCE_LIMIT_MS is taken as a broken connection (a closed data
 * channel is not always reported quickly, e.g. after a network change).
 */
const KEEPALIVE_INTERVAL_MS = 4000;
const SILENCE_LIMIT_MS = 12_000;
const TYPING_SHOWN_MS = 5000;

/**
 * What we know of the peer's device ("Remember me on this device"). 'changed'
 * and 'invalid' hold the conversation behind a warning until the person decides.
 */
export type PeerIdentity =
  | { kind: 'none' }
  | { kind: 'unchecked'; fingerprint: string }
  | { kind: 'new'; fingerprint: string }
  | { kind: 'known'; fingerprint: string; verified: boolean }
  | { kind: 'changed'; fingerprint: string; acknowledged: boolean }
  | { kind: 'invalid'; acknowledged: boolean };

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
  /** How long to wait for the direct connection and the short-code exchange (default 30 s). */
  connectTimeoutMs?: number;
  /** How long to keep trying to restore a broken connection before giving up (default 2 min). */
  reconnectTimeoutMs?: number;
  /** How long an ICE restart may take before a new peer connection is tried instead (default 6 s). */
  iceRestartTimeoutMs?: number;
  clock?: Clock;
  random?: RandomSource;
  /** Where file checksums are computed (the app uses a Web Worker; default: this thread). */
  createChecksum?: () => Promise<StreamingChecksum>;
}

const MAX_NOTICES = 5;
const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const DEFAULT_RECONNECT_TIMEOUT_MS = 120_000;
const DEFAULT_ICE_RESTART_TIMEOUT_MS = 6_000;
/** Backoff between signaling reconnection attempts: 1 s, doubling, at most 15 s. */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 15_000;
/** First byte of the short-code exchange payloads sent through signaling before any sealed signal. */
const PakeMessage = { share: 1, confirm: 2 } as const;

/** How this side enters the room: with the link's secret, or with a short code's password. */
type Entry = { kind: 'link'; secret: Bytes } | { kind: 'short'; nameplate: number; password: string };

export class ChatSession {
  status: SessionStatus = { phase: 'lobby' };
  messages: ChatMessage[] = [];
  notices: SessionNotice[] = [];
  myName = '';
  peerName = '';
  role: Role | undefined;
  /** The host's invite, kept so the room can be offered again if a guest drops out early. */
  invite: Invite | undefined;
  /** The person said the safety codes matched. */
  verified = false;
  peerIdentity: PeerIdentity = { kind: 'none' };
  /** The peer is typing (cleared by their message, or a few seconds after they stop). */
  peerTyping = false;
  /** Files sent and received in this conversation. */
  readonly files: FileTransfers;

  private readonly options: ChatSessionOptions;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly listeners = new Set<() => void>();
  private readonly identity: Promise<RsaIdentity>;
  /** Keys from the invite secret (link entry). */
  private roomKeys: RoomKeys | undefined;
  /** The keys sealing signals and binding the handshake for the current peer: from the link, or from the PAKE. */
  private peerKeys: Pick<RoomKeys, 'signalKey' | 'psk'> | undefined;
  /** The host's short-code password, for a guest who joins by nameplate. */
  private shortPassword: string | undefined;
  /** Settles once the host's short-code password is made (or could not be). */
  private shortPasswordReady: Promise<void> = Promise.resolve();
  /** The short-code exchange; the curve code is loaded on demand, hence the promise. */
  private pake: { party: Promise<PakeParty>; result?: PakeResult } | undefined;
  /** This attempt's nonce (chosen by the host); every signal after the first is bound to it. */
  private sessionNonce: string | undefined;
  /** The latest ICE restart's nonce in this attempt (chosen by the host); signals are bound to both. */
  private restartNonce: string | undefined;
  /**
   * The previous binding (attempt, or ICE restart within this attempt): its late
   * signals are recognised as stale, not as forgeries.
   */
  private stale: { binding: string; sameAttempt: boolean } | undefined;
  /** Session nonces this side has used: a session message naming one again is a replay. */
  private readonly usedSessionNonces = new Set<string>();
  /** The IVs of the payloads opened under the current binding: the same payload again is a replay. */
  private openedSignals = new Set<string>();
  private cancelIceRestart: (() => void) | undefined;
  /** Diagnostics: peer connections made and ICE restarts that brought the connection back. */
  private peerConnectionCount = 0;
  private iceRestartCount = 0;
  private cancelConnectTimer: (() => void) | undefined;
  private entry: Entry | undefined;
  /** This device's remembered identity and where known peers are kept, when the person opted in. */
  private device: { identity: DeviceIdentity; store: DeviceStore } | undefined;
  private transcriptHash: Bytes | undefined;
  private peerPublicKey: Bytes | undefined;
  /** The room as the server knows it (derived from the link, or told to a short-code guest). */
  private roomId: RoomId | undefined;
  /** From the last secure session: lets the same two peers resume after a broken connection. */
  private resumptionSecret: Bytes | undefined;
  private cancelGiveUp: (() => void) | undefined;
  private cancelLiveness: (() => void) | undefined;
  private lastHeardAt = 0;
  /** Receipts waiting to go out together, at the end of the current burst of messages. */
  private pendingReceipts: string[] = [];
  private lastTypingSent = Number.NEGATIVE_INFINITY;
  private cancelTypingTimer: (() => void) | undefined;
  /** Peer messages are handled one at a time, so the identity check finishes before any chat shows. */
  private inbound: Promise<void> = Promise.resolve();
  private signaling: SignalingConnection | undefined;
  private link: PeerLink | undefined;
  private channel: SecureChannel | undefined;
  /** Frames that arrived on the link before the secure channel existed (our RSA key may still be generating). */
  private earlyFrames: Bytes[] = [];
  /** Handshake messages that arrived before the secure channel existed, likewise. */
  private earlyHandshake: Bytes[] = [];
  /** Called when the peer's profile, its first record after a handshake, has been handled. */
  private onIntroduced: (() => void) | undefined;
  private noticeCounter = 0;
  /** Signals from the peer, opened strictly in arrival order. */
  private signalQueue: Promise<void> = Promise.resolve();
  /** Our sealed signals, sent strictly in the order they were made (see sendSealedSignal). */
  private outgoingSignals: Promise<void> = Promise.resolve();
  private positionCounter = 0;

  constructor(options: ChatSessionOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? secureRandom;
    // Start the slow RSA key generation now, so keys are ready before a peer arrives.
    this.identity = generateRsaIdentity(options.handshake);
    this.identity.catch(() => {});
    this.files = new FileTransfers({
      // During an ICE restart the data channel lives on: a transfer pauses (its data waits
      // in the channel's buffer) rather than fails.
      send: (message) => (this.channel && this.channelLive ? this.channel.send(message) : Promise.reject(new DuetError('not-connected'))),
      drained: () => this.link?.drained() ?? Promise.resolve(),
      changed: () => this.changed(),
      notify: (error) => this.notify(error),
      myName: () => this.myName,
      // Empty when the profile has not arrived yet: the UI shows "Your peer" in its language.
      peerName: () => this.peerName,
      nextPosition: () => this.nextPosition(),
      clock: this.clock,
      random: this.random,
      ...(options.createChecksum ? { createChecksum: options.createChecksum } : {}),
    });
  }

  private nextPosition(): number {
    return ++this.positionCounter;
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

  /** Messages can be written while secure, and while reconnecting (they wait in the outbox). */
  get canSend(): boolean {
    return (this.status.phase === 'secure' || this.status.phase === 'reconnecting') && !this.identityWarningPending;
  }

  /** True while a changed or invalid peer identity waits for the person's decision. */
  get identityWarningPending(): boolean {
    const identity = this.peerIdentity;
    return (identity.kind === 'changed' || identity.kind === 'invalid') && !identity.acknowledged;
  }

  /** Opt in to "Remember me on this device" for this conversation (call before creating or joining). */
  useDevice(identity: DeviceIdentity, store: DeviceStore): void {
    this.device = { identity, store };
  }

  /** Creates a room and waits for the peer. Errors end in status 'failed'. */
  async createRoom(name: string): Promise<void> {
    this.startEntering(name, 'host');
    // The server connection opens while the keys are derived and the short code's word
    // list loads; the invite waits for the words (onCreated), the room does not.
    const signaling = this.openSignaling();
    const secret = generateRoomSecret(this.random);
    this.shortPasswordReady = loadWordlist()
      .then((words) => generatePassword(words, this.random))
      .then(
        (password) => {
          this.shortPassword = password;
        },
        () => {
          // Without the word list there is no short code; the link still works.
        },
      );
    await this.connect({ kind: 'link', secret }, signaling);
    this.signaling?.send({ type: 'create', room: this.roomKeys!.roomId });
  }

  /**
   * Joins with an invite link, its code, or a short code ("7-tiger-ocean").
   * Throws DuetError('invalid-code') at once if the input is unreadable.
   */
  async joinRoom(name: string, input: string): Promise<void> {
    const entry: Entry = looksLikeShortCode(input)
      ? { kind: 'short', ...parseShortCode(input, await loadWordlist()) }
      : { kind: 'link', secret: parseInviteInput(input) };
    this.startEntering(name, 'guest');
    await this.connect(entry, this.openSignaling());
    if (entry.kind === 'link') this.signaling?.send({ type: 'join', room: this.roomKeys!.roomId });
    else this.signaling?.send({ type: 'join-short', nameplate: entry.nameplate });
    if (this.signaling) this.setStatus({ phase: 'connecting' });
  }

  private startEntering(name: string, role: Role): void {
    if (this.status.phase !== 'lobby') throw new DuetError('already-in-room');
    this.myName = normaliseName(name);
    this.role = role;
    this.setStatus({ phase: 'opening' });
  }

  /** Derives the room's keys while `signaling` (already opening) connects. */
  private async connect(entry: Entry, signaling: Promise<SignalingConnection>): Promise<void> {
    this.entry = entry;
    signaling.catch(() => {});
    try {
      if (entry.kind === 'link') {
        this.roomKeys = await deriveRoomKeys(entry.secret);
        this.roomId = this.roomKeys.roomId;
      }
      this.signaling = await signaling;
    } catch (error) {
      if (!this.signaling) signaling.then((opened) => opened.close(), () => {});
      this.fail(toDuetError(error, 'signaling-unreachable'));
    }
  }

  private openSignaling(): Promise<SignalingConnection> {
    return this.options.transport.connectSignaling(this.options.signalingUrl, {
      onMessage: (message) => this.onSignalingMessage(message),
      onInvalid: (error) => this.notify(error),
      onClose: () => this.onSignalingClosed(),
    });
  }

  private onSignalingMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'created':
        this.onCreated(message.nameplate);
        return;
      case 'joined':
        this.roomId = message.room;
        if (this.status.phase === 'reconnecting') this.resumeWithPeer();
        else if (this.status.phase === 'secure') this.startReconnecting(new DuetError('peer-connection-failed', 'the peer came back to the room'));
        else this.onPeerPresent(message.room, this.entry?.kind === 'short' ? 'short' : 'link');
        return;
      case 'peer-joined':
        if (this.status.phase === 'reconnecting') this.resumeWithPeer();
        // The peer rejoined the room while we thought the link was fine: its side broke.
        else if (this.status.phase === 'secure') this.startReconnecting(new DuetError('peer-connection-failed', 'the peer came back to the room'));
        else if (this.status.phase === 'ended' && this.status.reason === 'peer-left') this.startNewSession(message.via);
        else this.onPeerPresent(this.roomId ?? '', message.via);
        return;
      case 'signal':
        this.onSignal(message.payload);
        return;
      case 'peer-left':
        // Once the conversation is secure it runs peer to peer: the server saying the
        // peer left (a network blip, or a server that wants to end chats) is not
        // proof. The data channel closing, or the peer's authenticated bye, is.
        if (this.status.phase !== 'secure' && this.status.phase !== 'reconnecting') this.onPeerGone();
        return;
      case 'error':
        this.onServerError(message.code);
        return;
    }
  }

  private onCreated(nameplate: number | undefined): void {
    void this.shortPasswordReady.then(() => this.showInvite(nameplate));
  }

  private showInvite(nameplate: number | undefined): void {
    const entry = this.entry;
    if (this.role !== 'host' || entry?.kind !== 'link' || this.status.phase !== 'opening') return;
    this.invite = {
      link: inviteLink(this.options.appUrl, entry.secret),
      code: encodeInviteCode(entry.secret),
      ...(nameplate !== undefined && this.shortPassword ? { shortCode: formatShortCode({ nameplate, password: this.shortPassword }) } : {}),
    };
    this.setStatus({ phase: 'waiting', invite: this.invite });
  }

  /** Both people are in the room: agree on keys (directly, or by PAKE), then connect. */
  private onPeerPresent(roomId: string, via: JoinVia): void {
    if (this.link || this.pake || !this.role) return;
    this.setStatus({ phase: 'connecting' });
    this.startConnectTimer();
    if (via === 'link') {
      if (!this.roomKeys) {
        this.fail(new DuetError('handshake-failed', 'the server claims a link join in a short-code room'));
        return;
      }
      this.peerKeys = this.roomKeys;
      this.beginSignalSession();
      return;
    }
    // The creator knows the code from its invite, a short-code guest from what it typed
    // (either may lead a later session in the same room).
    const password = this.entry?.kind === 'short' ? this.entry.password : this.shortPassword;
    const nameplate = this.entry?.kind === 'short' ? String(this.entry.nameplate) : this.invite?.shortCode?.split('-')[0];
    if (!password || !nameplate) {
      this.fail(new DuetError('code-mismatch', 'no short code in this room'));
      return;
    }
    // The PAKE is bound to this room and nameplate, so a share cannot be replayed elsewhere.
    const role = this.role;
    const party = import('../core/pake.ts').then(({ PakeParty }) => new PakeParty(role, password, `${roomId}/${nameplate}`, this.random));
    const pake = { party };
    this.pake = pake;
    party.then(
      (ready) => {
        if (this.pake === pake) this.sendPakeMessage(PakeMessage.share, ready.share);
      },
      (error: unknown) => this.fail(toDuetError(error, 'code-mismatch')),
    );
  }

  private sendPakeMessage(kind: number, body: Bytes): void {
    this.signaling?.send({ type: 'signal', payload: toBase64Url(concatBytes(new Uint8Array([kind]), body)) });
  }

  private startConnectTimer(): void {
    this.cancelConnectTimer?.();
    this.cancelConnectTimer = this.clock.setTimeout(() => {
      this.cancelConnectTimer = undefined;
      const phase = this.status.phase;
      if (phase === 'connecting') this.fail(new DuetError(this.pake && !this.peerKeys ? 'handshake-timeout' : 'peer-unreachable'));
      // Connected and keys agreed, but the peer never introduced itself (its first record).
      if (phase === 'securing') this.fail(new DuetError('handshake-timeout', 'no profile from the peer'));
    }, this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  }

  private onServerError(code: string): void {
    const error = isErrorCode(code) ? new DuetError(code) : new DuetError('server-error', code);
    if (this.status.phase === 'reconnecting') {
      // Finding the room again: the server may have restarted (no room: make it again),
      // the peer may have made it first (join it), or the peer is not back yet (wait).
      if (code === 'room-not-found' && this.roomId) this.signaling?.send({ type: 'create', room: this.roomId });
      else if (code === 'room-exists' && this.roomId) this.signaling?.send({ type: 'join', room: this.roomId });
      else if (code !== 'no-peer' && code !== 'already-in-room') this.notify(error);
      return;
    }
    // A signal of an attempt that has just ended reached the server after the peer left
    // (its 'peer-left' came first and we wait again): nobody missed anything.
    if (code === 'no-peer' && this.status.phase === 'waiting') return;
    // Before the peer connection exists, a server refusal ends the attempt (room full,
    // no such room); afterwards it is only a notice.
    if (this.status.phase === 'opening' || this.status.phase === 'waiting' || (this.status.phase === 'connecting' && !this.link && !this.pake)) {
      this.fail(error);
    } else {
      this.notify(error);
    }
  }

  private onSignalingClosed(): void {
    this.signaling = undefined;
    if (this.status.phase === 'reconnecting') {
      // An ICE restart may still bring the link back without the server; if it does
      // not, the new-connection stage finds the server again.
      if (this.status.stage === 'new-connection') void this.reconnectSignaling();
      return;
    }
    // Once the data channel is up the server is no longer needed.
    if (this.status.phase === 'secure' || this.status.phase === 'ended' || this.status.phase === 'failed') return;
    // The handshake runs through the server: without it, only a finished one can go on.
    if (this.status.phase === 'securing' && this.channel?.established) return;
    this.fail(new DuetError('signaling-lost'));
  }

  /**
   * Keys are agreed. The host opens the attempt with a fresh nonce that binds every
   * later signal, so nothing recorded from an earlier attempt can be replayed; the
   * guest starts once it has that nonce.
   */
  private beginSignalSession(): void {
    const keys = this.peerKeys;
    if (this.role !== 'host' || !keys) return;
    const nonce = toBase64Url(this.random(16));
    this.rebind(nonce);
    // The nonce goes out before the host makes its peer connection (several milliseconds of
    // main thread, which would hold the nonce back): the guest, who makes the offer, starts
    // that much sooner. The offer cannot come first: the link is made right after the send,
    // before this page handles any later message.
    void this.sendSealedSignal(keys.signalKey, 'host', { type: 'session', nonce }, undefined).then(() => {
      const { phase } = this.status;
      if (this.sessionNonce === nonce && (phase === 'connecting' || phase === 'reconnecting')) this.startPeerLink();
    });
  }

  /**
   * The guest makes the WebRTC offer. Signals are sealed with the peer keys and the
   * session nonce. The handshake starts with the link and runs through the same
   * sealed signals, so it is done by the time the data channel opens.
   */
  private startPeerLink(): void {
    if (this.link || !this.role || !this.peerKeys || !this.sessionNonce) return;
    const role = this.role;
    const keys = this.peerKeys;
    const nonce = this.sessionNonce;
    let attempt: PeerLink | undefined;
    const sendSignal = (signal: SignalData) => {
      // Bound to the attempt, and to its latest ICE restart if there was one.
      const binding = this.sessionNonce === nonce ? this.currentBinding()! : nonce;
      // Sealed after its attempt ended (the peer left meanwhile): nobody to send it to.
      this.sendSealedSignal(keys.signalKey, role, signal, binding, () => attempt === undefined || this.link === attempt);
    };
    // True once the link is up, false if it ends first (onLinkClosed decides what then).
    let settleLink!: (up: boolean) => void;
    const linkUp = new Promise<boolean>((resolve) => (settleLink = resolve));
    try {
      const link: PeerLink = this.options.transport.createPeerLink({
        initiator: role === 'guest',
        iceServers: this.options.iceServers,
        onSignal: sendSignal,
        onConnect: () => {
          if (this.link !== link) return;
          // A resumed session stays "reconnecting" (with its safety code) until it is secure again.
          if (this.status.phase !== 'reconnecting') this.setStatus({ phase: 'securing' });
          settleLink(true);
        },
        onData: (bytes) => {
          if (this.channel) this.channel.receive(bytes);
          else this.earlyFrames.push(bytes);
        },
        onClose: (error) => {
          settleLink(false);
          this.onLinkClosed(error);
        },
        onIceStateChange: (state) => {
          if (this.link === link) this.onIceStateChange(state);
        },
      });
      this.link = link;
      attempt = link;
      this.peerConnectionCount++;
      void this.secureLink(link, role, keys, linkUp, (bytes) => sendSignal({ type: 'handshake', message: toBase64Url(bytes) }));
    } catch (error) {
      this.fail(toDuetError(error, 'peer-connection-failed'));
    }
  }

  /** What this attempt's signals are bound to now (undefined before the host's session message). */
  private currentBinding(): string | undefined {
    return this.sessionNonce === undefined ? undefined : signalBinding(this.sessionNonce, this.restartNonce);
  }

  /** Moves signals to a new binding (attempt or ICE restart); the current one becomes the stale one. */
  private rebind(sessionNonce: string | undefined, restartNonce?: string): void {
    const previous = this.currentBinding();
    if (previous !== undefined) this.stale = { binding: previous, sameAttempt: sessionNonce === this.sessionNonce };
    this.sessionNonce = sessionNonce;
    this.restartNonce = restartNonce;
    this.openedSignals = new Set();
    if (sessionNonce !== undefined) this.usedSessionNonces.add(sessionNonce);
  }

  private onSignal(payload: string): void {
    const role = this.role;
    if (!role) return;
    this.signalQueue = this.signalQueue.then(async () => {
      if (this.status.phase === 'failed' || this.status.phase === 'ended') return;
      if (this.pake && !this.peerKeys) {
        await this.onPakeMessage(payload);
        return;
      }
      const keys = this.peerKeys;
      if (!keys) {
        this.notify(new DuetError('signal-rejected', 'signal before keys'));
        return;
      }
      try {
        const signal = await this.openPeerSignal(keys.signalKey, otherRole(role), payload);
        if (signal === 'stale') return;
        if (signal.type === 'ice-restart') {
          this.onIceRestartAnnounced(signal.nonce);
          return;
        }
        if (signal.type === 'handshake') {
          this.onHandshakeSignal(signal.message);
          return;
        }
        if (signal.type === 'session') {
          // The host opening a new attempt while we still think the link is up: its side
          // broke first. Join the reconnection rather than wait for our link to notice.
          if (role === 'guest' && this.status.phase === 'secure') this.enterReconnecting(new DuetError('peer-connection-failed', 'the peer restarted the connection'));
          if (role !== 'guest' || (this.link && this.status.phase !== 'reconnecting')) throw new DuetError('signal-rejected', 'unexpected session nonce');
          // A new attempt (on reconnection it replaces any pending one).
          if (this.link) this.dropLinkKeepingKeys();
          this.rebind(signal.nonce);
          this.startPeerLink();
          return;
        }
        this.link?.signal(signal);
      } catch (error) {
        const rejected = toDuetError(error, 'signal-rejected');
        // Only someone without the room's keys (the server, or whoever controls it)
        // can produce a payload that does not open: stop rather than talk through them.
        // While reconnecting the resumed handshake still guards the door, so a notice
        // is enough, and the give-up timer bounds the wait.
        if (this.status.phase === 'reconnecting') this.notify(rejected);
        else this.fail(rejected);
      }
    });
  }

  /**
   * Opens a signal from the peer under the current binding (attempt nonce, plus the
   * latest ICE restart's). A guest also accepts a new session message while secure or
   * reconnecting. A late signal of the previous binding is reported as 'stale' (and
   * ignored); a payload opened before, or a session message naming a used nonce, is a
   * replay and refused (signal-rejected) like a signal from any other binding.
   */
  private async openPeerSignal(key: CryptoKey, sender: Role, payload: string): Promise<SignalData | 'stale'> {
    const current = this.currentBinding();
    const attempts: (string | undefined)[] = [current];
    const canRestart = this.status.phase === 'reconnecting' || this.status.phase === 'secure';
    if (canRestart && this.role === 'guest' && this.sessionNonce !== undefined) attempts.push(undefined);
    for (const binding of attempts) {
      let signal: SignalData;
      try {
        signal = await openSignal(key, sender, payload, binding);
      } catch {
        continue; // try the next binding
      }
      // The attempt moved on (a new one, or an ICE restart) while this was being opened:
      // it belongs to the one before, and must not reach the new attempt's link.
      if (binding !== undefined && binding !== this.currentBinding()) return 'stale';
      if (signal.type === 'session' && this.usedSessionNonces.has(signal.nonce)) throw new DuetError('signal-rejected', 'replayed session nonce');
      // AES-GCM IVs are random: the same IV under the same binding is the same payload again.
      const iv = payload.slice(0, 16);
      if (binding !== undefined) {
        if (this.openedSignals.has(iv)) throw new DuetError('signal-rejected', 'replayed signal');
        this.openedSignals.add(iv);
      }
      return signal;
    }
    // Rebound while this was being opened (a timer moved the attempt on): it may be the new one's.
    if (this.currentBinding() !== current) return this.openPeerSignal(key, sender, payload);
    // Only a reconnection races with its own previous attempt, and an ICE restart with
    // the late signals of the binding before it; elsewhere an old signal is a replay
    // and is refused like any other.
    const stale = this.stale;
    if (stale !== undefined && (this.status.phase === 'reconnecting' || stale.sameAttempt)) {
      const opened = await openSignal(key, sender, payload, stale.binding).then(
        () => true,
        () => false,
      );
      if (opened) return 'stale';
    }
    return openSignal(key, sender, payload, current);
  }

  private async onPakeMessage(payload: string): Promise<void> {
    const pake = this.pake!;
    let bytes: Bytes;
    try {
      bytes = fromBase64Url(payload);
    } catch {
      this.fail(new DuetError('code-mismatch', 'malformed PAKE message'));
      return;
    }
    const kind = bytes[0];
    const body = bytes.subarray(1) as Bytes;
    try {
      if (kind === PakeMessage.share && !pake.result && body.length === PAKE_SHARE_BYTES) {
        pake.result = await (await pake.party).finish(body);
        this.sendPakeMessage(PakeMessage.confirm, pake.result.localConfirm);
        return;
      }
      if (kind === PakeMessage.confirm && pake.result && body.length === PAKE_CONFIRM_BYTES) {
        if (!(await pake.result.verifyPeer(body))) throw new DuetError('code-mismatch', 'confirmation did not verify');
        // The short code matched: the PAKE secret now plays the part of the link's room secret.
        const keys = await deriveRoomKeys(pake.result.secret);
        this.peerKeys = { signalKey: keys.signalKey, psk: keys.psk };
        this.beginSignalSession();
        return;
      }
      throw new DuetError('code-mismatch', 'unexpected PAKE message');
    } catch (error) {
      this.fail(toDuetError(error, 'code-mismatch'));
    }
  }

  /**
   * Runs the handshake for `link` (its messages go out through `sendHandshake`, the
   * peer's come in through onSignal) and, once it is done and the link is up, makes
   * the conversation secure.
   */
  private async secureLink(
    link: PeerLink,
    role: Role,
    keys: Pick<RoomKeys, 'signalKey' | 'psk'>,
    /** True once the link is up; false if it ended first. */
    linkUp: Promise<boolean>,
    sendHandshake: (bytes: Bytes) => void,
  ): Promise<void> {
    // A new session's peer messages wait until its state is in place (the transcript hash
    // that identity proofs are checked against): the peer's records can arrive as soon as
    // the keys are agreed, before our own side of the link reports it is up.
    let sessionReady: (() => void) | undefined;
    if (this.status.phase !== 'reconnecting') {
      const gate = new Promise<void>((resolve) => (sessionReady = resolve));
      this.inbound = this.inbound.then(() => gate);
    }
    try {
      const identity = await this.identity;
      if (this.link !== link) return;
      const channel = new SecureChannel({
        role,
        identity,
        // Resuming, the secret of the last session stands in for the room's: only the
        // same two peers hold it, so nobody else can slip in while the link is down.
        psk: this.resumptionSecret ?? keys.psk,
        fingerprints: () => link.fingerprints(),
        sendHandshake,
        send: (bytes) => link.send(bytes),
        onMessage: (message) => this.onPeerMessage(message),
        onRejected: (error) => this.notify(error),
        config: this.options.handshake,
        clock: this.clock,
        random: this.random,
      });
      this.channel = channel;
      // Before any record can arrive: the peer's profile may come before ours is out.
      const introduced = new Promise<void>((resolve) => (this.onIntroduced = resolve));
      for (const message of this.earlyHandshake.splice(0)) channel.receiveHandshake(message);
      for (const frame of this.earlyFrames.splice(0)) channel.receive(frame);
      const [{ safetyCode, transcriptHash, resumptionSecret }, up] = await Promise.all([channel.establish(), linkUp]);
      if (this.link !== link || !up) return;
      this.resumptionSecret = resumptionSecret;
      if (this.status.phase === 'reconnecting') {
        this.cancelConnectTimer?.();
        this.onIntroduced = undefined;
        this.finishReconnecting(this.status.safetyCode);
        return;
      }
      this.transcriptHash = transcriptHash;
      sessionReady?.();
      this.startLiveness();
      const proof: IdentityProof | undefined = this.device ? await proveIdentity(this.device.identity, transcriptHash) : undefined;
      await channel.send({ type: 'profile', name: this.myName, ...(proof ? { identity: proof } : {}) });
      // Secure once the peer has introduced itself too: the status then names the peer in
      // one step, and the profile is not held up behind rendering an anonymous "secure".
      await introduced;
      if (this.link !== link) return;
      this.cancelConnectTimer?.();
      this.setStatus({ phase: 'secure', safetyCode });
    } catch (error) {
      if (this.link !== link) return;
      if (this.status.phase === 'reconnecting') {
        // Not our peer (someone else with the link?) or a broken attempt: keep waiting for the real one.
        this.notify(toDuetError(error, 'handshake-failed'));
        this.dropLinkKeepingKeys();
        return;
      }
      this.fail(toDuetError(error, 'handshake-failed'));
    } finally {
      sessionReady?.();
    }
  }

  /** A handshake message from the peer, through the server (sealed and bound like every signal). */
  private onHandshakeSignal(message: string): void {
    // Its attempt has ended (the peer left, or ours failed): like a late WebRTC signal, it has nothing left to do.
    if (!this.link) return;
    const bytes = fromBase64Url(message);
    if (this.channel) this.channel.receiveHandshake(bytes);
    else this.earlyHandshake.push(bytes);
  }

  private onPeerMessage(message: PeerMessage): void {
    this.lastHeardAt = this.clock.now();
    this.inbound = this.inbound.then(() => this.handlePeerMessage(message)).catch((error: unknown) => this.notify(toDuetError(error, 'record-malformed')));
  }

  private async handlePeerMessage(message: PeerMessage): Promise<void> {
    switch (message.type) {
      case 'profile':
        this.peerName = message.name;
        this.peerIdentity = message.identity ? await this.checkPeerIdentity(message.name, message.identity) : { kind: 'none' };
        this.onIntroduced?.();
        this.onIntroduced = undefined;
        this.changed();
        return;
      case 'chat':
        // Receipted even when it is a duplicate: the earlier receipt may have been lost.
        this.queueReceipt(message.id);
        this.setPeerTyping(false);
        if (this.messages.some((m) => m.from === 'peer' && m.id === message.id)) return;
        this.messages = [
          ...this.messages,
          {
            id: message.id,
            from: 'peer',
            name: this.peerName,
            text: message.text,
            sentAt: message.sentAt,
            position: this.nextPosition(),
            state: 'received',
          },
        ];
        this.changed();
        return;
      case 'receipt': {
        const ids = new Set(message.ids);
        this.updateOwnMessages((m) => (ids.has(m.id) && m.state !== 'delivered' ? { ...m, state: 'delivered', error: undefined } : m));
        return;
      }
      case 'typing':
        this.setPeerTyping(true);
        return;
      case 'keepalive':
        return;
      case 'bye':
        this.onPeerGone();
        return;
      case 'file-offer':
      case 'file-accept':
      case 'file-chunk':
      case 'file-end':
      case 'file-ack':
      case 'file-done':
      case 'file-cancel':
        await this.files.receive(message);
        return;
    }
  }

  private onLinkClosed(error?: DuetError): void {
    if (this.status.phase === 'ended' || this.status.phase === 'failed') return;
    const reason = error ?? new DuetError('peer-connection-failed', 'the data channel closed');
    if (this.status.phase === 'secure') {
      // The peer's last records (a goodbye, perhaps) may still be being decrypted:
      // let them finish before deciding. Without a goodbye, the network broke, not
      // the conversation.
      void this.afterInboundSettles().then(() => this.startReconnecting(reason));
      return;
    }
    if (this.status.phase === 'reconnecting') {
      // The data channel closed during an ICE restart: as from secure, on to a new connection.
      if (this.status.stage === 'ice-restart') void this.afterInboundSettles().then(() => this.startReconnecting(reason));
      else this.dropLinkKeepingKeys();
      return;
    }
    if (this.role === 'host' && this.invite) {
      // As when the guest leaves early: keep the room for a genuine guest, say what happened.
      this.teardownPeer();
      this.notify(reason);
      this.setStatus({ phase: 'waiting', invite: this.invite });
      return;
    }
    this.fail(reason);
  }

  private onPeerGone(): void {
    const phase = this.status.phase;
    if (phase === 'ended' || phase === 'failed' || phase === 'lobby') return;
    if (phase !== 'secure' && phase !== 'reconnecting') {
      if (this.role === 'host' && this.invite) {
        // The guest left before the conversation started: the room stays open for
        // someone else with the link, and the host is told an attempt failed.
        this.teardownPeer();
        this.notify(new DuetError('peer-left-early'));
        this.setStatus({ phase: 'waiting', invite: this.invite });
      } else {
        this.fail(new DuetError('peer-left-early'));
      }
      return;
    }
    // The peer said goodbye. We stay in the room, so if they come back with the same
    // link (a reloaded page) a new session can start.
    this.teardownPeer();
    this.stopReconnecting();
    this.resumptionSecret = undefined;
    this.setStatus({ phase: 'ended', reason: 'peer-left' });
  }

  /**
   * The link broke without a goodbye. Both sides come here; they find each other
   * again through the signaling server (reconnecting to it, and re-making the room
   * if the server restarted), open a new peer connection and run a resumed
   * handshake. The history, the outbox and the safety code stay.
   */
  private async afterInboundSettles(): Promise<void> {
    await this.channel?.settled();
    await this.inbound;
  }

  private startReconnecting(reason: DuetError): void {
    if (this.status.phase === 'reconnecting' && this.status.stage === 'ice-restart') {
      // The ICE restart did not do it: on to the next stage, the give-up timer keeps running.
      this.setStatus({ ...this.status, reason, stage: 'new-connection' });
      this.dropLinkKeepingKeys();
    } else if (!this.enterReconnecting(reason)) {
      return;
    }
    if (this.signaling) this.resumeWithPeer();
    else void this.reconnectSignaling();
  }

  /**
   * secure → reconnecting: starts the give-up timer. For a new connection the link is
   * dropped (the keys kept); an ICE restart keeps it, and the secure channel with it.
   */
  private enterReconnecting(reason: DuetError, stage: ReconnectStage = 'new-connection'): boolean {
    if (this.status.phase !== 'secure') return false;
    const safetyCode = this.status.safetyCode;
    if (stage === 'new-connection') this.dropLinkKeepingKeys();
    this.setStatus({ phase: 'reconnecting', safetyCode, reason, stage });
    const limitMs = this.options.reconnectTimeoutMs ?? DEFAULT_RECONNECT_TIMEOUT_MS;
    this.cancelGiveUp = this.clock.setTimeout(() => {
      const why = this.status.phase === 'reconnecting' ? this.status.reason.code : 'unknown';
      this.fail(new DuetError('reconnect-failed', `gave up after ${limitMs / 1000} s: ${why}`));
    }, limitMs);
    return true;
  }

  /**
   * ICE on the current link. Losing the path ('disconnected') while secure starts the
   * first stage of reconnection, an ICE restart on this same peer connection; its
   * path back ('connected' or 'completed') ends it, and the secure session simply
   * goes on. ('failed' is not seen here as a live link: simple-peer closes the
   * connection, and onLinkClosed goes on to a new one.)
   */
  private onIceStateChange(state: RTCIceConnectionState): void {
    const status = this.status;
    if (state === 'disconnected' && status.phase === 'secure') {
      this.startIceRestart(new DuetError('peer-connection-failed', 'the network path to the peer was lost (ICE disconnected)'));
    } else if ((state === 'connected' || state === 'completed') && status.phase === 'reconnecting' && status.stage === 'ice-restart') {
      this.iceRestartCount++;
      // Same data channel, same keys: nothing to negotiate again. The outbox goes again.
      this.finishReconnecting(status.safetyCode);
    }
  }

  /**
   * Both sides show "Reconnecting…" while their ICE path is down; the host leads the
   * restart (a fresh restart nonce, like the session nonce of an attempt), the guest,
   * which makes the offers, restarts ICE when the announcement arrives. If the path is
   * not back within the bound, a new peer connection takes over (startReconnecting).
   */
  private startIceRestart(reason: DuetError): void {
    if (!this.link || !this.channel || !this.enterReconnecting(reason, 'ice-restart')) return;
    // The restart is signalled through the server: without it (it went away while we
    // were secure) a new connection, which finds the server again, is the only way.
    if (!this.signaling) {
      this.startReconnecting(reason);
      return;
    }
    const limitMs = this.options.iceRestartTimeoutMs ?? DEFAULT_ICE_RESTART_TIMEOUT_MS;
    this.cancelIceRestart = this.clock.setTimeout(() => {
      this.cancelIceRestart = undefined;
      this.startReconnecting(new DuetError('peer-connection-failed', `an ICE restart did not reconnect within ${limitMs / 1000} s`));
    }, limitMs);
    if (this.role === 'host') this.announceIceRestart();
  }

  /** The host's announcement, sealed under the current binding; from now on signals are bound to the new one. */
  private announceIceRestart(): void {
    const keys = this.peerKeys;
    const binding = this.currentBinding();
    if (!keys || binding === undefined) return;
    const nonce = toBase64Url(this.random(16));
    this.rebind(this.sessionNonce, nonce);
    this.sendSealedSignal(keys.signalKey, 'host', { type: 'ice-restart', nonce }, binding);
  }

  /**
   * Seals a signal and sends it once every signal made before it is out: sealing runs
   * in parallel and may finish out of order, but the peer must get the attempt's nonce
   * before what it binds, and the handshake's messages in their order. Resolves once it
   * went out, or was dropped (no longer wanted, or the conversation failed).
   */
  private sendSealedSignal(key: CryptoKey, role: Role, signal: SignalData, binding: string | undefined, stillWanted: () => boolean = () => true): Promise<void> {
    const sealed = sealSignal(key, role, signal, this.random, binding);
    sealed.catch(() => {}); // handled in turn below
    this.outgoingSignals = this.outgoingSignals.then(
      () => sealed.then((payload) => {
        if (stillWanted()) this.signaling?.send({ type: 'signal', payload });
      }),
    ).catch((error: unknown) => this.fail(toDuetError(error, 'signal-rejected')));
    return this.outgoingSignals;
  }

  /** The secure channel is the conversation's (secure, or being kept through an ICE restart). */
  private get channelLive(): boolean {
    const status = this.status;
    return status.phase === 'secure' || (status.phase === 'reconnecting' && status.stage === 'ice-restart');
  }

  /** (Guest) the host restarts ICE: our link makes the offer with fresh ICE credentials. */
  private onIceRestartAnnounced(nonce: string): void {
    if (this.role !== 'guest' || !this.link || !this.channel || !this.channelLive) throw new DuetError('signal-rejected', 'unexpected ICE restart');
    this.rebind(this.sessionNonce, nonce);
    this.link.restartIce();
  }

  /**
   * The peer is (back) in the room: the host opens a fresh attempt (new nonce, new
   * peer connection, replacing any attempt still pending); the guest waits for it.
   */
  private resumeWithPeer(): void {
    if (this.status.phase !== 'reconnecting' || this.role !== 'host') return;
    this.dropLinkKeepingKeys();
    this.beginSignalSession();
  }

  /** Reconnects to the signaling server with backoff, then asks for the room again. */
  private async reconnectSignaling(): Promise<void> {
    let delay = FIRST_RETRY_MS;
    while (this.status.phase === 'reconnecting' && !this.signaling) {
      try {
        const signaling = await this.openSignaling();
        if (this.status.phase !== 'reconnecting') {
          signaling.close();
          return;
        }
        this.signaling = signaling;
        if (this.roomId) signaling.send({ type: 'join', room: this.roomId });
        return;
      } catch {
        await sleep(this.clock, delay);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    }
  }

  private finishReconnecting(safetyCode: string): void {
    this.stopReconnecting();
    this.setStatus({ phase: 'secure', safetyCode });
    this.startLiveness();
    // The outbox: everything not yet acknowledged goes again, in order, with the same
    // ids (the peer drops what it already has and acknowledges it again).
    const outbox = this.messages.filter((m) => m.from === 'me' && m.state !== 'delivered');
    this.updateOwnMessages((m) => (outbox.includes(m) ? { ...m, state: 'sending', error: undefined } : m));
    for (const message of outbox) void this.transmit(message);
  }

  /**
   * Every few seconds: say something if we have been quiet, and give up on a peer
   * that has been silent too long. A check that itself ran late (a suspended laptop,
   * a throttled background tab) proves nothing about the peer, so it starts over.
   */
  private startLiveness(): void {
    this.cancelLiveness?.();
    let lastCheck = this.clock.now();
    this.lastHeardAt = lastCheck;
    const check = () => {
      if (this.status.phase !== 'secure') return;
      const now = this.clock.now();
      if (now - lastCheck > 2 * KEEPALIVE_INTERVAL_MS) this.lastHeardAt = now;
      lastCheck = now;
      if (now - this.lastHeardAt > SILENCE_LIMIT_MS) {
        this.startReconnecting(new DuetError('peer-connection-failed', `nothing from the peer for ${SILENCE_LIMIT_MS / 1000} s`));
        return;
      }
      if (this.channel && now - this.channel.lastSentAt >= KEEPALIVE_INTERVAL_MS) void this.channel.send({ type: 'keepalive' }).catch(() => {});
      this.cancelLiveness = this.clock.setTimeout(check, KEEPALIVE_INTERVAL_MS);
    };
    this.cancelLiveness = this.clock.setTimeout(check, KEEPALIVE_INTERVAL_MS);
  }

  private stopReconnecting(): void {
    this.cancelGiveUp?.();
    this.cancelGiveUp = undefined;
    this.cancelIceRestart?.();
    this.cancelIceRestart = undefined;
  }

  /** Closes the peer connection but keeps what the next attempt needs (signal key, resumption secret). */
  private dropLinkKeepingKeys(): void {
    const keys = this.peerKeys;
    this.teardownPeer();
    this.peerKeys = keys;
    // Without a link there is nothing to restart ICE on: the next stage is a new connection.
    if (this.status.phase === 'reconnecting' && this.status.stage === 'ice-restart') this.setStatus({ ...this.status, stage: 'new-connection' });
  }

  /**
   * Someone joined a room whose conversation ended (typically the same person after
   * reloading the page). It is a new session: a fresh handshake, a new safety code,
   * the peer's identity checked again. We are the one in the room, so we lead it.
   */
  private startNewSession(via: JoinVia): void {
    this.role = 'host';
    this.peerName = '';
    this.peerIdentity = { kind: 'none' };
    this.verified = false;
    this.resumptionSecret = undefined;
    this.notify(new DuetError('new-session'));
    this.onPeerPresent(this.roomId ?? '', via);
  }

  /** Verifies the peer's identity proof for this session and compares it with what this device remembers. */
  private async checkPeerIdentity(name: string, proof: IdentityProof): Promise<PeerIdentity> {
    if (!this.transcriptHash) return { kind: 'invalid', acknowledged: false };
    let publicKey: Bytes;
    try {
      publicKey = await verifyIdentity(proof, this.transcriptHash);
    } catch (error) {
      this.notify(toDuetError(error, 'identity-invalid'));
      return { kind: 'invalid', acknowledged: false };
    }
    this.peerPublicKey = publicKey;
    const fingerprint = await identityFingerprint(publicKey);
    const store = this.device?.store;
    if (!store) return { kind: 'unchecked', fingerprint };
    try {
      const known = await store.getPeer(name);
      if (!known) {
        await store.putPeer(name, { publicKey, verified: false, firstSeen: this.clock.now() });
        return { kind: 'new', fingerprint };
      }
      if (bytesEqual(known.publicKey, publicKey)) return { kind: 'known', fingerprint, verified: known.verified };
      return { kind: 'changed', fingerprint, acknowledged: false };
    } catch (error) {
      this.notify(toDuetError(error, 'storage-unavailable'));
      return { kind: 'unchecked', fingerprint };
    }
  }

  /** The person chose to go on despite the identity warning; a changed key is remembered from now on. */
  async acknowledgeIdentityWarning(): Promise<void> {
    const identity = this.peerIdentity;
    if (identity.kind !== 'changed' && identity.kind !== 'invalid') return;
    this.peerIdentity = { ...identity, acknowledged: true };
    this.changed();
    if (identity.kind === 'changed' && this.peerPublicKey) {
      await this.rememberPeer(false).catch((error: unknown) => this.notify(toDuetError(error, 'storage-unavailable')));
    }
  }

  private async rememberPeer(verified: boolean): Promise<void> {
    if (!this.device || !this.peerPublicKey || !this.peerName) return;
    const known = await this.device.store.getPeer(this.peerName);
    const sameKey = known && bytesEqual(known.publicKey, this.peerPublicKey);
    await this.device.store.putPeer(this.peerName, {
      publicKey: this.peerPublicKey,
      verified,
      firstSeen: sameKey ? known.firstSeen : this.clock.now(),
    });
  }

  /**
   * Sends a chat message: it shows at once as "sending", then "sent" once on the
   * wire and "delivered" on the peer's receipt. Throws a DuetError (and shows
   * nothing) if it cannot be sent at all; a message that fails on the way stays,
   * marked failed with the error, for retry().
   */
  async send(text: string): Promise<void> {
    // While reconnecting there is no channel, but the message waits in the outbox.
    if (!this.canSend || (this.status.phase === 'secure' && !this.channel)) throw new DuetError('not-connected');
    if (text.trim().length === 0) return;
    if (text.length > MAX_MESSAGE_LENGTH) throw new DuetError('message-too-long', `${text.length} characters`);
    const message: ChatMessage = {
      id: this.newMessageId(),
      from: 'me',
      name: this.myName,
      text,
      sentAt: this.clock.now(),
      position: this.nextPosition(),
      state: 'sending',
    };
    this.messages = [...this.messages, message];
    this.changed();
    // The peer stops showing "typing" when this arrives, so the next keystroke may say so again.
    this.lastTypingSent = Number.NEGATIVE_INFINITY;
    // While reconnecting it waits in the outbox and goes out once the session resumes.
    if (this.status.phase === 'secure') await this.transmit(message);
  }

  /** Sends a failed message again, with the same id (the peer drops duplicates). */
  async retry(id: string): Promise<void> {
    const message = this.messages.find((m) => m.from === 'me' && m.id === id && m.state === 'failed');
    if (!message) return;
    if (!this.channel || !this.canSend) throw new DuetError('not-connected');
    this.updateOwnMessages((m) => (m.id === id ? { ...m, state: 'sending', error: undefined } : m));
    await this.transmit(message);
  }

  /** Puts a message on the wire; a failure is recorded on the message itself, where the person sees it. */
  private async transmit(message: ChatMessage): Promise<void> {
    try {
      if (!this.channel) throw new DuetError('not-connected');
      await this.channel.send({ type: 'chat', id: message.id, text: message.text, sentAt: message.sentAt });
      this.updateOwnMessages((m) => (m.id === message.id && m.state === 'sending' ? { ...m, state: 'sent' } : m));
    } catch (error) {
      const failure = toDuetError(error, 'not-connected');
      this.updateOwnMessages((m) => (m.id === message.id && m.state === 'sending' ? { ...m, state: 'failed', error: failure } : m));
    }
  }

  private updateOwnMessages(update: (message: ChatMessage) => ChatMessage): void {
    let touched = false;
    this.messages = this.messages.map((m) => {
      if (m.from !== 'me') return m;
      const next = update(m);
      touched ||= next !== m;
      return next;
    });
    if (touched) this.changed();
  }

  private queueReceipt(id: string): void {
    this.pendingReceipts.push(id);
    // One receipt record for a burst of messages.
    if (this.pendingReceipts.length === 1) queueMicrotask(() => this.flushReceipts());
  }

  private flushReceipts(): void {
    while (this.pendingReceipts.length > 0) {
      const ids = this.pendingReceipts.splice(0, MAX_RECEIPT_IDS);
      this.channel?.send({ type: 'receipt', ids }).catch((error: unknown) => this.notify(toDuetError(error, 'not-connected')));
    }
  }

  /** Tells the peer this side is typing; at most once every few seconds. */
  notifyTyping(): void {
    const now = this.clock.now();
    if (!this.channel || !this.canSend || now - this.lastTypingSent < TYPING_SEND_INTERVAL_MS) return;
    this.lastTypingSent = now;
    this.channel.send({ type: 'typing' }).catch(() => {
      // Typing hints are best effort: losing one changes nothing the person relies on.
    });
  }

  private setPeerTyping(typing: boolean): void {
    this.cancelTypingTimer?.();
    this.cancelTypingTimer = typing ? this.clock.setTimeout(() => this.setPeerTyping(false), TYPING_SHOWN_MS) : undefined;
    if (this.peerTyping === typing) return;
    this.peerTyping = typing;
    this.changed();
  }

  /** Leaves the conversation and tells the peer, as far as it can be told. */
  leave(): void {
    if (this.status.phase === 'lobby') return;
    this.channel?.sayGoodbye();
    this.stopReconnecting();
    this.signaling?.send({ type: 'leave' });
    this.teardownPeer();
    this.signaling?.close();
    this.signaling = undefined;
    if (this.status.phase !== 'failed') this.setStatus({ phase: 'ended', reason: 'you-left' });
  }

  /**
   * Diagnostics and test hook: breaks the peer connection the way a network
   * failure would (no goodbye), so both sides go through reconnection.
   */
  simulateConnectionLoss(): void {
    const link = this.link;
    if (!link) return;
    link.destroy();
    this.onLinkClosed(new DuetError('peer-connection-failed', 'simulated connection loss'));
  }

  /** Files can be offered while the conversation is secure (not while reconnecting: a transfer needs the link). */
  get canSendFiles(): boolean {
    return this.status.phase === 'secure' && this.channel !== undefined && !this.identityWarningPending;
  }

  get transfers(): readonly FileTransfer[] {
    return this.files.list;
  }

  /** Offers a file; throws DuetError('not-connected') when no file can be sent now. */
  async sendFile(source: FileSource): Promise<void> {
    if (!this.canSendFiles) throw new DuetError('not-connected');
    await this.files.offer(source);
  }

  acceptFile(id: string, sink: FileSink): Promise<void> {
    return this.files.accept(id, sink);
  }

  declineFile(id: string): Promise<void> {
    return this.files.decline(id);
  }

  cancelFile(id: string): Promise<void> {
    return this.files.cancel(id);
  }

  async retryFile(id: string): Promise<void> {
    if (!this.canSendFiles) throw new DuetError('not-connected');
    await this.files.retry(id);
  }

  /**
   * Diagnostics (also for the end-to-end tests): peer connections made and ICE
   * restarts completed in this conversation, the ICE state and the UDP ports of the
   * current peer connection's local candidates.
   */
  async diagnostics(): Promise<{ peerConnections: number; iceRestarts: number; iceState: RTCIceConnectionState; localPorts: number[] }> {
    // The link keeps its own ICE state and candidates; without one there is neither.
    const { iceState, localPorts } = this.link ? await this.link.diagnostics() : { iceState: 'new' as const, localPorts: [] };
    return { peerConnections: this.peerConnectionCount, iceRestarts: this.iceRestartCount, iceState, localPorts };
  }

  /** The person compared the safety codes with their peer and they matched. */
  markVerified(): void {
    if (this.status.phase !== 'secure') return;
    this.verified = true;
    const identity = this.peerIdentity;
    if (identity.kind === 'new' || identity.kind === 'known' || (identity.kind === 'changed' && identity.acknowledged)) {
      this.peerIdentity = { kind: 'known', fingerprint: identity.fingerprint, verified: true };
      // Remembered, so next time this device already knows the codes were compared.
      void this.rememberPeer(true).catch((error: unknown) => this.notify(toDuetError(error, 'storage-unavailable')));
    }
    this.changed();
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

  /** Forgets everything about the current peer; the room (and invite) stay. */
  private teardownPeer(): void {
    this.cancelConnectTimer?.();
    this.cancelConnectTimer = undefined;
    this.onIntroduced = undefined;
    this.pake = undefined;
    this.peerKeys = undefined;
    this.rebind(undefined);
    this.cancelIceRestart?.();
    this.cancelIceRestart = undefined;
    this.channel?.close();
    this.channel = undefined;
    this.earlyFrames = [];
    this.earlyHandshake = [];
    this.pendingReceipts = [];
    this.cancelTypingTimer?.();
    this.cancelTypingTimer = undefined;
    this.peerTyping = false;
    this.cancelLiveness?.();
    this.cancelLiveness = undefined;
    // A transfer needs this very channel: it fails (the sender can send it again).
    this.files.interruptAll();
    const link = this.link;
    this.link = undefined;
    link?.destroy();
  }

  private fail(error: DuetError): void {
    this.stopReconnecting();
    this.teardownPeer();
    this.signaling?.close();
    this.signaling = undefined;
    this.setStatus({ phase: 'failed', error });
  }
}
