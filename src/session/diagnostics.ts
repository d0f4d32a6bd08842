/**
 * Diagnostics (also for the end-to-end tests): peer connections made and ICE restarts
 * completed in this conversation, with the current link's ICE state, candidates and route.
 * It reveals no message, key or secret: only what any page learns from its own
 * RTCPeerConnection.
 */
import type { PeerLinkDiagnostics } from '../transport/peer-link.ts';

export interface SessionDiagnostics extends PeerLinkDiagnostics {
  peerConnections: number;
  iceRestarts: number;
}

export class DiagnosticCounters {
  peerConnections = 0;
  iceRestarts = 0;

  /** `link`: the current link's own diagnostics, undefined without a link. */
  async report(link: Promise<PeerLinkDiagnostics> | undefined): Promise<SessionDiagnostics> {
    // The link keeps its own ICE state and candidates; without one there is neither.
    const linkReport = (await link) ?? { iceState: 'new' as const, localPorts: [], localCandidates: [], remoteCandidates: [], route: 'unknown' as const };
    return { peerConnections: this.peerConnections, iceRestarts: this.iceRestarts, ...linkReport };
  }
}
