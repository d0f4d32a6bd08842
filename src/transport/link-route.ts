/**
 * How a peer connection runs, read from its getStats() report: through a TURN relay
 * ("Relayed") or straight between the two peers ("Direct").
 */

/** Through a TURN relay on either side, or straight between the two browsers. */
export type LinkRoute = 'unknown' | 'direct' | 'relayed';

/** One ICE candidate as getStats() reports it (type host, srflx, prflx or relay). */
export interface CandidateSummary {
  type: string;
  address: string;
  port: number;
}

export type StatsReport = Record<string, unknown>;

export function candidateSummaries(reports: StatsReport[], type: 'local-candidate' | 'remote-candidate'): CandidateSummary[] {
  return reports
    .filter((r) => r.type === type)
    .map((r) => ({
      type: typeof r.candidateType === 'string' ? r.candidateType : 'unknown',
      address: typeof r.address === 'string' ? r.address : typeof r.ip === 'string' ? r.ip : '',
      port: typeof r.port === 'number' ? r.port : 0,
    }));
}

/**
 * `address:port` of a relay candidate in an ICE candidate line
 * ("candidate:… udp … 203.0.113.7 3478 typ relay …"), else undefined.
 */
export function relayCandidateAddress(candidateLine: string): string | undefined {
  const fields = candidateLine.trim().split(/\s+/);
  const typ = fields.indexOf('typ');
  if (typ !== 6 || fields[7] !== 'relay') return undefined;
  return `${fields[4]}:${fields[5]}`;
}

/**
 * The route of the selected candidate pair: the transport's selectedCandidatePairId
 * (Chromium, Safari), else a pair marked selected (Firefox) or nominated and succeeded.
 * A relay candidate on either end means the bytes go through a TURN server. The
 * peer's end may read as peer-reflexive when its checks arrived before its candidate
 * did: `remoteRelays` (`address:port` of the relay candidates the peer signaled) tells
 * those apart.
 */
export function routeFromStats(reports: StatsReport[], remoteRelays: ReadonlySet<string> = new Set()): LinkRoute {
  const byId = new Map(reports.filter((r) => typeof r.id === 'string').map((r) => [r.id as string, r]));
  const selectedId = reports.find((r) => r.type === 'transport' && typeof r.selectedCandidatePairId === 'string')?.selectedCandidatePairId;
  const pair =
    (typeof selectedId === 'string' ? byId.get(selectedId) : undefined) ??
    reports.find((r) => r.type === 'candidate-pair' && (r.selected === true || (r.nominated === true && r.state === 'succeeded')));
  if (!pair) return 'unknown';
  const local = byId.get(pair.localCandidateId as string);
  const remote = byId.get(pair.remoteCandidateId as string);
  if (!local || !remote) return 'unknown';
  const remoteAddress = typeof remote.address === 'string' ? remote.address : remote.ip;
  const remoteIsRelay = remote.candidateType === 'relay' || (remote.candidateType === 'prflx' && remoteRelays.has(`${String(remoteAddress)}:${String(remote.port)}`));
  return local.candidateType === 'relay' || remoteIsRelay ? 'relayed' : 'direct';
}
