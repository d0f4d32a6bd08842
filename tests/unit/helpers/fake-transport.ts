/**
 * In-memory stand-ins for the two transports Session uses, so the whole state
 * machine runs in Node with real crypto and no sockets:
 *
 * - FakeSignalingServer: the real server's room semantics (the RoomDirectory of
 *   signaling/rooms.ts), with every frame passed through the real protocol
 *   validators in both directions. Deliveries are asynchronous (queueMicrotask)
 *   and in order.
 * - FakePeerNetwork: PeerLinks that pair up through the (sealed) offer/answer
 *   exchange, matched by the DTLS fingerprints in their SDP, like WebRTC would.
 *   A connected pair can lose its network path (both see ICE 'disconnected', frames
 *   wait as SCTP would retransmit them) and get it back through an ICE restart.
 * - makeSession: a Session wired to both, with a ManualClock.
 */
import { DEFAULT_HANDSHAKE_CONFIG, type HandshakeConfig } from '../../../src/core/handshake.ts';
import { randomInt } from 'node:crypto';
import { type ClientMessage, type IceServer, type RelayOffer, type ServerMessage, parseClientMessage, parseServerMessage } from '../../../signaling/protocol.ts';
import { type Room, RoomDirectory } from '../../../signaling/rooms.ts';
import type { Bytes } from '../../../src/core/bytes.ts';
import { DuetError } from '../../../src/core/errors.ts';
import { inlineChecksum } from '../../../src/core/file-checksum.ts';
import type { StreamingChecksum } from '../../../src/core/files.ts';
import type { DeviceIdentity } from '../../../src/core/identity.ts';
import { type WebRtcSignal, sdpFingerprint } from '../../../src/core/signal-seal.ts';
import { Session, type SessionStatus } from '../../../src/session/session.ts';
import type { DeviceStore } from '../../../src/storage/device-store.ts';
import type { LinkRoute, LinkTeardown, PeerLink, PeerLinkDiagnostics, PeerLinkFactory, PeerLinkOptions } from '../../../src/transport/peer-link.ts';
import type { SignalingConnection, SignalingHandlers } from '../../../src/transport/signaling-client.ts';
import { ManualClock } from './manual-clock.ts';

// ---------------------------------------------------------------------------
// Signaling

/** One client socket as the fake server sees it. */
export class FakeSignalingConnection {
  /** Whatever the creator passed (makeSession passes the Session). */
  readonly owner: unknown;
  readonly url: string;
  open = true;
  /** Every valid message this client sent, in order. */
  readonly sent: ClientMessage[] = [];
  /** Every message delivered to this client (after intercept), in order. */
  readonly received: ServerMessage[] = [];

  constructor(
    readonly id: number,
    url: string,
    owner: unknown,
    readonly handlers: SignalingHandlers,
  ) {
    this.url = url;
    this.owner = owner;
  }
}

export type FakeRoom = Room<FakeSignalingConnection>;

/**
 * Sees every relayed signal frame on its way to `to`: return the frame(s) to deliver
 * instead (the same frame to pass it on, null or [] to drop it).
 */
export type SignalIntercept = (
  frame: ServerMessage,
  from: FakeSignalingConnection,
  to: FakeSignalingConnection,
) => ServerMessage | ServerMessage[] | null;

export interface FakeSignalingServerOptions {
  /** connectSignaling rejects with DuetError('signaling-unreachable'). */
  failConnect?: boolean;
}

export class FakeSignalingServer {
  failConnect: boolean;
  intercept: SignalIntercept | undefined;
  /** What `server-info` is answered with (the real server: whether it hands out TURN). */
  relay: RelayOffer = 'none';
  /**
   * ICE servers handed to a member right after created/joined and on refresh-ice, as
   * the real server does when configured (undefined: none, refresh-ice is ignored).
   */
  issueIce: ((to: FakeSignalingConnection) => { iceServers: IceServer[]; expiresAt: number }) | undefined;
  readonly connections: FakeSignalingConnection[] = [];
  /** Every frame the server put on the wire (after intercept), as JSON text: what an eavesdropper on the server would see. */
  readonly wire: string[] = [];
  private readonly rooms = new RoomDirectory<FakeSignalingConnection>({
    deliver: (to, message, from) => this.send(to, message, from),
    // The fake keeps no log, so its rooms need no tag.
    log: () => {},
    tagOf: () => '',
    randomInt,
  });
  private nextId = 1;

  constructor(options: FakeSignalingServerOptions = {}) {
    this.failConnect = options.failConnect ?? false;
  }

