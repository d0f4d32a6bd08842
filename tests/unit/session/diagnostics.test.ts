import { describe, expect, it } from 'vitest';
import { DiagnosticCounters } from '../../../src/session/diagnostics.ts';

describe('DiagnosticCounters', () => {
  it('reports the counters with the current link\'s ICE state and ports, or a fresh state without a link', async () => {
    const counters = new DiagnosticCounters();
    expect(await counters.report(undefined)).toEqual({
      peerConnections: 0,
      iceRestarts: 0,
      iceState: 'new',
      localPorts: [],
      localCandidates: [],
      remoteCandidates: [],
      route: 'unknown',
    });
    counters.peerConnections += 2;
    counters.iceRestarts += 1;
    const linkReport = {
      iceState: 'connected' as const,
      localPorts: [40011, 40012],
      localCandidates: [{ type: 'host', address: '127.0.0.1', port: 40011 }],
      remoteCandidates: [],
      route: 'direct' as const,
    };
    expect(await counters.report(Promise.resolve(linkReport))).toEqual({ peerConnections: 2, iceRestarts: 1, ...linkReport });
  });
});
