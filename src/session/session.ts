/**
 * Session: the whole life of one Duet conversation, as a small coordinator over units
 * that each own one concern (see docs/adr/0010-session-engine.md):
 *
 *   phases              the status, changed only through its transition table
 *   RoomEntry           the room on the signaling server: create, join, invite, server errors
 *   ShortCodeExchange   the PAKE that turns a short code into keys
 *   SignalBinding       what the peer's sealed signals are bound to; our signals' order
 *   ConnectionAttempt   one peer connection and its secure channel, per session nonce
 *   Reconnector         ICE restart → new connection → give up, as a pure machine
 *   Conversation        messages, outbox, receipts, typing
 *   PeerTrust           the remembered-device check
 *   Liveness            keepalives and silence
 *   FileTransfers       files
 *
 * No DOM and no browser globals: transport, clock, randomness and storage are injected,
 * so it runs the same in Node (tests, a terminal peer) as in the page.
 */
import type { RandomSource } from '../core/bytes.ts';
import { secureRandom } from '../core/bytes.ts';
import type { Clock } from '../core/clock.ts';
import { systemClock } from '../core/clock.ts';
import { DuetError } from '../core/errors.ts';
import { type HandshakeConfig, type RsaIdentity, generateRsaIdentity } from '../core/handshake.ts';
import type { DeviceIdentity } from '../core/identity.ts';
import type { StreamingChecksum } from '../core/files.ts';
import { normaliseName } from '../core/names.ts';
import type { Role } from '../core/roles.ts';
import type { DeviceStore } from '../storage/device-store.ts';
import type { LinkRoute, PeerLinkFactory } from '../transport/peer-link.ts';
import type { SignalingConnection, SignalingHandlers } from '../transport/signaling-client.ts';
import { type ChatMessage, Conversation } from './conversation.ts';
import { DiagnosticCounters, type SessionDiagnostics } from './diagnostics.ts';
import { type FileSink, type FileSource, type FileTransfer, FileTransfers } from './file-transfers.ts';
import { Connector } from './connector.ts';
import { type AddressPolicy, IceSupply, type RelayOffer, askRelayOffer } from './ice-supply.ts';
import { LinkPath } from './link-path.ts';
import { type Invite, PhaseMachine, type SessionStatus } from './phases.ts';
import { type PeerIdentity, PeerTrust } from './peer-trust.ts';
import { Timeline, type TimelineView } from './timeline.ts';

import type { SessionNotice, SessionView } from './view.ts';

export type * from './view.ts';

export interface SessionTransport {
  connectSignaling(url: string, handlers: SignalingHandlers): Promise<SignalingConnection>;
  /**
   * The peer-link factory. The app fetches its code (WebRTC's library) on demand, as
   * the lobby does not need it: this is called as a conversation starts (Create room,
   * Join), and the first peer link waits for it only if it has not arrived by then. A
   * rejection ends the conversation with DuetError('app-load-failed').
   */
  loadPeerLinks(): Promise<PeerLinkFactory>;
}

export interface SessionOptions {
  signalingUrl: string;
  /** The app's own address; invite links are this plus #code. */
  appUrl: string;
  /** The build-time list (VITE_ICE_SERVERS): used when the server hands out none. */
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

export class Session implements SessionView {
  notices: SessionNotice[] = [];
  myName = '';
  peerName = '';
  role: Role | undefined;
  /** Files sent and received in this conversation. */
  readonly files: FileTransfers;

  private readonly phases: PhaseMachine;
  private readonly conversation: Conversation;
  private readonly trust: PeerTrust;
  private readonly connection: Connector;
  private readonly ice: IceSupply;
  private readonly path = new LinkPath(() => this.changed());
  private relayAnswer: RelayOffer = 'unknown';
  private relayAsked = false;
  private readonly counters = new DiagnosticCounters();
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly listeners = new Set<() => void>();
  /** Started at once: the slow RSA key generation is done before a peer arrives. */
  private readonly identity: Promise<RsaIdentity>;
  /** Messages and files in the order they happened, kept as they change (see timeline.ts). */
  private readonly log = new Timeline();
  private noticeCounter = 0;
  private positionCounter = 0;

