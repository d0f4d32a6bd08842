/**
 * One connection attempt (one session nonce): the peer connection, the secure channel
 * on it, and whatever arrived before the channel existed. It reports to its host once
 * secured, or that it closed or failed. Disposing it is the one way it ends, and after
 * that none of its callbacks reach the host: a late event of an attempt that was
 * replaced can never act on the one that replaced it.
 */
import { type Bytes, type RandomSource, toBase64Url } from '../core/bytes.ts';
import type { Clock } from '../core/clock.ts';
import { type DuetError, toDuetError } from '../core/errors.ts';
import type { HandshakeConfig, RsaIdentity, SessionKeys } from '../core/handshake.ts';
import type { PeerMessage } from '../core/messages.ts';
import type { Role } from '../core/roles.ts';
import { SecureChannel } from '../core/secure-channel.ts';
import type { SignalData, WebRtcSignal } from '../core/signal-seal.ts';
import type { LinkRoute, PeerLink, PeerLinkDiagnostics, PeerLinkOptions } from '../transport/peer-link.ts';

export type AttemptSecured = Pick<SessionKeys, 'safetyCode' | 'transcriptHash' | 'resumptionSecret' | 'pskUsed'>;

export interface AttemptHost {
  /** Seals and sends one of our signals (bound to this attempt by the host). */
  sendSignal(signal: SignalData): void;
  /** The peer connection is up (the handshake may still be running). */
  linkUp(): void;
  /** Handshake done and the link up: the channel carries the conversation from now on. */
  secured(result: AttemptSecured): void;
  /** The handshake failed (not our peer, or a broken attempt). */
  failed(error: DuetError): void;
  /** The peer connection closed (`error` when it failed rather than closed). */
  closed(error: DuetError | undefined): void;
  iceState(state: RTCIceConnectionState): void;
  /** The link learned something that may change its route (a relay candidate of the peer's). */
  routeMayHaveChanged(): void;
  /** An authentic message from the peer; held until secured() so nothing outruns the session's set-up. */
  message(message: PeerMessage): void;
  /** A record was refused (forged, replayed, malformed); the channel goes on. */
  rejected(error: DuetError): void;
}

export interface AttemptOptions {
  role: Role;
  /** This page's RSA key, possibly still being generated. */
  identity: Promise<RsaIdentity>;
  /** The room's PSK, or the last session's resumption secret when resuming. */
  psk: Bytes;
  /** Resuming: the resumption secret before `psk` (HandshakeOptions.previousPsk). */
  previousPsk?: Bytes;
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  handshake: HandshakeConfig;
  clock: Clock;
  random: RandomSource;
  createPeerLink(options: PeerLinkOptions): PeerLink;
}

export class ConnectionAttempt {
  private disposed = false;
  private saidGoodbye = false;
  private link: PeerLink | undefined;
  private secureChannel: SecureChannel | undefined;
  /** Frames and handshake messages that arrived before the secure channel existed (our RSA key may still be generating). */
  private earlyFrames: Bytes[] = [];
  private earlyHandshake: Bytes[] = [];
  /** Peer messages until secured (then undefined: delivered at once). */
  private held: PeerMessage[] | undefined = [];
  private closeReported = false;
  /** Why the link is being closed on purpose (simulated loss), reported instead of the link's own reason. */
  private closing: DuetError | undefined;

  constructor(
    private readonly host: AttemptHost,
    private readonly options: AttemptOptions,
  ) {}

  /** Makes the peer connection (the guest makes the offer) and starts the handshake. Throws if WebRTC refuses. */
  start(): void {
    let settleLink!: (up: boolean) => void;
    // True once the link is up, false if it ends first.
    const linkUp = new Promise<boolean>((resolve) => (settleLink = resolve));
    const live = <A extends unknown[]>(callback: (...args: A) => void) => (...args: A) => {
      if (!this.disposed) callback(...args);
    };
    this.link = this.options.createPeerLink({
      initiator: this.options.role === 'guest',
      iceServers: this.options.iceServers,
      iceTransportPolicy: this.options.iceTransportPolicy,
      onSignal: live((signal: WebRtcSignal) => this.host.sendSignal(signal)),
      onConnect: live(() => {
        this.host.linkUp();
        settleLink(true);
      }),
      onData: live((bytes: Bytes) => {
        if (this.secureChannel) this.secureChannel.receive(bytes);
        else this.earlyFrames.push(bytes);
      }),
      onClose: (error?: DuetError) => {
        settleLink(false);
        this.reportClosed(this.closing ?? error);
      },
      onIceStateChange: live((state: RTCIceConnectionState) => this.host.iceState(state)),
      onRemoteRelayCandidate: live(() => this.host.routeMayHaveChanged()),
    });
    void this.secure(this.link, linkUp);
  }

