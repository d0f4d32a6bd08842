/**
 * Connector: finds the peer and keeps the conversation connected. It routes what the
 * signaling server says to the right unit, agrees on keys (the link's, or a short
 * code's through the PAKE), runs one ConnectionAttempt per session nonce, and restores
 * a broken connection by carrying out the Reconnector's commands. Every status change
 * goes through the phase table; every teardown through clearPeer().
 */
import type { JoinVia, ServerMessage } from '../../signaling/protocol.ts';
import { type Bytes, type RandomSource, fromBase64Url } from '../core/bytes.ts';
import type { Clock } from '../core/clock.ts';
import { DuetError, isErrorCode, toDuetError } from '../core/errors.ts';
import type { RsaIdentity } from '../core/handshake.ts';
import type { PeerMessage } from '../core/messages.ts';
import { type Role, otherRole } from '../core/roles.ts';
import type { SignalData } from '../core/signal-seal.ts';
import type { PeerLinkDiagnostics } from '../transport/peer-link.ts';
import { type AttemptSecured, ConnectionAttempt } from './attempt.ts';
import type { Conversation } from './conversation.ts';
import type { DiagnosticCounters } from './diagnostics.ts';
import type { FileTransfers } from './file-transfers.ts';
import { Liveness } from './liveness.ts';
import type { PeerTrust } from './peer-trust.ts';
import type { Invite, PhaseMachine } from './phases.ts';
import { type ReconnectCommand, type ReconnectEvent, Reconnector } from './reconnector.ts';
import { type Entry, RoomEntry } from './room-entry.ts';
import type { SessionOptions } from './session.ts';
import { type PeerKeys, ShortCodeExchange } from './short-code-exchange.ts';
import { SignalBinding } from './signal-binding.ts';

const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

export interface ConnectorHost {
  options: SessionOptions;
  clock: Clock;
  random: RandomSource;
  identity: Promise<RsaIdentity>;
  phases: PhaseMachine;
  conversation: Conversation;
  trust: PeerTrust;
  files: FileTransfers;
  counters: DiagnosticCounters;
  notify(error: DuetError): void;
  changed(): void;
  myName(): string;
  setPeerName(name: string): void;
  role(): Role | undefined;
  /** Whoever stays in the room leads a new session there. */
  becomeHost(): void;
}

export class Connector {
  private readonly room: RoomEntry;
  private readonly binding: SignalBinding;
  private readonly reconnector: Reconnector;
  private readonly liveness: Liveness;
  private readonly phases: PhaseMachine;
  /** The keys sealing signals and binding the handshake for the current peer. */
  private peerKeys: PeerKeys | undefined;
  private shortCode: ShortCodeExchange | undefined;
  private attempt: ConnectionAttempt | undefined;
  private transcriptHash: Bytes | undefined;
  /** From the last secure session: lets the same two peers resume after a broken connection. */
  private resumptionSecret: Bytes | undefined;
  /** Called when the peer's profile, its first record after a handshake, has been handled. */
  private onIntroduced: (() => void) | undefined;
  private cancelConnectTimer: (() => void) | undefined;
  private cancelReconnectTick: (() => void) | undefined;
  /** Peer messages are handled one at a time, so the identity check finishes before any chat shows. */
  private inbound: Promise<void> = Promise.resolve();
  /** Signals from the peer, opened strictly in arrival order. */
  private signalQueue: Promise<void> = Promise.resolve();

  constructor(private readonly host: ConnectorHost) {
    const { options, random, clock } = host;
    this.phases = host.phases;
    this.room = new RoomEntry(
      {
        message: (message) => this.onServerMessage(message),
        invalid: (error) => host.notify(error),
        closed: () => this.onSignalingClosed(),
        roomReady: (invite) => this.phases.dispatch({ type: 'room-ready', invite }),
        failed: (error) => this.fail(error),
      },
      { signalingUrl: options.signalingUrl, appUrl: options.appUrl, transport: options.transport, random },
    );
    this.binding = new SignalBinding({
      random,
      deliver: (payload) => this.room.send({ type: 'signal', payload }),
      failed: (error) => this.fail(error),
      policy: () => ({
        acceptUnbound: host.role() === 'guest' && this.phases.is('secure', 'reconnecting'),
        reconnecting: this.phases.is('reconnecting'),
      }),
    });
    this.reconnector = new Reconnector({
      ...(options.reconnectTimeoutMs !== undefined ? { giveUpMs: options.reconnectTimeoutMs } : {}),
      ...(options.iceRestartTimeoutMs !== undefined ? { iceRestartMs: options.iceRestartTimeoutMs } : {}),
    });
    this.liveness = new Liveness({
      clock,
      active: () => this.phases.is('secure'),
      lastSentAt: () => this.attempt?.channel?.lastSentAt ?? 0,
      sendKeepalive: () => void this.attempt?.channel?.send({ type: 'keepalive' }).catch(() => {}),
      silent: (reason) => this.react({ type: 'link-lost', reason, signalingUp: this.room.connected }),
    });
  }

