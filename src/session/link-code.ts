/**
 * The code that makes peer links (the app's is WebRTC's library, simple-peer with its
 * stream base: about a third of the start-up script), which the lobby does not need.
 * It is loaded as a conversation starts, alongside the server connection and the
 * room's keys, and the first peer link waits for it only if it has not arrived by
 * then: the host's when the guest has joined, the guest's when the host's session
 * nonce comes. A failed load ends the conversation with a named error at once.
 */
import { DuetError } from '../core/errors.ts';
import type { PeerLinkFactory } from '../transport/peer-link.ts';

export interface LinkCodeHost {
  /** Fetches the factory (SessionTransport.loadPeerLinks). */
  load(): Promise<PeerLinkFactory>;
  /** The load failed: DuetError('app-load-failed'). */
  failed(error: DuetError): void;
}

type LinkCodeState =
  | { kind: 'not-loaded' }
  | { kind: 'loading'; settled: Promise<void> }
  | { kind: 'loaded'; create: PeerLinkFactory }
  | { kind: 'failed'; error: DuetError };

export class LinkCode {
  private state: LinkCodeState = { kind: 'not-loaded' };
  /** Work for the current peer waiting for the code (whenLoaded). */
  private waiting: (() => void)[] = [];

  constructor(private readonly host: LinkCodeHost) {}

  /** Starts the load; nothing while it runs or once it succeeded. After a failure it is tried again. */
  load(): void {
    if (this.state.kind === 'loading' || this.state.kind === 'loaded') return;
    let loading: Promise<PeerLinkFactory>;
    try {
      loading = this.host.load();
    } catch (error) {
      loading = Promise.reject(error);
    }
    const settled = loading.then(
      (create) => {
        this.state = { kind: 'loaded', create };
        for (const then of this.waiting.splice(0)) then();
      },
      (cause: unknown) => {
        const error = new DuetError('app-load-failed', 'the peer connection code', { cause });
        this.state = { kind: 'failed', error };
        this.waiting = [];
        this.host.failed(error);
      },
    );
    this.state = { kind: 'loading', settled };
  }

  /** The factory once loaded (undefined before, or after a failed load). */
  get create(): PeerLinkFactory | undefined {
    return this.state.kind === 'loaded' ? this.state.create : undefined;
  }

  /** Runs `then` once the code is loaded: at once if it is; never if the load fails or forgetWaiting() comes first. */
  whenLoaded(then: () => void): void {
    if (this.state.kind === 'loaded') return then();
    this.waiting.push(then);
    if (this.state.kind === 'not-loaded') this.load();
  }

  /** The peer is gone: what waited for the code on its behalf does not run. */
  forgetWaiting(): void {
    this.waiting = [];
  }

  /**
   * Resolves once the load has succeeded or failed (a failure is reported through the
   * host, never by rejecting; it is not tried again here); starts it if nobody did.
   * Check `create` first: once loaded, what follows need not wait for a promise.
   */
  settled(): Promise<void> {
    if (this.state.kind === 'not-loaded') this.load();
    return this.state.kind === 'loading' ? this.state.settled : Promise.resolve();
  }
}