  roomCount(): number {
    return this.rooms.roomCount();
  }

  roomByNameplate(nameplate: number): FakeRoom | undefined {
    return this.rooms.roomByNameplate(nameplate);
  }

  /** The owner's currently open connection, if any. */
  connectionOf(owner: unknown): FakeSignalingConnection | undefined {
    return this.connections.find((c) => c.owner === owner && c.open);
  }

  connectSignaling(url: string, handlers: SignalingHandlers, owner?: unknown): Promise<SignalingConnection> {
    if (this.failConnect) return Promise.reject(new DuetError('signaling-unreachable', 'fake server refuses connections'));
    const connection = new FakeSignalingConnection(this.nextId++, url, owner, handlers);
    this.connections.push(connection);
    return Promise.resolve({
      send: (message: ClientMessage) => {
        // Like the real client: nothing goes out on a closed socket.
        if (!connection.open) return;
        this.receive(connection, message);
      },
      close: () => {
        // Closed by the client itself: its own onClose is not called (as in signaling-client.ts).
        if (!connection.open) return;
        connection.open = false;
        this.rooms.disconnect(connection);
      },
    });
  }

  /** Delivers `message` to the owner's open connection as if the server relayed it (a replay, say). */
  deliverTo(owner: unknown, message: ServerMessage): void {
    const connection = this.connectionOf(owner);
    if (!connection) throw new Error('deliverTo: no open signaling connection for this owner');
    this.deliver(connection, message);
  }

  /** The socket of `owner` drops (network loss, server restart): the client hears onClose, the room's other member peer-left. */
  drop(owner: unknown): void {
    const connection = this.connectionOf(owner);
    if (!connection) throw new Error('drop: no open signaling connection for this owner');
    connection.open = false;
    this.rooms.disconnect(connection);
    queueMicrotask(() => connection.handlers.onClose());
  }

  private receive(connection: FakeSignalingConnection, message: ClientMessage): void {
    // The same validation the real server applies to the JSON text frame.
    const parsed = parseClientMessage(JSON.stringify(message));
    if (!parsed.ok) return this.rooms.reject(connection, parsed.code);
    connection.sent.push(parsed.value);
    if (parsed.value.type === 'server-info') return this.deliver(connection, { type: 'server-info', relay: this.relay });
    if (parsed.value.type === 'refresh-ice' && this.issueIce) return this.deliver(connection, { type: 'ice-servers', ...this.issueIce(connection) });
    this.rooms.handle(connection, parsed.value);
  }

  /** What the room directory sends: a relayed signal (one with a sender) passes `intercept` first. */
  private send(to: FakeSignalingConnection, message: ServerMessage, from?: FakeSignalingConnection): void {
    const frames = from && this.intercept ? this.intercept(message, from, to) : message;
    for (const frame of frames === null ? [] : Array.isArray(frames) ? frames : [frames]) this.deliver(to, frame);
    if ((message.type === 'created' || message.type === 'joined') && this.issueIce) this.deliver(to, { type: 'ice-servers', ...this.issueIce(to) });
  }

  /** Asynchronous, in order, and through the client's validator (as signaling-client.ts does). */
  private deliver(connection: FakeSignalingConnection, message: ServerMessage): void {
    if (!connection.open) return;
    const text = JSON.stringify(message);
    this.wire.push(text);
    queueMicrotask(() => {
      if (!connection.open) return;
      const parsed = parseServerMessage(text);
      if (parsed.ok) {
        connection.received.push(parsed.value);
        connection.handlers.onMessage(parsed.value);
      } else {
        connection.handlers.onInvalid(new DuetError('signaling-malformed', parsed.detail));
      }
    });
  }
}

// ---------------------------------------------------------------------------
// Peer links

/** Sees every data frame on its way from one link to the other: return the frame(s) to deliver (null or [] drops it). */
export type DataTamper = (frame: Bytes, from: FakePeerLink, to: FakePeerLink) => Bytes | Bytes[] | null;

