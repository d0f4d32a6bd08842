/**
 * The direct peer-to-peer link: one WebRTC data channel through simple-peer (the
 * maintained @thaunknown fork, data-channel-only "lite" build). This is the only
 * module that touches WebRTC. It carries opaque bytes; security is the core's job.
 */
import Peer from '@thaunknown/simple-peer/lite.js';
import type { Bytes } from '../core/bytes.ts';
import { DuetError } from '../core/errors.ts';
import { type WebRtcSignal, sdpFingerprint } from '../core/signal-seal.ts';
import { type CandidateSummary, type LinkRoute, candidateSummaries, relayCandidateAddress, routeFromStats } from './link-route.ts';
import { RelayGathering } from './relay-gathering.ts';
import { peerConnectionAvailable, takeCertificate } from './certificate.ts';

export type { CandidateSummary, LinkRoute } from './link-route.ts';

export interface PeerLinkOptions {
  initiator: boolean;
  /** From configuration only; the default is [] so no traffic goes to public STUN servers. */
  iceServers: RTCIceServer[];
  /** 'relay' ("Hide my IP address from my peer"): only TURN relay candidates are gathered and offered. */
  iceTransportPolicy: RTCIceTransportPolicy;
  onSignal: (signal: WebRtcSignal) => void;
  onConnect: () => void;
  onData: (bytes: Bytes) => void;
  /** The link is gone: `error` is set when it failed rather than closed. */
  onClose: (error?: DuetError) => void;
  /**
   * The ICE connection state changed ('disconnected' while the data channel is still
   * open is what an ICE restart can repair). 'failed' is not repairable here:
   * simple-peer destroys the connection and onClose follows.
   */
  onIceStateChange?: (state: RTCIceConnectionState) => void;
  /**
   * The peer signaled a relay candidate: a path ICE already chose through it, first
   * seen as peer-reflexive, now reads as relayed, so the route is worth reading again.
   */
  onRemoteRelayCandidate?: () => void;
}

/** Makes a peer link (createPeerLink; a fake in tests). */
export type PeerLinkFactory = (options: PeerLinkOptions) => PeerLink;

export interface PeerLink {
  signal(signal: WebRtcSignal): void;
  /** Sends one message; the bytes are copied before it returns (RTCDataChannel.send copies them), so the caller may reuse them. */
  send(bytes: Bytes): void;
  /**
   * Resolves once the data channel's send buffer is low (at once when it already
   * is, or when the link is gone), so bulk senders such as file transfers keep
   * memory bounded and leave room for chat messages.
   */
  drained(): Promise<void>;
  /**
   * DTLS fingerprints from the local and remote SDP, bound into the handshake: resolves
   * once both descriptions are known (after the offer and answer, before the
   * connection is up); rejects with DuetError('not-connected') if the link ends first.
   */
  fingerprints(): Promise<{ local: string; remote: string }>;
  /**
   * Restarts ICE on this peer connection (the offerer only): a new offer with fresh ICE
   * credentials goes out through onSignal; the data channel and DTLS stay as they are.
   */
  restartIce(): void;
  /**
   * New ICE servers for this connection (fresh TURN credentials), used by the next ICE
   * gathering: set before an ICE restart (RTCPeerConnection.setConfiguration).
   */
  setIceServers(iceServers: RTCIceServer[]): void;
  /** How the connection runs now: from the selected candidate pair ('unknown' before there is one). */
  route(): Promise<LinkRoute>;
  /** Diagnostics for tests: the ICE state and the ports of this side's ICE candidates. */
  diagnostics(): Promise<PeerLinkDiagnostics>;
  /** Ends the link; nothing more is reported. See LinkTeardown. */
  destroy(teardown?: LinkTeardown): void;
}

/**
 * 'now': the channel closes (sending what it has queued) and then the connection.
 * 'after-goodbye': a goodbye was just sent, so the channel stays open until the peer,
 * having read it, closes it (at most CLOSE_FLUSH_MS), then as 'now'. Closing first
 * could lose the goodbye at a Node peer: node-datachannel delivers a channel's last
 * messages and its close through separate native queues, and under load the close won
 * and the goodbye was dropped, so the peer saw a lost connection instead of "left".
 */
