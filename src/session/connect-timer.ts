/**
 * The time a peer gets from its arrival to a secure conversation: the PAKE (if any), the
 * direct connection, the handshake and its first profile. One timer per peer; a new
 * peer starts it again, and clearPeer() lets it go.
 */
import type { Clock } from '../core/clock.ts';

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

export class ConnectTimer {
  private cancel: (() => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly expired: () => void,
  ) {}

  start(): void {
    this.clearPeer();
    this.cancel = this.clock.setTimeout(() => {
      this.cancel = undefined;
      this.expired();
    }, this.timeoutMs);
  }

  clearPeer(): void {
    this.cancel?.();
    this.cancel = undefined;
  }
}