  constructor(private readonly options: SessionOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? secureRandom;
    this.identity = generateRsaIdentity(options.handshake);
    this.identity.catch(() => {});
    this.phases = new PhaseMachine(() => this.changed());
    const nextPosition = () => ++this.positionCounter;
    this.conversation = new Conversation({
      clock: this.clock,
      random: this.random,
      send: (message) => this.connection.send(message),
      changed: (change) => {
        if (change.kind === 'messages') this.log.showMessages(change.messages);
        this.changed();
      },
      notify: (error) => this.notify(error),
      nextPosition,
      myName: () => this.myName,
      peerName: () => this.peerName,
    });
    this.trust = new PeerTrust({ clock: this.clock, changed: () => this.changed(), notify: (error) => this.notify(error) });
    this.files = new FileTransfers({
      // During an ICE restart the data channel lives on: a transfer pauses (its data waits
      // in the channel's buffer) rather than fails.
      send: (message) => (this.connection.channelLive ? this.connection.send(message) : Promise.reject(new DuetError('not-connected'))),
      drained: () => this.connection.drained(),
      changed: () => {
        this.log.showFiles(this.files.list);
        this.changed();
      },
      notify: (error) => this.notify(error),
      myName: () => this.myName,
      // Empty when the profile has not arrived yet: the UI shows "Your peer" in its language.
      peerName: () => this.peerName,
      nextPosition,
      clock: this.clock,
      random: this.random,
      ...(options.createChecksum ? { createChecksum: options.createChecksum } : {}),
    });
    this.ice = new IceSupply({ clock: this.clock, requestRefresh: () => this.connection.requestIceRefresh() }, options.iceServers);
    this.connection = new Connector({
      options,
      ice: this.ice,
      path: this.path,
      clock: this.clock,
      random: this.random,
      identity: this.identity,
      phases: this.phases,
      conversation: this.conversation,
      trust: this.trust,
      files: this.files,
      counters: this.counters,
      notify: (error) => this.notify(error),
      changed: () => this.changed(),
      myName: () => this.myName,
      setPeerName: (name) => {
        this.peerName = name;
      },
      role: () => this.role,
      becomeHost: () => {
        this.role = 'host';
      },
    });
  }

  get status(): SessionStatus {
    return this.phases.status;
  }

  get messages(): readonly ChatMessage[] {
    return this.conversation.messages;
  }

  get timeline(): TimelineView {
    return this.log;
  }

  /** The host's invite, kept so the room can be offered again if a guest drops out early. */
  get invite(): Invite | undefined {
    return this.connection.invite;
  }

  /** (Host, waiting) asks for a short code to read aloud; the invite shows it once given. */
  requestShortCode(): void {
    this.connection.requestShortCode();
  }

  /** The person said the safety codes matched. */
  get verified(): boolean {
    return this.trust.verified;
  }

  get peerIdentity(): PeerIdentity {
    return this.trust.identity;
  }