export class FakePeerLink implements PeerLink {
  /** "sha-256 ab:cd:…", as sdpFingerprint() normalises it. */
  readonly fingerprint: string;
  /** The remote fingerprint from the description this link was given, once it has one. */
  remoteFingerprint: string | undefined;
  partner: FakePeerLink | undefined;
  connected = false;
  closed = false;
  /** The ICE connection state as this side sees it (reported through onIceStateChange). */
  iceState: RTCIceConnectionState = 'new';
  /** The network path is down: frames sent now wait, as SCTP would retransmit them once it is back. */
  pathDown = false;
  /** How often restartIce() was called on this link. */
  restartIceCalls = 0;
  /** ICE credentials generation: 0 for the first offer/answer, one more per ICE restart. */
  generation = 0;
  private held: Bytes[] = [];
  /** Every data frame this link sent, in order (before tampering). */
  readonly sentFrames: Bytes[] = [];
  /** Every signal this link emitted, in order. */
  readonly emitted: WebRtcSignal[] = [];
  readonly receivedSignals: WebRtcSignal[] = [];
  private described = false;
  private readonly sdpFingerprintText: string;

  constructor(
    private readonly network: FakePeerNetwork,
    readonly id: number,
    readonly owner: unknown,
    readonly options: PeerLinkOptions,
  ) {
    const bytes = new Uint8Array(32);
    crypto.getRandomValues(bytes);
    new DataView(bytes.buffer).setUint32(0, id);
    this.sdpFingerprintText = Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
    this.fingerprint = `sha-256 ${this.sdpFingerprintText.toLowerCase()}`;
    if (options.initiator) queueMicrotask(() => this.describe('offer'));
  }

  get initiator(): boolean {
    return this.options.initiator;
  }

  /** An SDP like a browser's, with this link's DTLS fingerprint. */
  sdp(): string {
    return [
      'v=0',
      `o=- ${4611731400430051336n + BigInt(this.id)} 2 IN IP4 127.0.0.1`,
      's=-',
      't=0 0',
      'a=group:BUNDLE 0',
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      'c=IN IP4 0.0.0.0',
      `a=ice-ufrag:fk${this.id}g${this.generation}`,
      'a=ice-pwd:fakefakefakefakefakefake',
      `a=fingerprint:sha-256 ${this.sdpFingerprintText}`,
      `a=setup:${this.options.initiator ? 'actpass' : 'active'}`,
      'a=mid:0',
      'a=sctp-port:5000',
      '',
    ].join('\r\n');
  }

  private describe(type: 'offer' | 'answer'): void {
    if (this.closed || this.described) return;
    this.described = true;
    this.emitDescription(type);
    this.settleFingerprints();
    this.network.tryConnect(this);
  }

  /** The description, then one trickled host candidate (a new port per generation), as simple-peer would send. */
  private emitDescription(type: 'offer' | 'answer'): void {
    if (this.closed) return;
    this.emit({ type, sdp: this.sdp() });
    this.emit({
      type: 'candidate',
      candidate: { candidate: `candidate:${this.id} 1 udp 2122260223 192.0.2.${this.id % 250} ${this.port} typ host`, sdpMid: '0', sdpMLineIndex: 0 },
    });
  }

  get port(): number {
    return 40000 + this.id * 10 + this.generation;
  }

  private emit(signal: WebRtcSignal): void {
    this.emitted.push(signal);
    this.options.onSignal(signal);
  }

  get hasLocalDescription(): boolean {
    return this.described;
  }

  signal(signal: WebRtcSignal): void {
    if (this.closed) return;
    this.receivedSignals.push(signal);
    if (signal.type === 'candidate') return;
    // Like peer-link.ts: the remote fingerprint is read from the description (throws if
    // there is none), and a renegotiation may not change it.
    const fingerprint = sdpFingerprint(signal.sdp);
    if (this.remoteFingerprint !== undefined && fingerprint !== this.remoteFingerprint) {
      throw new DuetError('signal-rejected', 'the DTLS fingerprint changed in a renegotiation');
    }
    this.remoteFingerprint = fingerprint;
    this.settleFingerprints();
    if (this.connected) {
      // A renegotiation of a live connection: an ICE restart.
      if (signal.type === 'offer' && !this.initiator) {
        this.generation++;
        queueMicrotask(() => this.emitDescription('answer'));
      }
      if (signal.type === 'answer' && this.initiator) this.network.iceRestartNegotiated(this);
      return;
    }
    if (signal.type === 'offer' && !this.options.initiator) queueMicrotask(() => this.describe('answer'));
    this.network.tryConnect(this);
  }

  /** Like simple-peer with offerOptions.iceRestart: a new offer with new ICE credentials (the offerer only). */
  restartIce(): void {
    if (!this.initiator) throw new DuetError('peer-connection-failed', 'only the offerer restarts ICE');
    if (this.closed) return;
    this.restartIceCalls++;
    this.generation++;
    queueMicrotask(() => this.emitDescription('offer'));
  }