  get invite(): Invite | undefined {
    return this.room.invite;
  }

  get hasChannel(): boolean {
    return this.attempt?.channel !== undefined;
  }

  /** The secure channel is the conversation's (secure, or being kept through an ICE restart). */
  get channelLive(): boolean {
    const status = this.phases.status;
    return status.phase === 'secure' || (status.phase === 'reconnecting' && status.stage === 'ice-restart');
  }

  /** The current link's ICE state and local ports (undefined without a link). */
  linkDiagnostics(): Promise<PeerLinkDiagnostics> | undefined {
    return this.attempt?.diagnostics();
  }

  send(message: PeerMessage): Promise<void> {
    const channel = this.attempt?.channel;
    return channel ? channel.send(message) : Promise.reject(new DuetError('not-connected'));
  }

  drained(): Promise<void> {
    return this.attempt?.drained() ?? Promise.resolve();
  }

  readInvite(input: string): Promise<Entry> {
    return this.room.readInvite(input);
  }

  createRoom(): Promise<void> {
    return this.room.create();
  }

  joinRoom(entry: Entry): Promise<void> {
    return this.room.join(entry, () => this.phases.dispatch({ type: 'join-sent' }));
  }

  private onServerMessage(message: Exclude<ServerMessage, { type: 'created' }>): void {
    switch (message.type) {
      case 'joined':
      case 'peer-joined':
        if (this.phases.is('reconnecting')) this.resumeWithPeer();
        // The peer rejoined the room while we thought the link was fine: its side broke.
        else if (this.phases.is('secure')) this.react({ type: 'link-lost', reason: new DuetError('peer-connection-failed', 'the peer came back to the room'), signalingUp: true });
        else if (message.type === 'peer-joined' && this.phases.status.phase === 'ended' && this.phases.status.reason === 'peer-left') this.startNewSession(message.via);
        else this.onPeerPresent(message.type === 'joined' ? (this.room.entry?.kind === 'short' ? 'short' : 'link') : message.via);
        return;
      case 'signal':
        this.onSignal(message.payload);
        return;
      case 'peer-left':
        // Once the conversation is secure it runs peer to peer: the server saying the
        // peer left (a network blip, or a server that wants to end chats) is not
        // proof. The data channel closing, or the peer's authenticated bye, is.
        if (!this.phases.is('secure', 'reconnecting')) this.onPeerGone();
        return;
      case 'error':
        this.onServerError(message.code);
        return;
    }
  }

  /** Both people are in the room: agree on keys (directly, or by PAKE), then connect. */
  private onPeerPresent(via: JoinVia): void {
    const role = this.host.role();
    if (this.attempt || this.shortCode || !role || !this.phases.dispatch({ type: 'peer-present' })) return;
    this.startConnectTimer();
    if (via === 'link') {
      if (!this.room.roomKeys) {
        this.fail(new DuetError('handshake-failed', 'the server claims a link join in a short-code room'));
        return;
      }
      this.peerKeys = this.room.roomKeys;
      this.beginAttempt();
      return;
    }
    const code = this.room.shortCode;
    if (!code) {
      this.fail(new DuetError('code-mismatch', 'no short code in this room'));
      return;
    }
    this.shortCode = new ShortCodeExchange(
      {
        send: (payload) => this.room.send({ type: 'signal', payload }),
        agreed: (keys) => {
          this.peerKeys = keys;
          this.beginAttempt();
        },
        failed: (error) => this.fail(error),
      },
      { role, ...code, roomId: this.room.roomId ?? '', random: this.host.random },
    );
  }