export type LinkTeardown = 'now' | 'after-goodbye';

/**
 * Above this many buffered bytes, drained() waits for the channel's bufferedamountlow
 * event. Low, because a chat message sent during a file transfer queues behind what
 * the channel buffers (with 16 KiB file chunks, this and the few records being sealed
 * are about a dozen chunks, a few milliseconds on a local network).
 */
const SEND_BUFFER_HIGH_BYTES = 128 * 1024;
/** How long a link being destroyed waits for its channel to close cleanly (its last messages to leave). */
const CLOSE_FLUSH_MS = 1_000;
/**
 * How long the link still hands over the peer's messages after its connection reported
 * closing. In Node, node-datachannel delivers a channel's messages and its close through
 * separate native queues, so the peer's last message (its goodbye) can come just after
 * the close; without this it was dropped and a Leave read as a lost connection.
 */
const CLOSE_GRACE_MS = 200;
/** The bufferedamountlow threshold simple-peer sets on its channel. */
const SEND_BUFFER_LOW_BYTES = 64 * 1024;

export interface PeerLinkDiagnostics {
  iceState: RTCIceConnectionState;
  /** UDP ports of the local ICE candidates gathered so far (all generations). */
  localPorts: number[];
  /** This side's and the peer's ICE candidates known to this connection. */
  localCandidates: CandidateSummary[];
  remoteCandidates: CandidateSummary[];
  route: LinkRoute;
}

interface SimplePeerInstance {
  /** Passed to createOffer; simple-peer reads it each time it makes an offer. */
  offerOptions: RTCOfferOptions;
  /** The initiator makes a new offer (simple-peer's renegotiation). */
  negotiate(): void;
  getStats(callback: (error: Error | null, reports: Record<string, unknown>[]) => void): void;
  /** simple-peer's RTCPeerConnection (not part of its typed API, but stable across its versions). */
  _pc?: RTCPeerConnection | null;
  /** simple-peer's RTCDataChannel (not part of its typed API, but stable across its versions). */
  _channel?: RTCDataChannel | null;
  signal(data: unknown): void;
  send(data: Uint8Array): void;
  destroy(error?: Error): void;
  on(event: 'signal', listener: (data: unknown) => void): void;
  on(event: 'connect' | 'close', listener: () => void): void;
  on(event: 'data', listener: (data: Uint8Array) => void): void;
  on(event: 'error', listener: (error: Error & { code?: string }) => void): void;
  on(event: 'iceStateChange', listener: (iceConnectionState: RTCIceConnectionState, iceGatheringState: RTCIceGatheringState) => void): void;
}

type SimplePeerConstructor = new (options: Record<string, unknown>) => SimplePeerInstance;