  /** The peer is typing (cleared by their message, or a few seconds after they stop). */
  get peerTyping(): boolean {
    return this.conversation.peerTyping;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** Messages can be written while secure, and while reconnecting (they wait in the outbox). */
  get canSend(): boolean {
    return this.phases.is('secure', 'reconnecting') && !this.identityWarningPending;
  }

  /** True while a changed or invalid peer identity waits for the person's decision. */
  get identityWarningPending(): boolean {
    return this.trust.warningPending;
  }

  /** Opt in to "Remember me on this device" for this conversation (call before creating or joining). */
  useDevice(identity: DeviceIdentity, store: DeviceStore): void {
    this.trust.useDevice(identity, store);
  }

  /** Whether "Hide my IP address from my peer" can work here: a TURN server from the server, or built in. */
  get relayOffer(): RelayOffer {
    return this.ice.fallbackOffersRelay ? 'offered' : this.relayAnswer;
  }

  get addressPolicy(): AddressPolicy {
    return this.ice.policy;
  }

  /** How the connection runs now: 'direct', 'relayed' (through TURN), or 'unknown'. */
  get route(): LinkRoute {
    return this.path.route;
  }

  /** Asks the server (once) whether it offers a relay, so the lobby can say before a room is entered. */
  checkRelay(): void {
    if (this.relayAsked) return;
    this.relayAsked = true;
    const { signalingUrl, transport } = this.options;
    void askRelayOffer((handlers) => transport.connectSignaling(signalingUrl, handlers), this.clock).then((offer) => {
      this.relayAnswer = offer;
      this.changed();
    });
  }

  /** "Hide my IP address from my peer": applies to the connections made after this call. */
  setAddressPolicy(policy: AddressPolicy): void {
    if (policy === this.ice.policy) return;
    this.ice.policy = policy;
    this.changed();
  }

  /** Creates a room and waits for the peer. Errors end in status 'failed'. */
  async createRoom(name: string): Promise<void> {
    this.startEntering(name, 'host');
    await this.connection.createRoom();
  }

  /**
   * Joins with an invite link, its code, or a short code ("7-tiger-ocean").
   * Throws DuetError('invalid-code') at once if the input is unreadable.
   */
  async joinRoom(name: string, input: string): Promise<void> {
    // While a short code's word list loads, and the server connects.
    this.connection.linkCode.load();
    const entry = await this.connection.readInvite(input);
    this.startEntering(name, 'guest');
    await this.connection.joinRoom(entry);
  }

  prepareToJoin(): void {
    // Not tried again here if it failed: entering the room does that.
    if (this.status.phase === 'lobby') void this.connection.linkCode.settled();
  }

  private startEntering(name: string, role: Role): void {
    if (this.status.phase !== 'lobby') throw new DuetError('already-in-room');
    // Known at once: the server said it has no relay. (Otherwise the ICE servers it hands out decide.)
    if (this.ice.policy === 'relay-only' && this.relayOffer === 'none') throw new DuetError('relay-unavailable');
    this.myName = normaliseName(name);
    this.role = role;
    this.connection.linkCode.load();
    this.phases.dispatch({ type: 'enter' });
  }

  /** The person chose to go on despite the identity warning; a changed key is remembered from now on. */
  acknowledgeIdentityWarning(): Promise<void> {
    return this.trust.acknowledgeWarning();
  }

  /** The person compared the safety codes with their peer and they matched. */
  markVerified(): void {
    if (this.status.phase === 'secure') this.trust.markVerified();
  }

  /**
   * Sends a chat message: it shows at once as "sending", then "sent" once on the
   * wire and "delivered" on the peer's receipt. Throws a DuetError (and shows
   * nothing) if it cannot be sent at all; a message that fails on the way stays,
   * marked failed with the error, for retry().
   */
  async send(text: string): Promise<void> {
    // While reconnecting there is no channel, but the message waits in the outbox.
    if (!this.canSend || (this.status.phase === 'secure' && !this.connection.hasChannel)) throw new DuetError('not-connected');
    await this.conversation.send(text, this.status.phase === 'secure');
  }

  /** Sends a failed message again, with the same id (the peer drops duplicates). */
  async retry(id: string): Promise<void> {
    if (!this.messages.some((m) => m.from === 'me' && m.id === id && m.state === 'failed')) return;
    if (!this.connection.hasChannel || !this.canSend) throw new DuetError('not-connected');
    await this.conversation.retry(id);
  }

  /** Tells the peer this side is typing; at most once every few seconds. */
  notifyTyping(): void {
    if (this.connection.hasChannel && this.canSend) this.conversation.notifyTyping();
  }

  /** Leaves the conversation and tells the peer, as far as it can be told. */
  leave(): void {
    if (this.status.phase === 'lobby') return;
    this.connection.leave();
  }

  /** Diagnostics and test hook: breaks the peer connection the way a network failure would (no goodbye). */
  simulateConnectionLoss(): void {
    this.connection.simulateLoss();
  }

  /** Files can be offered while the conversation is secure (not while reconnecting: a transfer needs the link). */
  get canSendFiles(): boolean {
    return this.status.phase === 'secure' && this.connection.hasChannel && !this.identityWarningPending;
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

  /** Peer connections made, ICE restarts completed, and the current link's ICE state and local ports. */
  diagnostics(): Promise<SessionDiagnostics> {
    return this.counters.report(this.connection.linkDiagnostics());
  }

  dismissNotice(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
    this.changed();
  }

  private notify(error: DuetError): void {
    this.notices = [...this.notices, { id: ++this.noticeCounter, error, at: this.clock.now() }].slice(-MAX_NOTICES);
    this.changed();
  }
}
