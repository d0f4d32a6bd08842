/**
 * Connector: finds the peer and keeps the conversation connected. It routes what the
 * signaling server says to the right unit, agrees on keys (the link's, or a short
 * code's through the PAKE), runs one ConnectionAttempt per session nonce, and restores
 * a broken connection by carrying out the Reconnector's commands. Every status change
 * goes through the phase table; every teardown through clearPeer().
 */
import type { JoinVia, ServerMessage } from '../../signaling/protocol.ts';
import type { RandomSource } from '../core/bytes.ts';
import type { Clock } from '../core/clock.ts';
import { DuetError, isErrorCode } from '../core/errors.ts';
import type { RsaIdentity } from '../core/handshake.ts';
import type { PeerMessage } from '../core/messages.ts';
import type { Role } from '../core/roles.ts';
import type { PeerLinkDiagnostics } from '../transport/peer-link.ts';
import type { Conversation } from './conversation.ts';
import type { DiagnosticCounters } from './diagnostics.ts';
import type { FileTransfers } from './file-transfers.ts';
import { ConnectTimer, DEFAULT_CONNECT_TIMEOUT_MS } from './connect-timer.ts';
import { Liveness } from './liveness.ts';
import type { IceSupply } from './ice-supply.ts';
import type { LinkPath } from './link-path.ts';
import type { PeerTrust } from './peer-trust.ts';
import type { Invite, PhaseMachine } from './phases.ts';
import { PeerInbox } from './peer-inbox.ts';
import { PeerLinks } from './peer-links.ts';
import { Restoration } from './restoration.ts';
import { type Entry, RoomEntry } from './room-entry.ts';
import { judgeServerError } from './server-errors.ts';
import type { SessionOptions } from './session.ts';

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
  ice: IceSupply;
  path: LinkPath;
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
  private readonly links: PeerLinks;
  private readonly restoration: Restoration;
  private readonly inbox: PeerInbox;
  private readonly liveness: Liveness;
  private readonly phases: PhaseMachine;
  private readonly connectTimer: ConnectTimer;

  constructor(private readonly host: ConnectorHost) {
    const { options, random, clock } = host;
    this.phases = host.phases;
    this.connectTimer = new ConnectTimer(clock, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, () => this.onConnectTimeout());
    this.room = new RoomEntry(
      {
        message: (message) => this.onServerMessage(message),
        invalid: (error) => host.notify(error),
        closed: () => this.onSignalingClosed(),
        roomReady: (invite) => this.phases.dispatch({ type: 'room-ready', invite }),
        inviteChanged: (invite) => this.phases.dispatch({ type: 'invite-changed', invite }),
        notice: (error) => host.notify(error),
        failed: (error) => this.fail(error),
        // A secure conversation runs peer to peer, and a waiting host's invite stays good: a draining server's socket is opened again.
        keepServer: () => this.phases.is('secure', 'waiting'),
        waitingAlone: () => this.phases.is('waiting'),
      },
      { signalingUrl: options.signalingUrl, appUrl: options.appUrl, transport: options.transport, random, clock },
    );
    this.restoration = new Restoration(
      {
        clock,
        phases: this.phases,
        isHost: () => host.role() === 'host',
        signalingUp: () => this.room.connected,
        dropLink: () => this.dropLink(),
        beginAttempt: () => this.links.beginAttempt(),
        announceIceRestart: () => this.links.announceIceRestart(),
        reopenSignaling: () => this.room.reopen(() => this.phases.is('reconnecting')),
        restored: () => {
          this.host.path.read(this.links.route());
          this.liveness.start();
          host.conversation.resendOutbox();
        },
        fail: (error) => this.fail(error),
      },
      {
        ...(options.reconnectTimeoutMs !== undefined ? { giveUpMs: options.reconnectTimeoutMs } : {}),
        ...(options.iceRestartTimeoutMs !== undefined ? { iceRestartMs: options.iceRestartTimeoutMs } : {}),
      },
    );
    this.links = new PeerLinks({
      ...host,
      sendSignal: (payload) => this.room.send({ type: 'signal', payload }),
      linkClosed: (error) => this.onLinkClosed(error),
      iceState: (state) => this.onIceStateChange(state),
      routeMayHaveChanged: () => {
        if (this.host.path.iceUp) this.host.path.read(this.links.route());
      },
      message: (message) => {
        this.liveness.heard();
        this.inbox.receive(message);
      },
      started: () => this.liveness.start(),
      expectIntroduction: () => this.inbox.expectIntroduction(),
      introduced: (safetyCode) => {
        this.host.path.read(this.links.route());
        this.connectTimer.clearPeer();
        this.phases.dispatch({ type: 'secured', safetyCode });
      },
      resumed: () => {
        this.connectTimer.clearPeer();
        this.inbox.clearPeer();
        this.restoration.finish();
      },
      lost: (reason) => this.restoration.lost(reason),
      dropLink: () => this.dropLink(),
      rejectPeer: (error) => this.rejectPeer(error),
      fail: (error) => this.fail(error),
    });
    this.inbox = new PeerInbox({
      conversation: host.conversation,
      trust: host.trust,
      files: host.files,
      setPeerName: (name) => host.setPeerName(name),
      changed: () => host.changed(),
      notify: (error) => host.notify(error),
      transcriptHash: () => this.links.transcriptHash,
      peerGone: () => this.onPeerGone(),
    });
    this.liveness = new Liveness({
      clock,
      active: () => this.phases.is('secure'),
      lastSentAt: () => this.links.channel?.lastSentAt ?? 0,
      sendKeepalive: () => void this.links.send({ type: 'keepalive' }).catch(() => {}),
      silent: (reason) => this.restoration.lost(reason),
    });
  }

  /** Sends `refresh-ice` (IceSupply asks before fresh credentials are needed); false without a server connection. */
  requestIceRefresh(): boolean {
    return this.room.send({ type: 'refresh-ice' });
  }

  get invite(): Invite | undefined {
    return this.room.invite;
  }

  requestShortCode(): void {
    this.room.requestShortCode();
  }

  get hasChannel(): boolean {
    return this.links.channel !== undefined;
  }

  /** The secure channel is the conversation's (secure, or being kept through an ICE restart). */
  get channelLive(): boolean {
    return this.links.channelLive;
  }

  /** The current link's ICE state and local ports (undefined without a link). */
  linkDiagnostics(): Promise<PeerLinkDiagnostics> | undefined {
    return this.links.diagnostics();
  }

  send(message: PeerMessage): Promise<void> {
    return this.links.send(message);
  }

  drained(): Promise<void> {
    return this.links.drained();
  }

  /** The code that makes peer links, loaded as the conversation starts (see LinkCode). */
  get linkCode(): PeerLinks['code'] {
    return this.links.code;
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
        return this.links.afterSignals(() => this.onPeerJoined(message));
      case 'signal':
        return this.links.receive(message.payload);
      case 'peer-left':
        // Once secure the conversation runs peer to peer: the server saying the peer left (a
        // blip, a server that wants to end chats) is no proof; the channel closing, or a bye, is.
        this.links.afterSignals(() => {
          if (!this.phases.is('secure', 'reconnecting')) this.onPeerGone();
        });
        return;
      case 'error':
        // In order with the peer-left before it: a signal refused because the peer has
        // just left is judged once that departure is.
        this.links.afterSignals(() => this.onServerError(message.code));
        return;
      case 'ice-servers':
        return this.host.ice.received(message.iceServers, message.expiresAt);
    }
  }

  private onPeerJoined(message: Extract<ServerMessage, { type: 'joined' | 'peer-joined' }>): void {
    if (this.phases.is('reconnecting')) this.restoration.resumeWithPeer();
    // Secure: our own rejoin, or the peer's after its server drained (ICE still has its
    // path), changes nothing. The peer back while our path is gone: its side broke.
    else if (this.phases.is('secure')) {
      if (message.type === 'peer-joined' && !this.host.path.iceUp) this.restoration.lost(new DuetError('peer-connection-failed', 'the peer came back to the room'));
    } else if (message.type === 'peer-joined' && this.phases.status.phase === 'ended' && this.phases.status.reason === 'peer-left') this.startNewSession(message.via);
    else this.onPeerPresent(message.type === 'joined' ? (this.room.entry?.kind === 'short' ? 'short' : 'link') : message.via);
  }

  /** Both people are in the room: agree on keys (directly, or by PAKE), then connect. */
  private onPeerPresent(via: JoinVia): void {
    const role = this.host.role();
    if (this.links.busy || !role || !this.phases.dispatch({ type: 'peer-present' })) return;
    this.connectTimer.start();
    if (via === 'link') {
      if (!this.room.roomKeys) return this.fail(new DuetError('handshake-failed', 'the server claims a link join in a short-code room'));
      this.links.useKeys(this.room.roomKeys);
      return;
    }
    const code = this.room.takeShortCode();
    if (!code) return this.rejectPeer(new DuetError('code-mismatch', 'no short code in this room'));
    this.links.agreeByShortCode({ role, ...code, roomId: this.room.roomId ?? '' });
  }

  private onConnectTimeout(): void {
    // Whoever took the short code but never finished the PAKE holds the room's place: turned out.
    if (this.phases.is('connecting') && this.links.agreeing) this.rejectPeer(new DuetError('handshake-timeout', 'the PAKE did not finish'));
    else if (this.phases.is('connecting')) this.fail(new DuetError('peer-unreachable'));
    // Connected and keys agreed, but the peer never introduced itself (its first record).
    if (this.phases.is('securing')) this.fail(new DuetError('handshake-timeout', 'no profile from the peer'));
  }

  private onServerError(code: string): void {
    const error = isErrorCode(code) ? new DuetError(code) : new DuetError('server-error', code);
    const roomId = this.room.roomId;
    const verdict = judgeServerError(code, this.phases.status.phase, this.links.busy ? 'attempt-under-way' : 'no-attempt');
    if (verdict === 'create-room' && roomId) this.room.send({ type: 'create', room: roomId });
    else if (verdict === 'join-room' && roomId) this.room.send({ type: 'join', room: roomId });
    else if (verdict === 'fail') this.fail(error);
    else if (verdict === 'notify') this.host.notify(error);
  }

  private onSignalingClosed(): void {
    if (this.phases.is('reconnecting')) return this.restoration.signalingClosed();
    // Once the data channel is up the server is no longer needed.
    if (this.phases.is('secure', 'ended', 'failed')) return;
    // The handshake runs through the server: without it, only a finished one can go on.
    if (this.phases.is('securing') && this.links.channel?.established) return;
    this.fail(new DuetError('signaling-lost'));
  }

  private onLinkClosed(error: DuetError | undefined): void {
    if (this.phases.is('ended', 'failed')) return;
    const reason = error ?? new DuetError('peer-connection-failed', 'the data channel closed');
    const status = this.phases.status;
    // The peer's last records (a goodbye, perhaps) may still be being decrypted: let
    // them finish before deciding. Without a goodbye, the network broke, not the
    // conversation. (The data channel closing during an ICE restart: likewise.)
    if (status.phase === 'secure' || (status.phase === 'reconnecting' && status.stage === 'ice-restart')) {
      void this.links.settled().then(() => this.inbox.settled()).then(() => this.restoration.lost(reason));
      return;
    }
    if (status.phase === 'reconnecting') return this.dropLink();
    // Our own relay cannot be used: another attempt would fail the same way.
    if (reason.code === 'relay-failed') return this.fail(reason);
    this.onGuestGoneEarly(reason);
  }

  private onPeerGone(): void {
    if (this.phases.is('ended', 'failed', 'lobby')) return;
    if (!this.phases.is('secure', 'reconnecting')) return this.onGuestGoneEarly(new DuetError('peer-left-early'));
    // The peer said goodbye. We stay in the room, so if they come back with the same
    // link (a reloaded page) a new session can start.
    this.clearPeer();
    this.restoration.stop();
    this.links.forgetResumption();
    this.phases.dispatch({ type: 'peer-left' });
  }

  /**
   * The peer could not prove it holds the room's keys (a wrong short code, a signal that
   * does not open): a stranger, or the server. A host turns it out of the room and waits
   * for the real guest, so a stranger cannot end the room; a guest stops.
   */
  private rejectPeer(error: DuetError): void {
    if (this.host.role() !== 'host' || !this.room.invite) return this.fail(error);
    if (!this.phases.is('connecting', 'securing')) return; // that peer is gone already
    this.room.send({ type: 'evict' });
    this.onGuestGoneEarly(error.code === 'code-mismatch' ? new DuetError('short-code-guessed', 'the PAKE did not agree') : error);
  }

  /** The peer went before the conversation started: a host keeps the room for a genuine guest and says what happened. */
  private onGuestGoneEarly(reason: DuetError): void {
    const invite = this.room.invite;
    if (this.host.role() !== 'host' || !invite) return this.fail(reason);
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
    // ICE settled on a path (first, or after a restart): how does it run now?
    if (this.host.path.iceChanged(state)) this.host.path.read(this.links.route());
    const status = this.phases.status;
    if (state === 'disconnected' && status.phase === 'secure' && this.links.channel) {
      this.restoration.iceLost(new DuetError('peer-connection-failed', 'the network path to the peer was lost (ICE disconnected)'));
    } else if ((state === 'connected' || state === 'completed') && status.phase === 'reconnecting' && status.stage === 'ice-restart') {
      this.host.counters.iceRestarts++;
      // Same data channel, same keys: nothing to negotiate again. The outbox goes again.
      this.restoration.finish();
    }
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
    this.links.forgetResumption();
    this.host.notify(new DuetError('new-session'));
    this.onPeerPresent(via);
  }

  /** Closes the peer connection but keeps what the next attempt needs (signal key, resumption secret). */
  private dropLink(): void {
    this.clearPeer(true);
    // Without a link there is nothing to restart ICE on: the next stage is a new connection.
    this.restoration.linkDropped();
  }

  /** Forgets the current peer's connection (and, unless `keepKeys`, its keys); the room, the history and the invite stay. */
  private clearPeer(keepKeys = false): void {
    this.connectTimer.clearPeer();
    this.host.path.clear();
    this.links.clearPeer(keepKeys);
    for (const unit of [this.inbox, this.host.conversation, this.liveness]) unit.clearPeer();
    // A transfer needs this very channel: it fails (the sender can send it again).
    this.host.files.interruptAll();
  }

  /** Leaves the conversation and tells the peer, as far as it can be told. */
  leave(): void {
    this.links.sayGoodbye();
    this.end({ type: 'leave' }, () => this.room.leave());
  }

  /** Diagnostics and test hook: breaks the peer connection the way a network failure would (no goodbye). */
  simulateLoss(): void {
    this.links.breakLink(new DuetError('peer-connection-failed', 'simulated connection loss'));
  }

  private fail(error: DuetError): void {
    this.end({ type: 'fail', error }, () => this.room.close());
  }

  /** The one way a conversation ends: nothing restores it, every unit lets go of the peer, the server connection closes. */
  private end(event: { type: 'leave' } | { type: 'fail'; error: DuetError }, closeRoom: () => void): void {
    this.restoration.stop();
    this.host.ice.stop();
    this.clearPeer();
    closeRoom();
    this.host.files.dispose();
    this.phases.dispatch(event);
  }
}