export function createPeerLink(options: PeerLinkOptions): PeerLink {
  if (!peerConnectionAvailable()) throw new DuetError('peer-unavailable');
  const certificate = takeCertificate();
  const peer = new (Peer as unknown as SimplePeerConstructor)({
    initiator: options.initiator,
    trickle: true,
    config: { iceServers: options.iceServers, iceTransportPolicy: options.iceTransportPolicy, ...(certificate ? { certificates: [certificate] } : {}) },
    channelConfig: { ordered: true },
  });
  let localFingerprint: string | undefined;
  let remoteFingerprint: string | undefined;
  /** fingerprints() callers waiting for the offer and answer. */
  let fingerprintWaiters: { resolve: (value: { local: string; remote: string }) => void; reject: (error: DuetError) => void }[] = [];
  const settleFingerprints = (error?: DuetError) => {
    if (!error && (!localFingerprint || !remoteFingerprint)) return;
    const waiters = fingerprintWaiters;
    fingerprintWaiters = [];
    for (const waiter of waiters) {
      if (error) waiter.reject(error);
      else waiter.resolve({ local: localFingerprint!, remote: remoteFingerprint! });
    }
  };
  let iceState: RTCIceConnectionState = 'new';
  /** `address:port` of the relay candidates the peer signaled (see routeFromStats). */
  const remoteRelays = new Set<string>();
  /**
   * 'closing': the connection closed, and the close is reported CLOSE_GRACE_MS later, the
   * peer's messages still handed over meanwhile. 'ended': reported, or destroyed.
   */
  let state: 'open' | 'closing' | 'ended' = 'open';
  /** drained() callers waiting for the buffer to empty, or for the link to end. */
  let drainWaiters: (() => void)[] = [];
  const releaseDrainWaiters = () => {
    const waiters = drainWaiters;
    drainWaiters = [];
    for (const resolve of waiters) resolve();
  };
  let watchedChannel: RTCDataChannel | undefined;
  const watchChannel = (channel: RTCDataChannel) => {
    if (watchedChannel === channel) return;
    watchedChannel = channel;
    channel.bufferedAmountLowThreshold = SEND_BUFFER_LOW_BYTES;
    // addEventListener, not onbufferedamountlow: simple-peer owns that property.
    channel.addEventListener('bufferedamountlow', releaseDrainWaiters);
    channel.addEventListener('close', releaseDrainWaiters);
  };
  /** Stops sending: waiters for the buffer and the fingerprints are let go. */
  const stop = (next: 'closing' | 'ended') => {
    state = next;
    releaseDrainWaiters();
    settleFingerprints(new DuetError('not-connected'));
  };
  const close = (error?: DuetError) => {
    if (state !== 'open') return;
    stop('closing');
    setTimeout(() => {
      if (state !== 'closing') return;
      state = 'ended';
      options.onClose(error);
    }, CLOSE_GRACE_MS);
  };

  // Relay-only: a round of gathering with no relay candidate can never connect (relay-failed).
  const relay = options.iceTransportPolicy === 'relay' ? new RelayGathering() : undefined;
  const pc = peer._pc;
  if (relay && pc) {
    pc.addEventListener('icecandidate', (event) => {
      if (event.candidate) relay.candidate(event.candidate.candidate);
    });
    pc.addEventListener('icecandidateerror', (event) => {
      const error = event as RTCPeerConnectionIceErrorEvent;
      relay.error(error.errorCode, error.errorText);
    });
    pc.addEventListener('icegatheringstatechange', () => {
      const outcome = relay.state(pc.iceGatheringState);
      if (outcome.failed) close(new DuetError('relay-failed', outcome.detail));
    });
  }

  peer.on('signal', (data) => {
    const signal = data as WebRtcSignal;
    // The ICE restart's offer is out: later offers (if any) are ordinary ones again.
    if (signal.type === 'offer') peer.offerOptions = {};
    if (signal.type === 'offer' || signal.type === 'answer') {
      localFingerprint = sdpFingerprint(signal.sdp);
      settleFingerprints();
    }
    if (signal.type === 'offer' || signal.type === 'answer' || signal.type === 'candidate') options.onSignal(signal);
  });
  peer.on('connect', () => options.onConnect());
  // The channel's messages are read here rather than through simple-peer's stream, which
  // drops them once its connection is destroyed (see CLOSE_GRACE_MS) and queues each one
  // through a stream buffer. A view of the message's own fresh buffer: no copy (copying
  // each 64 KiB record cost a tenth of the receiving main thread in a bulk profile).
  let readChannel: RTCDataChannel | undefined;
  const readFrom = (channel: RTCDataChannel | null | undefined) => {
    if (!channel || channel === readChannel) return;
    readChannel = channel;
    channel.binaryType = 'arraybuffer';
    channel.onmessage = null;
    channel.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (state === 'ended') return;
      const data = event.data;
      if (data instanceof ArrayBuffer) options.onData(new Uint8Array(data) as Bytes);
      else if (typeof data === 'string') options.onData(new TextEncoder().encode(data) as Bytes); // never Duet's; refused as malformed
    });
  };
  // The offerer's channel exists at once; the answerer's arrives with the offer (after
  // simple-peer's own datachannel handler, registered first, has set it up).
  readFrom(peer._channel);
  pc?.addEventListener('datachannel', (event) => readFrom(event.channel));
  peer.on('close', () => close());
  peer.on('error', (error) => close(new DuetError('peer-connection-failed', error.code ?? error.message, { cause: error })));
  peer.on('iceStateChange', (iceConnectionState) => {
    iceState = iceConnectionState;
    if (state === 'open') options.onIceStateChange?.(iceConnectionState);
  });

  return {
    signal(signal) {
      if (signal.type !== 'candidate') {
        // A renegotiation (ICE restart) keeps the DTLS session: a different certificate
        // would no longer be the one the handshake bound, so it is refused.
        const fingerprint = sdpFingerprint(signal.sdp);
        if (remoteFingerprint !== undefined && fingerprint !== remoteFingerprint) {
          throw new DuetError('signal-rejected', 'the DTLS fingerprint changed in a renegotiation');
        }
        remoteFingerprint = fingerprint;
      }
      peer.signal(signal);
      settleFingerprints();
      const relayAddress = signal.type === 'candidate' ? relayCandidateAddress(signal.candidate.candidate) : undefined;
      if (relayAddress !== undefined && !remoteRelays.has(relayAddress)) {
        remoteRelays.add(relayAddress);
        options.onRemoteRelayCandidate?.();
      }
    },
    send(bytes) {
      if (state !== 'open') throw new DuetError('not-connected');
      peer.send(bytes);
    },
    drained() {
      const channel = peer._channel;
      if (state !== 'open' || !channel || channel.readyState !== 'open' || channel.bufferedAmount <= SEND_BUFFER_HIGH_BYTES) return Promise.resolve();
      watchChannel(channel);
      return new Promise((resolve) => drainWaiters.push(resolve));
    },
    fingerprints() {
      if (state !== 'open') return Promise.reject(new DuetError('not-connected'));
      return new Promise((resolve, reject) => {
        fingerprintWaiters.push({ resolve, reject });
        settleFingerprints();
      });
    },
    restartIce() {
      if (state !== 'open') return;
      if (!options.initiator) throw new DuetError('peer-connection-failed', 'only the offerer restarts ICE');
      // Equivalent to RTCPeerConnection.restartIce(): the next offer has new ICE credentials.
      peer.offerOptions = { iceRestart: true };
      peer.negotiate();
    },
    setIceServers(iceServers) {
      if (state !== 'open') return;
      // The policy stays what it was: a relay-only connection never widens to direct.
      peer._pc?.setConfiguration({ ...peer._pc.getConfiguration(), iceServers, iceTransportPolicy: options.iceTransportPolicy });
    },
    route() {
      return new Promise((resolve) => {
        if (state !== 'open') return resolve('unknown');
        peer.getStats((error, reports) => resolve(error ? 'unknown' : routeFromStats(reports, remoteRelays)));
      });
    },
    diagnostics() {
      return new Promise((resolve) => {
        const none = { iceState: 'closed' as const, localPorts: [], localCandidates: [], remoteCandidates: [], route: 'unknown' as const };
        if (state !== 'open') return resolve(none);
        peer.getStats((error, reports) => {
          if (error) return resolve({ ...none, iceState });
          const localCandidates = candidateSummaries(reports, 'local-candidate');
          const localPorts = [...new Set(localCandidates.map((c) => c.port).filter((port) => port > 0))];
          resolve({ iceState, localPorts, localCandidates, remoteCandidates: candidateSummaries(reports, 'remote-candidate'), route: routeFromStats(reports, remoteRelays) });
        });
      });
    },
    destroy(teardown = 'now') {
      stop('ended');
      const channel = peer._channel;
      if (channel?.readyState !== 'open') return void peer.destroy();
      // simple-peer's destroy() closes the channel and then the peer connection in the
      // same tick, and closing the connection aborts what the channel had not sent yet: a
      // goodbye sent just before was lost about one time in six. Closing the channel alone
      // sends what is queued first; simple-peer tears down when it reports the channel
      // closed, or the cap does.
      let timer: ReturnType<typeof setTimeout>;
      const closeChannel = () => {
        timer = setTimeout(() => peer.destroy(), CLOSE_FLUSH_MS);
        channel.close();
      };
      channel.addEventListener(
        'close',
        () => {
          clearTimeout(timer);
          peer.destroy();
        },
        { once: true },
      );
      if (teardown === 'now') closeChannel();
      else timer = setTimeout(closeChannel, CLOSE_FLUSH_MS);
    },
  };
}
