/**
 * Where each peer connection's ICE servers come from, and which route it may take.
 *
 *   servers   the signaling server's list (message `ice-servers`, with short-lived TURN
 *             credentials) once it sent one, else the build-time list (VITE_ICE_SERVERS,
 *             default none);
 *   policy    "Hide my IP address from my peer": relay-only connections gather and offer
 *             TURN relay candidates only, so the peer never learns this side's address.
 *             Without a TURN server that cannot work: a named error, never a quiet
 *             direct connection;
 *   freshness before a new connection or an ICE restart, credentials about to expire are
 *             refreshed (`refresh-ice`) and the fresh ones used.
 */
import type { RelayOffer as ServerRelayOffer } from '../../signaling/protocol.ts';
import type { Clock } from '../core/clock.ts';
import { DuetError } from '../core/errors.ts';
import type { SignalingConnection, SignalingHandlers } from '../transport/signaling-client.ts';

/** "Hide my IP address from my peer" off ('any-route') or on ('relay-only'). */
export type AddressPolicy = 'any-route' | 'relay-only';

/** Whether a relay is on offer: 'unknown' until the server answered (or when it could not be asked). */
export type RelayOffer = ServerRelayOffer | 'unknown';

export interface IceChoice {
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
}

/** Credentials with less than this left are refreshed before they are used again. */
export const REFRESH_MARGIN_MS = 60_000;
/**
 * How long a refresh may take before the connection goes on with what it has: both
 * sides may wait in turn within one ICE restart's 6 s bound.
 */
export const REFRESH_WAIT_MS = 2_000;
/** How long the lobby waits for the server to say whether it offers a relay. */
export const OFFER_WAIT_MS = 5_000;

export function offersRelay(iceServers: readonly RTCIceServer[]): boolean {
  return iceServers.some((server) => [server.urls].flat().some((url) => /^turns?:/i.test(url)));
}

export interface IceSupplyHost {
  clock: Clock;
  /** Sends `refresh-ice`; false when there is no server connection to send it on. */
  requestRefresh(): boolean;
}

export class IceSupply {
  policy: AddressPolicy = 'any-route';
  private served: { iceServers: RTCIceServer[]; expiresAt: number } | undefined;
  private waiters: (() => void)[] = [];
  private cancelWait: (() => void) | undefined;

  constructor(
    private readonly host: IceSupplyHost,
    /** The build-time list: used until (unless) the server sends one. */
    private readonly fallback: RTCIceServer[],
  ) {}

  /** The build-time list alone already has a TURN server. */
  get fallbackOffersRelay(): boolean {
    return offersRelay(this.fallback);
  }

  /** The server's list (after created/joined, or a refresh); it replaces the build-time one. */
  received(iceServers: RTCIceServer[], expiresAt: number): void {
    this.served = { iceServers, expiresAt };
    this.release();
  }

  /** The server's credentials expire within REFRESH_MARGIN_MS (or already have). */
  get stale(): boolean {
    return this.served !== undefined && this.served.expiresAt - this.host.clock.now() <= REFRESH_MARGIN_MS;
  }

  /** What a peer connection uses now; throws DuetError('relay-unavailable') when relay-only has no TURN server. */
  current(): IceChoice {
    const iceServers = this.served?.iceServers ?? this.fallback;
    if (this.policy === 'any-route') return { iceServers, iceTransportPolicy: 'all' };
    if (!offersRelay(iceServers)) throw new DuetError('relay-unavailable', 'no TURN server in the ICE servers');
    return { iceServers, iceTransportPolicy: 'relay' };
  }

  /**
   * Runs `then` once the credentials are good to use: at once when they are not the
   * server's or not about to expire; else after asking the server for fresh ones (at
   * most REFRESH_WAIT_MS, then with what there is: the connection attempt says the rest).
   */
  whenFresh(then: () => void): void {
    if (!this.stale) return then();
    this.waiters.push(then);
    if (this.waiters.length > 1) return;
    if (!this.host.requestRefresh()) return this.release();
    this.cancelWait = this.host.clock.setTimeout(() => this.release(), REFRESH_WAIT_MS);
  }

  /** Drops waiting work (the conversation ended). */
  stop(): void {
    this.cancelWait?.();
    this.cancelWait = undefined;
    this.waiters = [];
  }

  private release(): void {
    this.cancelWait?.();
    this.cancelWait = undefined;
    const waiters = this.waiters;
    this.waiters = [];
    for (const run of waiters) run();
  }
}

/**
 * Asks the signaling server what it offers (`server-info`, answered in kind) on a connection of its
 * own, closed right after: the lobby needs to know before a room is entered. Resolves
 * 'unknown' when the server cannot be reached or does not answer within OFFER_WAIT_MS.
 */
export function askRelayOffer(
  connect: (handlers: SignalingHandlers) => Promise<SignalingConnection>,
  clock: Clock,
): Promise<RelayOffer> {
  return new Promise((resolve) => {
    let connection: SignalingConnection | undefined;
    let settled = false;
    const cancel = clock.setTimeout(() => finish('unknown'), OFFER_WAIT_MS);
    const finish = (offer: RelayOffer) => {
      if (settled) return;
      settled = true;
      cancel();
      connection?.close();
      resolve(offer);
    };
    connect({
      onMessage: (message) => {
        if (message.type === 'server-info') finish(message.relay);
        // A server from before `server-info` refuses it (bad-request): it offers nothing it could say.
        else if (message.type === 'error') finish('unknown');
      },
      onInvalid: () => finish('unknown'),
      onClose: () => finish('unknown'),
    }).then(
      (opened) => {
        connection = opened;
        if (settled) opened.close();
        else opened.send({ type: 'server-info' });
      },
      () => finish('unknown'),
    );
  });
}
