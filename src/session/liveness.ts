/**
 * Liveness of a secure conversation: a keepalive goes out when nothing else was sent
 * for a while, and a peer silent for too long is taken as a broken connection (a
 * closed data channel is not always reported quickly, e.g. after a network change).
 */
import type { Clock } from '../core/clock.ts';
import { DuetError } from '../core/errors.ts';

export const KEEPALIVE_INTERVAL_MS = 4000;
export const SILENCE_LIMIT_MS = 12_000;

export interface LivenessHost {
  clock: Clock;
  /** Checks run only while this holds (the conversation is secure). */
  active(): boolean;
  /** When our last record went out (clock time). */
  lastSentAt(): number;
  sendKeepalive(): void;
  /** The peer has been silent past the limit. */
  silent(reason: DuetError): void;
}

export class Liveness {
  private lastHeardAt = 0;
  private cancel: (() => void) | undefined;

  constructor(private readonly host: LivenessHost) {}

  /**
   * Every few seconds: say something if we have been quiet, and give up on a peer
   * that has been silent too long. A check that itself ran late (a suspended laptop,
   * a throttled background tab) proves nothing about the peer, so it starts over.
   */
  start(): void {
    this.cancel?.();
    const { clock } = this.host;
    let lastCheck = clock.now();
    this.lastHeardAt = lastCheck;
    const check = () => {
      if (!this.host.active()) return;
      const now = clock.now();
      if (now - lastCheck > 2 * KEEPALIVE_INTERVAL_MS) this.lastHeardAt = now;
      lastCheck = now;
      if (now - this.lastHeardAt > SILENCE_LIMIT_MS) {
        this.host.silent(new DuetError('peer-connection-failed', `nothing from the peer for ${SILENCE_LIMIT_MS / 1000} s`));
        return;
      }
      if (now - this.host.lastSentAt() >= KEEPALIVE_INTERVAL_MS) this.host.sendKeepalive();
      this.cancel = clock.setTimeout(check, KEEPALIVE_INTERVAL_MS);
    };
    this.cancel = clock.setTimeout(check, KEEPALIVE_INTERVAL_MS);
  }

  /** Something authentic arrived from the peer. */
  heard(): void {
    this.lastHeardAt = this.host.clock.now();
  }

  clearPeer(): void {
    this.cancel?.();
    this.cancel = undefined;
  }
}
