/**
 * Relay-only ("Hide my IP address from my peer") can only connect through a relay
 * candidate of our own. When a round of ICE gathering ends without one (the TURN server
 * refused the credentials, they expired, or it did not answer), no connection can follow:
 * saying so at once, with the TURN errors seen, beats waiting out the connection timeout
 * for a generic "peer unreachable".
 */
export class RelayGathering {
  private relayCandidates = 0;
  private readonly turnErrors = new Set<string>();

  /** A local candidate was gathered (its SDP attribute text). */
  candidate(attribute: string): void {
    if (/\styp relay(\s|$)/.test(attribute)) this.relayCandidates++;
  }

  /** An icecandidateerror: kept for the report, e.g. "401 Unauthorized". */
  error(code: number, text: string): void {
    if (this.turnErrors.size < 4) this.turnErrors.add(`${code}${text ? ` ${text.slice(0, 60)}` : ''}`);
  }

  /**
   * The gathering state changed: a new round ('gathering', an ICE restart's too) starts
   * the count again; 'complete' without a relay candidate returns why none came.
   */
  state(state: RTCIceGatheringState): { failed: false } | { failed: true; detail: string } {
    if (state === 'gathering') {
      this.relayCandidates = 0;
      this.turnErrors.clear();
      return { failed: false };
    }
    if (state !== 'complete' || this.relayCandidates > 0) return { failed: false };
    const errors = [...this.turnErrors];
    return { failed: true, detail: errors.length > 0 ? `TURN: ${errors.join('; ')}` : 'no relay candidate was gathered' };
  }
}