  /** Every list given to setIceServers(), in order. */
  readonly iceServerUpdates: RTCIceServer[][] = [];

  setIceServers(iceServers: RTCIceServer[]): void {
    this.iceServerUpdates.push(iceServers);
  }

  /** How a browser would report the selected pair: relayed when this side is relay-only (or told so), direct otherwise. */
  routeAs: LinkRoute | undefined;

  route(): Promise<LinkRoute> {
    if (!this.connected || this.closed) return Promise.resolve('unknown');
    return Promise.resolve(this.routeAs ?? (this.options.iceTransportPolicy === 'relay' || this.partner?.options.iceTransportPolicy === 'relay' ? 'relayed' : 'direct'));
  }

  /** The peer's relay candidate arrives late: the selected pair, seen as peer-reflexive until now, reads as relayed. */
  learnRemoteRelay(): void {
    this.routeAs = 'relayed';
    if (!this.closed) this.options.onRemoteRelayCandidate?.();
  }

  async diagnostics(): Promise<PeerLinkDiagnostics> {
    const candidate = { type: this.options.iceTransportPolicy === 'relay' ? 'relay' : 'host', address: '192.0.2.1', port: this.port };
    return { iceState: this.iceState, localPorts: [this.port], localCandidates: [candidate], remoteCandidates: [], route: await this.route() };
  }

  /** This side's ICE state changes (asynchronously reported, as a browser would). */
  setIceState(state: RTCIceConnectionState): void {
    this.iceState = state;
    queueMicrotask(() => {
      if (!this.closed) this.options.onIceStateChange?.(state);
    });
  }

  /** The path is back: frames that waited go out, in order. */
  restorePath(): void {
    this.pathDown = false;
    const held = this.held;
    this.held = [];
    for (const frame of held) this.deliver(frame);
  }

  send(bytes: Bytes): void {
    if (this.closed || !this.connected || !this.partner) throw new DuetError('not-connected');
    const frame = new Uint8Array(bytes) as Bytes;
    this.sentFrames.push(frame);
    if (this.pathDown) this.held.push(frame);
    else this.deliver(frame);
  }

  private deliver(frame: Bytes): void {
    const to = this.partner;
    if (!to) return;
    const tamper = this.network.tamper;
    const out = tamper ? tamper(new Uint8Array(frame) as Bytes, this, to) : frame;
    for (const delivered of out === null ? [] : Array.isArray(out) ? out : [out]) {
      queueMicrotask(() => {
        if (!to.closed) to.options.onData(delivered);
      });
    }
  }

  /** Frames are delivered at once, so there is never a send buffer to wait for. */
  drained(): Promise<void> {
    return Promise.resolve();
  }

  /** Like peer-link.ts: resolves once both descriptions are known, rejects if the link ends first. */
  fingerprints(): Promise<{ local: string; remote: string }> {
    if (this.closed) return Promise.reject(new DuetError('not-connected'));
    return new Promise((resolve, reject) => {
      this.fingerprintWaiters.push({ resolve, reject });
      this.settleFingerprints();
    });
  }

  private fingerprintWaiters: { resolve: (value: { local: string; remote: string }) => void; reject: (error: DuetError) => void }[] = [];

  private settleFingerprints(): void {
    if (!this.closed && (!this.described || !this.remoteFingerprint)) return;
    const waiters = this.fingerprintWaiters;
    this.fingerprintWaiters = [];
    for (const waiter of waiters) {
      if (this.closed) waiter.reject(new DuetError('not-connected'));
      else waiter.resolve({ local: this.fingerprint, remote: this.remoteFingerprint! });
    }
  }

  /** Closed by its owner: no onClose for itself; a connected partner hears onClose(). */
  /** How its owner ended it (destroy()'s teardown), if it did. */
  teardown: LinkTeardown | undefined;

  destroy(teardown: LinkTeardown = 'now'): void {
    if (this.closed) return;
    this.closed = true;
    this.teardown = teardown;
    this.settleFingerprints();
    // After a goodbye the partner closes the link, having read it, as a real peer does
    // (the real link's 1 s cap, for a partner that never does, has no stand-in here).
    if (teardown === 'now') this.closePartner();
  }

  /** The link breaks under its owner: it gets onClose(error); a connected partner gets onClose(). */
  fail(error: DuetError = new DuetError('peer-connection-failed', 'fake link failure')): void {
    if (this.closed) return;
    this.closed = true;
    this.settleFingerprints();
    queueMicrotask(() => this.options.onClose(error));
    this.closePartner();
  }

