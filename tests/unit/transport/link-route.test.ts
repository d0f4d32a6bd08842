/** How a link tells Direct from Relayed: the selected candidate pair in getStats(), as browsers report it. */
import { describe, expect, it } from 'vitest';
import { relayCandidateAddress, routeFromStats } from '../../../src/transport/link-route.ts';

const candidates = [
  { id: 'L-host', type: 'local-candidate', candidateType: 'host', address: '192.0.2.10', port: 50000 },
  { id: 'L-relay', type: 'local-candidate', candidateType: 'relay', address: '203.0.113.5', port: 49160 },
  { id: 'R-host', type: 'remote-candidate', candidateType: 'host', address: '198.51.100.7', port: 50001 },
  { id: 'R-srflx', type: 'remote-candidate', candidateType: 'srflx', address: '198.51.100.8', port: 50002 },
  { id: 'R-relay', type: 'remote-candidate', candidateType: 'relay', address: '203.0.113.5', port: 49170 },
];
const pair = (id: string, local: string, remote: string, extra: Record<string, unknown> = {}) => ({ id, type: 'candidate-pair', localCandidateId: local, remoteCandidateId: remote, ...extra });

describe('routeFromStats', () => {
  it('reads the transport’s selected pair (Chromium, Safari): relay on either end is Relayed', () => {
    const pairs = [pair('P1', 'L-host', 'R-host'), pair('P2', 'L-relay', 'R-host'), pair('P3', 'L-host', 'R-relay'), pair('P4', 'L-host', 'R-srflx')];
    const withSelected = (id: string) => [...candidates, ...pairs, { id: 'T', type: 'transport', selectedCandidatePairId: id }];
    expect(routeFromStats(withSelected('P1'))).toBe('direct');
    expect(routeFromStats(withSelected('P4'))).toBe('direct');
    expect(routeFromStats(withSelected('P2'))).toBe('relayed');
    expect(routeFromStats(withSelected('P3'))).toBe('relayed');
  });

  it('falls back to a pair marked selected (Firefox), or nominated and succeeded', () => {
    expect(routeFromStats([...candidates, pair('P1', 'L-host', 'R-host'), pair('P2', 'L-relay', 'R-host', { selected: true })])).toBe('relayed');
    expect(routeFromStats([...candidates, pair('P1', 'L-relay', 'R-relay', { nominated: true, state: 'in-progress' }), pair('P2', 'L-host', 'R-host', { nominated: true, state: 'succeeded' })])).toBe('direct');
  });

  it('is unknown without a selected pair, or when its candidates are missing', () => {
    expect(routeFromStats(candidates)).toBe('unknown');
    expect(routeFromStats([...candidates, pair('P1', 'L-host', 'R-host')])).toBe('unknown');
    expect(routeFromStats([pair('P1', 'L-x', 'R-y'), { id: 'T', type: 'transport', selectedCandidatePairId: 'P1' }])).toBe('unknown');
  });

  it('tells a peer-reflexive end that is a relay the peer signaled (its checks came before its candidate) from a direct one', () => {
    const prflx = { id: 'R-prflx', type: 'remote-candidate', candidateType: 'prflx', address: '203.0.113.9', port: 49180 };
    const reports = [...candidates, prflx, pair('P1', 'L-host', 'R-prflx'), { id: 'T', type: 'transport', selectedCandidatePairId: 'P1' }];
    expect(routeFromStats(reports)).toBe('direct');
    expect(routeFromStats(reports, new Set(['203.0.113.9:49181']))).toBe('direct');
    expect(routeFromStats(reports, new Set(['203.0.113.9:49180']))).toBe('relayed');
  });
});

describe('relayCandidateAddress', () => {
  it('gives address:port of a relay candidate line and nothing for other types', () => {
    expect(relayCandidateAddress('candidate:1 1 udp 41885439 203.0.113.9 49180 typ relay raddr 0.0.0.0 rport 0 generation 0')).toBe('203.0.113.9:49180');
    expect(relayCandidateAddress('candidate:2 1 udp 2122260223 [2001:db8::1] 50000 typ host')).toBeUndefined();
    expect(relayCandidateAddress('candidate:3 1 udp 2122260223 192.0.2.1 50000 typ host generation 0')).toBeUndefined();
    expect(relayCandidateAddress('candidate:4 1 udp 1 192.0.2.1 50000 relay typ')).toBeUndefined();
    expect(relayCandidateAddress('')).toBeUndefined();
  });
});
