import { describe, expect, it } from 'vitest';
import { DiagnosticCounters } from '../../../src/session/diagnostics.ts';

describe('DiagnosticCounters', () => {
  it('reports the counters with the current link\'s ICE state and ports, or a fresh state without a link', async () => {
    const counters = new DiagnosticCounters();
    expect(await counters.report(undefined)).toEqual({ peerConnections: 0, iceRestarts: 0, iceState: 'new', localPorts: [] });
    counters.peerConnections += 2;
    counters.iceRestarts += 1;
    const link = Promise.resolve({ iceState: 'connected' as const, localPorts: [40011, 40012] });
    expect(await counters.report(link)).toEqual({ peerConnections: 2, iceRestarts: 1, iceState: 'connected', localPorts: [40011, 40012] });
  });
});