  private closePartner(): void {
    const partner = this.partner;
    // With the path down the close cannot reach the partner either.
    if (!partner || !this.connected || this.pathDown) return;
    queueMicrotask(() => {
      if (partner.closed) return;
      partner.closed = true;
      partner.settleFingerprints();
      partner.options.onClose();
    });
  }

  /** Called by the network once both sides have each other's description. */
  connectTo(partner: FakePeerLink): void {
    this.partner = partner;
    this.connected = true;
    this.setIceState('connected');
    // Frames flow at once; only the report that the link is up may be held (connectGate).
    void (this.network.connectGate?.(this) ?? Promise.resolve()).then(() => {
      if (!this.closed) this.options.onConnect();
    });
  }
}

export interface FakePeerNetworkOptions {
  /** false: links exchange descriptions but never connect (no route between the peers). */
  connectivity?: boolean;
}

export class FakePeerNetwork {
  connectivity: boolean;
  /** false: an ICE restart is negotiated but the path does not come back (it stays disconnected). */
  iceRestartWorks = true;
  tamper: DataTamper | undefined;
  /**
   * Holds a link's onConnect until the returned promise resolves, while frames already
   * flow: as simple-peer reports 'connect' only after a getStats() call, so the peer's
   * first records can arrive before it.
   */
  connectGate: ((link: FakePeerLink) => Promise<void> | undefined) | undefined;
  /** Thrown by createPeerLink, if set (e.g. DuetError('peer-unavailable')). */
  createError: Error | undefined;
  /**
   * Holds an owner's link code load (SessionTransport.loadPeerLinks) until the returned
   * promise resolves, as a slow network would; if it rejects, the load fails with its reason.
   */
  codeGate: ((owner: unknown) => Promise<void> | undefined) | undefined;
  /** The owners that asked for the link code, one entry per call. */
  readonly codeLoads: unknown[] = [];
  readonly links: FakePeerLink[] = [];
  private nextId = 1;

  constructor(options: FakePeerNetworkOptions = {}) {
    this.connectivity = options.connectivity ?? true;
  }

  createPeerLink(options: PeerLinkOptions, owner?: unknown): PeerLink {
    if (this.createError) throw this.createError;
    const link = new FakePeerLink(this, this.nextId++, owner, options);
    this.links.push(link);
    return link;
  }

  /** SessionTransport.loadPeerLinks: this network's factory, once codeGate lets it through. */
  async loadPeerLinks(owner?: unknown): Promise<PeerLinkFactory> {
    this.codeLoads.push(owner);
    await this.codeGate?.(owner);
    return (options) => this.createPeerLink(options, owner);
  }

  linksOf(owner: unknown): FakePeerLink[] {
    return this.links.filter((link) => link.owner === owner);
  }

  /** The owner's most recent link. */
  linkOf(owner: unknown): FakePeerLink | undefined {
    return this.linksOf(owner).at(-1);
  }

  /** The network path of a connected pair is lost: both sides see ICE 'disconnected'; the data channels stay open. */
  breakPath(link: FakePeerLink): void {
    for (const side of [link, link.partner]) {
      if (!side || side.closed) continue;
      side.pathDown = true;
      side.setIceState('disconnected');
    }
  }

  /** The offerer has the answer to its ICE restart offer: if the network allows, the path is back. */
  iceRestartNegotiated(offerer: FakePeerLink): void {
    if (!this.connectivity || !this.iceRestartWorks) return;
    for (const side of [offerer, offerer.partner]) {
      if (!side || side.closed) continue;
      if (side.iceState !== 'connected') side.setIceState('connected');
      side.restorePath();
    }
  }

  /**
   * Connects `link` to the link its remote description names, once each side has
   * its own description out and the other's in (a swapped fingerprint finds nobody:
   * DTLS would refuse it, so there is no connection).
   */
  tryConnect(link: FakePeerLink): void {
    if (!this.connectivity || link.connected || link.closed || !link.hasLocalDescription || !link.remoteFingerprint) return;
    const other = this.links.find((l) => l !== link && l.fingerprint === link.remoteFingerprint);
    if (!other || other.connected || other.closed || !other.hasLocalDescription || other.remoteFingerprint !== link.fingerprint) return;
    if (other.initiator === link.initiator) return;
    link.connectTo(other);
    other.connectTo(link);
  }
}

// ---------------------------------------------------------------------------
// Sessions

export const SIGNALING_URL = 'wss://signal.duet.test/ws';
export const APP_URL = 'https://duet.test/';