  private startConnectTimer(): void {
    this.cancelConnectTimer?.();
    this.cancelConnectTimer = this.host.clock.setTimeout(() => {
      this.cancelConnectTimer = undefined;
      if (this.phases.is('connecting')) this.fail(new DuetError(this.shortCode?.pending ? 'handshake-timeout' : 'peer-unreachable'));
      // Connected and keys agreed, but the peer never introduced itself (its first record).
      if (this.phases.is('securing')) this.fail(new DuetError('handshake-timeout', 'no profile from the peer'));
    }, this.host.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  }

  private onServerError(code: string): void {
    const error = isErrorCode(code) ? new DuetError(code) : new DuetError('server-error', code);
    const roomId = this.room.roomId;
    if (this.phases.is('reconnecting')) {
      // Finding the room again: the server may have restarted (no room: make it again),
      // the peer may have made it first (join it), or the peer is not back yet (wait).
      if (code === 'room-not-found' && roomId) this.room.send({ type: 'create', room: roomId });
      else if (code === 'room-exists' && roomId) this.room.send({ type: 'join', room: roomId });
      else if (code !== 'no-peer' && code !== 'already-in-room') this.host.notify(error);
      return;
    }
    // A signal of an attempt that has just ended reached the server after the peer left
    // (its 'peer-left' came first and we wait again): nobody missed anything.
    if (code === 'no-peer' && this.phases.is('waiting')) return;
    // Before the peer connection exists, a server refusal ends the attempt (room full,
    // no such room); afterwards it is only a notice.
    if (this.phases.is('opening', 'waiting') || (this.phases.is('connecting') && !this.attempt && !this.shortCode)) this.fail(error);
    else this.host.notify(error);
  }

  private onSignalingClosed(): void {
    if (this.phases.is('reconnecting')) {
      this.react({ type: 'signaling-closed' });
      return;
    }
    // Once the data channel is up the server is no longer needed.
    if (this.phases.is('secure', 'ended', 'failed')) return;
    // The handshake runs through the server: without it, only a finished one can go on.
    if (this.phases.is('securing') && this.attempt?.channel?.established) return;
    this.fail(new DuetError('signaling-lost'));
  }

  /**
   * Keys are agreed. The host opens the attempt with a fresh nonce that binds every
   * later signal, so nothing recorded from an earlier attempt can be replayed; the
   * guest starts once it has that nonce.
   */
  private beginAttempt(): void {
    const keys = this.peerKeys;
    if (this.host.role() !== 'host' || !keys) return;
    const nonce = this.binding.newAttempt();
    // The nonce goes out before the host makes its peer connection (several milliseconds of
    // main thread, which would hold the nonce back): the guest, who makes the offer, starts
    // that much sooner. The offer cannot come first: the link is made right after the send,
    // before this page handles any later message.
    void this.binding.seal(keys.signalKey, 'host', { type: 'session', nonce }, undefined).then(() => {
      if (this.binding.attempt === nonce && this.phases.is('connecting', 'reconnecting')) this.startAttempt();
    });
  }

  /**
   * The guest makes the WebRTC offer. Signals are sealed with the peer keys and the
   * session nonce. The handshake starts with the link and runs through the same
   * sealed signals, so it is done by the time the data channel opens.
   */
  private startAttempt(): void {
    const role = this.host.role();
    const keys = this.peerKeys;
    const nonce = this.binding.attempt;
    if (this.attempt || !role || !keys || nonce === undefined) return;
    const { options, clock, random } = this.host;
    const attempt: ConnectionAttempt = new ConnectionAttempt(
      {
        sendSignal: (signal) => {
          // Bound to the attempt, and to its latest ICE restart if there was one.
          const binding = this.binding.attempt === nonce ? this.binding.current()! : nonce;
          void this.binding.seal(keys.signalKey, role, signal, binding, () => this.attempt === attempt);
        },
        linkUp: () => {
          // A resumed session stays "reconnecting" (with its safety code) until it is secure again.
          this.phases.dispatch({ type: 'link-up' });
        },
        secured: (result) => this.onSecured(attempt, result),
        failed: (error) => this.onAttemptFailed(error),
        closed: (error) => this.onLinkClosed(error),
        iceState: (state) => this.onIceStateChange(state),
        message: (message) => this.onPeerMessage(message),
        rejected: (error) => this.host.notify(error),
      },
      {
        role,
        identity: this.host.identity,
        // Resuming, the secret of the last session stands in for the room's: only the
        // same two peers hold it, so nobody else can slip in while the link is down.
        psk: this.resumptionSecret ?? keys.psk,
        iceServers: options.iceServers,
        handshake: options.handshake,
        clock,
        random,
        createPeerLink: (linkOptions) => options.transport.createPeerLink(linkOptions),
      },
    );
    this.attempt = attempt;
    try {
      attempt.start();
      this.host.counters.peerConnections++;
    } catch (error) {
      this.fail(toDuetError(error, 'peer-connection-failed'));
    }
  }

  private onSecured(attempt: ConnectionAttempt, result: AttemptSecured): void {
    this.resumptionSecret = result.resumptionSecret;
    if (this.phases.is('reconnecting')) {
      this.cancelConnectTimer?.();
      this.onIntroduced = undefined;
      this.finishReconnecting();
      return;
    }
    // Set before any of the peer's records is handled (the attempt holds them until now):
    // identity proofs are checked against it.
    this.transcriptHash = result.transcriptHash;
    this.liveness.start();
    const introduced = new Promise<void>((resolve) => (this.onIntroduced = resolve));
    void this.introduce(attempt, result, introduced);
  }

  /** Sends our profile, then waits for the peer's: the status then names the peer in one step. */
  private async introduce(attempt: ConnectionAttempt, result: AttemptSecured, introduced: Promise<void>): Promise<void> {
    try {
      const proof = await this.host.trust.prove(result.transcriptHash);
      await this.send({ type: 'profile', name: this.host.myName(), ...(proof ? { identity: proof } : {}) });
      await introduced;
      if (this.attempt !== attempt) return;
      this.cancelConnectTimer?.();
      this.phases.dispatch({ type: 'secured', safetyCode: result.safetyCode });
    } catch (error) {
      if (this.attempt === attempt) this.onAttemptFailed(toDuetError(error, 'handshake-failed'));
    }
  }

  private onAttemptFailed(error: DuetError): void {
    if (this.phases.is('reconnecting')) {
      // Not our peer (someone else with the link?) or a broken attempt: keep waiting for the real one.
      this.host.notify(error);
      this.dropLink();
      return;
    }
    this.fail(error);
  }

  private onSignal(payload: string): void {
    const role = this.host.role();
    if (!role) return;
    this.signalQueue = this.signalQueue.then(async () => {
      if (this.phases.is('failed', 'ended')) return;
      if (this.shortCode?.pending) {
        await this.shortCode.receive(payload);
        return;
      }
      const keys = this.peerKeys;
      if (!keys) {
        this.host.notify(new DuetError('signal-rejected', 'signal before keys'));
        return;
      }
      try {
        const signal = await this.binding.open(keys.signalKey, otherRole(role), payload);
        if (signal !== 'stale') this.onPeerSignal(role, signal);
      } catch (error) {
        const rejected = toDuetError(error, 'signal-rejected');
        // Only someone without the room's keys (the server, or whoever controls it)
        // can produce a payload that does not open: stop rather than talk through them.
        // While reconnecting the resumed handshake still guards the door, so a notice
        // is enough, and the give-up timer bounds the wait.
        if (this.phases.is('reconnecting')) this.host.notify(rejected);
        else this.fail(rejected);
      }
    });
  }

  private onPeerSignal(role: Role, signal: SignalData): void {
    switch (signal.type) {
      case 'ice-restart':
        // (Guest) the host restarts ICE: our link makes the offer with fresh ICE credentials.
        if (role !== 'guest' || !this.attempt?.channel || !this.channelLive) throw new DuetError('signal-rejected', 'unexpected ICE restart');
        this.binding.follow(signal);
        this.attempt.restartIce();
        return;
      case 'handshake':
        // Its attempt has ended (the peer left, or ours failed): like a late WebRTC signal, it has nothing left to do.
        this.attempt?.receiveHandshake(fromBase64Url(signal.message));
        return;
      case 'session':
        // The host opening a new attempt while we still think the link is up: its side
        // broke first. Join the reconnection rather than wait for our link to notice.
        if (role === 'guest' && this.phases.is('secure')) this.react({ type: 'link-lost', reason: new DuetError('peer-connection-failed', 'the peer restarted the connection'), signalingUp: true });
        if (role !== 'guest' || (this.attempt && !this.phases.is('reconnecting'))) throw new DuetError('signal-rejected', 'unexpected session nonce');
        // A new attempt (on reconnection it replaces any pending one).
        if (this.attempt) this.dropLink();
        this.binding.follow(signal);
        this.startAttempt();
        return;
      default:
        this.attempt?.signal(signal);
    }
  }

  private onPeerMessage(message: PeerMessage): void {
    this.liveness.heard();
    this.inbound = this.inbound.then(() => this.handlePeerMessage(message)).catch((error: unknown) => this.host.notify(toDuetError(error, 'record-malformed')));
  }

  private async handlePeerMessage(message: PeerMessage): Promise<void> {
    const { conversation } = this.host;
    switch (message.type) {
      case 'profile':
        this.host.setPeerName(message.name);
        await this.host.trust.checkPeer(message.name, message.identity, this.transcriptHash);
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
        this.onPeerGone();
        return;
      default:
        await this.host.files.receive(message);
    }
  }

  private onLinkClosed(error: DuetError | undefined): void {
    if (this.phases.is('ended', 'failed')) return;
    const reason = error ?? new DuetError('peer-connection-failed', 'the data channel closed');
    const status = this.phases.status;
    // The peer's last records (a goodbye, perhaps) may still be being decrypted: let
    // them finish before deciding. Without a goodbye, the network broke, not the
    // conversation. (The data channel closing during an ICE restart: likewise.)
    if (status.phase === 'secure' || (status.phase === 'reconnecting' && status.stage === 'ice-restart')) {
      void this.afterInboundSettles().then(() => this.react({ type: 'link-lost', reason, signalingUp: this.room.connected }));
      return;
    }
    if (status.phase === 'reconnecting') {
      this.dropLink();
      return;
    }
    this.onGuestGoneEarly(reason);
  }

  private async afterInboundSettles(): Promise<void> {
    await this.attempt?.settled();
    await this.inbound;
  }

  private onPeerGone(): void {
    if (this.phases.is('ended', 'failed', 'lobby')) return;
    if (!this.phases.is('secure', 'reconnecting')) {
      this.onGuestGoneEarly(new DuetError('peer-left-early'));
      return;
    }
    // The peer said goodbye. We stay in the room, so if they come back with the same
    // link (a reloaded page) a new session can start.
    this.clearPeer();
    this.react({ type: 'stop' });
    this.resumptionSecret = undefined;
    this.phases.dispatch({ type: 'peer-left' });
  }

  /** The peer went before the conversation started: a host keeps the room for a genuine guest and says what happened. */
  private onGuestGoneEarly(reason: DuetError): void {
    const invite = this.room.invite;
    if (this.host.role() !== 'host' || !invite) {
      this.fail(reason);
      return;
    }
    this.clearPeer();
    this.host.notify(reason);
    this.phases.dispatch({ type: 'guest-left-early', invite });
  }

  /**
   * ICE on the current link. Losing the path ('disconnected') while secure starts the
   * first stage of reconnection, an ICE restart on this same peer connection; its
   * path back ('connected' or 'completed') ends it, and the secure session simply
   * goes on. ('failed' is not seen here as a live link: simple-peer closes the
   * connection, and onLinkClosed goes on to a new one.)
   */
  private onIceStateChange(state: RTCIceConnectionState): void {
    const status = this.phases.status;
    if (state === 'disconnected' && status.phase === 'secure' && this.attempt?.channel) {
      this.react({ type: 'ice-lost', reason: new DuetError('peer-connection-failed', 'the network path to the peer was lost (ICE disconnected)'), signalingUp: this.room.connected });
    } else if ((state === 'connected' || state === 'completed') && status.phase === 'reconnecting' && status.stage === 'ice-restart') {
      this.host.counters.iceRestarts++;
      // Same data channel, same keys: nothing to negotiate again. The outbox goes again.
      this.finishReconnecting();
    }
  }

  /** Feeds the Reconnector and carries out what it says; its next deadline gets one timer. */
  private react(event: ReconnectEvent): void {
    for (const command of this.reconnector.handle(event, this.host.clock.now())) {
      if (!this.carryOut(command)) {
        // Not secure any more (the table refused): nothing to restore.
        this.reconnector.handle({ type: 'stop' }, this.host.clock.now());
        break;
      }
    }
    this.cancelReconnectTick?.();
    this.cancelReconnectTick = undefined;
    const deadline = this.reconnector.nextDeadline();
    if (deadline !== undefined) {
      this.cancelReconnectTick = this.host.clock.setTimeout(() => this.react({ type: 'tick' }), Math.max(0, deadline - this.host.clock.now()));
    }
  }

  private carryOut(command: ReconnectCommand): boolean {
    switch (command.type) {
      case 'enter':
        if (!this.phases.dispatch({ type: 'connection-lost', reason: command.reason, stage: command.stage })) return false;
        if (command.stage === 'new-connection') this.dropLink();
        return true;
      case 'escalate':
        this.phases.dispatch({ type: 'new-connection', reason: command.reason });
        this.dropLink();
        return true;
      case 'restart-ice':
        if (this.host.role() === 'host') this.announceIceRestart();
        return true;
      case 'resume':
        this.resumeWithPeer();
        return true;
      case 'open-signaling':
        void this.room.reopen(() => this.phases.is('reconnecting')).then((outcome) => {
          if (outcome === 'opened') this.react({ type: 'signaling-opened' });
          if (outcome === 'failed') this.react({ type: 'signaling-failed' });
        });
        return true;
      case 'give-up':
        this.fail(command.error);
        return true;
    }
  }

  /** (Host) the restart announcement, sealed under the current binding; later signals are bound to the new one. */
  private announceIceRestart(): void {
    const keys = this.peerKeys;
    if (!keys) return;
    const restart = this.binding.newRestart();
    if (restart) void this.binding.seal(keys.signalKey, 'host', { type: 'ice-restart', nonce: restart.nonce }, restart.announcedUnder);
  }

  /**
   * The peer is (back) in the room: the host opens a fresh attempt (new nonce, new
   * peer connection, replacing any attempt still pending); the guest waits for it.
   */
  private resumeWithPeer(): void {
    if (!this.phases.is('reconnecting') || this.host.role() !== 'host') return;
    this.dropLink();
    this.beginAttempt();
  }

  private finishReconnecting(): void {
    this.react({ type: 'restored' });
    this.phases.dispatch({ type: 'restored' });
    this.liveness.start();
    this.host.conversation.resendOutbox();
  }

  /**
   * Someone joined a room whose conversation ended (typically the same person after
   * reloading the page). It is a new session: a fresh handshake, a new safety code,
   * the peer's identity checked again. We are the one in the room, so we lead it.
   */
  private startNewSession(via: JoinVia): void {
    this.host.becomeHost();
    this.host.setPeerName('');
    this.host.trust.forgetPeer();
    this.resumptionSecret = undefined;
    this.host.notify(new DuetError('new-session'));
    this.onPeerPresent(via);
  }

  /** Closes the peer connection but keeps what the next attempt needs (signal key, resumption secret). */
  private dropLink(): void {
    const keys = this.peerKeys;
    this.clearPeer();
    this.peerKeys = keys;
    // Without a link there is nothing to restart ICE on: the next stage is a new connection.
    this.react({ type: 'link-dropped' });
  }

  /** Forgets everything about the current peer's connection; the room, the history and the invite stay. */
  private clearPeer(): void {
    this.cancelConnectTimer?.();
    this.cancelConnectTimer = undefined;
    this.onIntroduced = undefined;
    this.peerKeys = undefined;
    const attempt = this.attempt;
    this.attempt = undefined;
    for (const unit of [this.shortCode, this.binding, this.host.conversation, this.liveness]) unit?.clearPeer();
    this.shortCode = undefined;
    // A transfer needs this very channel: it fails (the sender can send it again).
    this.host.files.interruptAll();
    attempt?.dispose();
  }

  /** Leaves the conversation and tells the peer, as far as it can be told. */
  leave(): void {
    this.attempt?.channel?.sayGoodbye();
    this.end({ type: 'leave' }, () => this.room.leave());
  }

  /** Diagnostics and test hook: breaks the peer connection the way a network failure would (no goodbye). */
  simulateLoss(): void {
    this.attempt?.breakLink(new DuetError('peer-connection-failed', 'simulated connection loss'));
  }

  private fail(error: DuetError): void {
    this.end({ type: 'fail', error }, () => this.room.close());
  }

  /** The one way a conversation ends: nothing restores it, every unit lets go of the peer, the server connection closes. */
  private end(event: { type: 'leave' } | { type: 'fail'; error: DuetError }, closeRoom: () => void): void {
    this.react({ type: 'stop' });
    this.clearPeer();
    closeRoom();
    this.host.files.dispose();
    this.phases.dispatch(event);
  }
}
