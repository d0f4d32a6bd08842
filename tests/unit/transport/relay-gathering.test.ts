/** RelayGathering: when a relay-only link can already tell it will never connect. */
import { describe, expect, it } from 'vitest';
import { RelayGathering } from '../../../src/transport/relay-gathering.ts';

const HOST = 'candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host generation 0';
const RELAY = 'candidate:2 1 udp 41885439 203.0.113.5 49160 typ relay raddr 0.0.0.0 rport 0 generation 0';

describe('RelayGathering', () => {
  it('a round that ends with a relay candidate is fine', () => {
    const relay = new RelayGathering();
    relay.state('gathering');
    relay.candidate(RELAY);
    expect(relay.state('complete')).toEqual({ failed: false });
  });

  it('a round that ends without one fails, naming the TURN errors seen', () => {
    const relay = new RelayGathering();
    relay.state('gathering');
    relay.candidate(HOST); // (relay-only gathers none, but a host candidate must not count)
    relay.error(401, 'Unauthorized');
    expect(relay.state('complete')).toEqual({ failed: true, detail: 'TURN: 401 Unauthorized' });
  });

  it('without any error reported it still fails, and says no relay candidate came', () => {
    const relay = new RelayGathering();
    relay.state('gathering');
    expect(relay.state('complete')).toEqual({ failed: true, detail: 'no relay candidate was gathered' });
  });

  it('each round counts afresh: an ICE restart that gets no relay fails even after one that did', () => {
    const relay = new RelayGathering();
    relay.state('gathering');
    relay.candidate(RELAY);
    expect(relay.state('complete')).toEqual({ failed: false });
    relay.state('gathering');
    relay.error(401, 'Unauthorized');
    expect(relay.state('complete').failed).toBe(true);
    expect(relay.state('new')).toEqual({ failed: false });
  });
});