export interface World {
  server: FakeSignalingServer;
  network: FakePeerNetwork;
  clock: ManualClock;
}

export function createWorld(options: { signaling?: FakeSignalingServerOptions; network?: FakePeerNetworkOptions } = {}): World {
  return {
    server: new FakeSignalingServer(options.signaling),
    network: new FakePeerNetwork(options.network),
    clock: new ManualClock(),
  };
}

export interface MakeSessionOptions {
  /** "Remember me on this device". */
  device?: { identity: DeviceIdentity; store: DeviceStore };
  connectTimeoutMs?: number;
  iceRestartTimeoutMs?: number;
  /** The build-time ICE servers (default none). */
  iceServers?: RTCIceServer[];
  handshake?: Partial<HandshakeConfig>;
  /**
   * Wait until the session's RSA key pair exists before returning (default true).
   * See the report: a peer's handshake bytes that arrive while it is still being
   * generated are dropped, which only a retransmission timer repairs.
   */
  waitForKeys?: boolean;
  /** Holds the session's RSA key generation until this promise resolves (implies waitForKeys: false). */
  holdKeysUntil?: Promise<void>;
}

/**
 * The whole-file checksum as the app's Worker gets it, on this thread: each buffer it
 * hashes is taken over (transferred, which detaches it, as postMessage to the Worker
 * does), so a caller that used bytes after handing them over would find them empty.
 */
export async function handOverChecksum(): Promise<StreamingChecksum> {
  const checksum = inlineChecksum();
  return {
    ...checksum,
    consume: (bytes) => {
      checksum.consume(bytes);
      structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
    },
  };
}

const phaseHistories = new WeakMap<Session, SessionStatus['phase'][]>();

/** The phases a session went through (consecutive repeats collapsed), starting with 'lobby'. */
export function phaseHistory(session: Session): SessionStatus['phase'][] {
  return phaseHistories.get(session) ?? [];
}

/** A Session on the world's fake server and network, with its ManualClock. */
export async function makeSession(world: World, options: MakeSessionOptions = {}): Promise<Session> {
  let session: Session | undefined;
  const construct = () =>
    new Session({
      signalingUrl: SIGNALING_URL,
      appUrl: APP_URL,
      iceServers: options.iceServers ?? [],
      handshake: { ...DEFAULT_HANDSHAKE_CONFIG, rsaModulusLength: 2048, ...options.handshake },
      transport: {
        connectSignaling: (url, handlers) => world.server.connectSignaling(url, handlers, session),
        loadPeerLinks: () => world.network.loadPeerLinks(session),
      },
      clock: world.clock,
      createChecksum: handOverChecksum,
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.iceRestartTimeoutMs !== undefined ? { iceRestartTimeoutMs: options.iceRestartTimeoutMs } : {}),
    });
  session = options.holdKeysUntil ? withHeldRsaKeygen(options.holdKeysUntil, construct) : construct();
  if (options.device) session.useDevice(options.device.identity, options.device.store);
  const history: SessionStatus['phase'][] = [session.status.phase];
  phaseHistories.set(session, history);
  const created = session;
  created.subscribe(() => {
    if (history.at(-1) !== created.status.phase) history.push(created.status.phase);
  });
  if (options.waitForKeys !== false && !options.holdKeysUntil) {
    // The constructor starts the key generation; the promise is private, so reach it by name.
    const identity = (created as unknown as { identity?: unknown }).identity;
    if (identity instanceof Promise) await identity;
  }
  return created;
}

/** Runs `construct` with RSA key generation (crypto.subtle.generateKey for RSA-OAEP) held until `until` resolves. */
function withHeldRsaKeygen<T>(until: Promise<void>, construct: () => T): T {
  const subtle = crypto.subtle;
  const original = subtle.generateKey;
  const held = function (this: SubtleCrypto, ...args: Parameters<SubtleCrypto['generateKey']>) {
    const algorithm = args[0];
    const pending = original.apply(this, args as never) as Promise<unknown>;
    if (typeof algorithm === 'object' && algorithm !== null && (algorithm as { name?: string }).name === 'RSA-OAEP') {
      return until.then(() => pending);
    }
    return pending;
  };
  Object.defineProperty(subtle, 'generateKey', { value: held, configurable: true, writable: true });
  try {
    return construct();
  } finally {
    delete (subtle as unknown as Record<string, unknown>).generateKey;
    if (subtle.generateKey !== original) Object.defineProperty(subtle, 'generateKey', { value: original, configurable: true, writable: true });
  }
}