  private async secure(link: PeerLink, linkUp: Promise<boolean>): Promise<void> {
    try {
      const identity = await this.options.identity;
      if (this.disposed) return;
      const channel = new SecureChannel({
        role: this.options.role,
        identity,
        psk: this.options.psk,
        ...(this.options.previousPsk ? { previousPsk: this.options.previousPsk } : {}),
        fingerprints: () => link.fingerprints(),
        sendHandshake: (bytes) => {
          if (!this.disposed) this.host.sendSignal({ type: 'handshake', message: toBase64Url(bytes) });
        },
        send: (bytes) => link.send(bytes),
        drained: () => link.drained(),
        onMessage: (message) => this.onMessage(message),
        onRejected: (error) => {
          if (!this.disposed) this.host.rejected(error);
        },
        config: this.options.handshake,
        clock: this.options.clock,
        random: this.options.random,
      });
      this.secureChannel = channel;
      for (const message of this.earlyHandshake.splice(0)) channel.receiveHandshake(message);
      for (const frame of this.earlyFrames.splice(0)) channel.receive(frame);
      const [result, up] = await Promise.all([channel.establish(), linkUp]);
      if (this.disposed || !up) return;
      this.host.secured(result);
      const held = this.held ?? [];
      this.held = undefined;
      for (const message of held) if (!this.disposed) this.host.message(message);
    } catch (error) {
      if (!this.disposed) this.host.failed(toDuetError(error, 'handshake-failed'));
    }
  }

  private onMessage(message: PeerMessage): void {
    if (this.disposed) return;
    if (this.held) this.held.push(message);
    else this.host.message(message);
  }

  private reportClosed(error: DuetError | undefined): void {
    if (this.disposed || this.closeReported) return;
    this.closeReported = true;
    this.host.closed(error);
  }

  /** The secure channel, once made (before the handshake is done it carries nothing). */
  get channel(): SecureChannel | undefined {
    return this.secureChannel;
  }

  /** A WebRTC signal from the peer (already opened and checked against the binding). */
  signal(signal: WebRtcSignal): void {
    this.link?.signal(signal);
  }

  /** A handshake message from the peer, through the server. */
  receiveHandshake(bytes: Bytes): void {
    if (this.secureChannel) this.secureChannel.receiveHandshake(bytes);
    else this.earlyHandshake.push(bytes);
  }

  /** (Guest) an ICE restart on this peer connection: a fresh offer goes out through sendSignal. */
  restartIce(): void {
    this.link?.restartIce();
  }

  /** Fresh ICE servers for the next gathering (before an ICE restart). */
  setIceServers(iceServers: RTCIceServer[]): void {
    this.link?.setIceServers(iceServers);
  }

  route(): Promise<LinkRoute> | undefined {
    return this.link?.route();
  }

  drained(): Promise<void> {
    return this.link?.drained() ?? Promise.resolve();
  }

  /** Resolves once every record received so far has been handled. */
  settled(): Promise<void> {
    return this.secureChannel?.settled() ?? Promise.resolve();
  }

  diagnostics(): Promise<PeerLinkDiagnostics> | undefined {
    return this.link?.diagnostics();
  }

  /** Breaks the peer connection the way a network failure would (no goodbye), reporting `reason`. */
  breakLink(reason: DuetError): void {
    if (!this.link || this.disposed) return;
    this.closing = reason;
    this.link.destroy();
    this.reportClosed(reason);
  }

  /** Says goodbye to the peer (the pre-sealed "bye"); dispose() then lets the peer close the link. */
  sayGoodbye(): void {
    if (this.secureChannel?.sayGoodbye()) this.saidGoodbye = true;
  }

  /** Ends the attempt: the channel closes, the peer connection goes, and nothing more is reported. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.secureChannel?.close();
    this.link?.destroy(this.saidGoodbye ? 'after-goodbye' : 'now');
  }
}
