/**
 * ConnectionAttempt alone: two attempts (host and guest) over the fake WebRTC network,
 * running the real handshake (RSA-OAEP + ECDH, bound to the links' fingerprints), their
 * hosts recording every report. The test carries the signals between them.
 */
import { describe, expect, it, vi } from 'vitest';
import { type Bytes, fromBase64Url } from '../../../src/core/bytes.ts';
import { DuetError } from '../../../src/core/errors.ts';
import { DEFAULT_HANDSHAKE_CONFIG, type RsaIdentity, generateRsaIdentity } from '../../../src/core/handshake.ts';
import type { Role } from '../../../src/core/roles.ts';
import type { SignalData } from '../../../src/core/signal-seal.ts';
import { type AttemptHost, type AttemptSecured, ConnectionAttempt } from '../../../src/session/attempt.ts';
import { FakePeerNetwork } from '../helpers/fake-transport.ts';
import { ManualClock, settle } from '../helpers/manual-clock.ts';
import { recordingHost } from '../helpers/recording-host.ts';
import { waitFor } from '../helpers/session-pair.ts';

vi.setConfig({ testTimeout: 30_000 });

const HANDSHAKE = { ...DEFAULT_HANDSHAKE_CONFIG, rsaModulusLength: 2048 };
const identities: Record<Role, Promise<RsaIdentity>> = { host: generateRsaIdentity(HANDSHAKE), guest: generateRsaIdentity(HANDSHAKE) };

function pair(options: { guestPsk?: Bytes } = {}) {
  const network = new FakePeerNetwork();
  const clock = new ManualClock();
  const psk = new Uint8Array(32).fill(5) as Bytes;
  const sides = {} as Record<Role, { attempt: ConnectionAttempt; recording: ReturnType<typeof recordingHost<AttemptHost>> }>;
  const other = (role: Role): Role => (role === 'host' ? 'guest' : 'host');
  for (const role of ['host', 'guest'] as const) {
    const recording = recordingHost<AttemptHost>({
      // What the signaling server would carry, a task later.
      sendSignal: (signal: SignalData) =>
        void setImmediate(() => {
          const peer = sides[other(role)].attempt;
          if (signal.type === 'handshake') peer.receiveHandshake(fromBase64Url(signal.message));
          else if (signal.type !== 'session' && signal.type !== 'ice-restart') peer.signal(signal);
        }),
    });
    const attempt = new ConnectionAttempt(recording.host, {
      role,
      identity: identities[role],
      psk: role === 'guest' ? (options.guestPsk ?? psk) : psk,
      iceServers: [],
      iceTransportPolicy: 'all',
      handshake: HANDSHAKE,
      clock,
      random: (length) => crypto.getRandomValues(new Uint8Array(length)) as Bytes,
      createPeerLink: (linkOptions) => network.createPeerLink(linkOptions, role),
    });
    sides[role] = { attempt, recording };
  }
  /** The reports a side made, leaving out the signals it asked to send and ICE states. */
  const reports = (role: Role) => sides[role].recording.names().filter((name) => name !== 'sendSignal' && name !== 'iceState');
  return { network, clock, host: sides.host, guest: sides.guest, reports };
}

const securedOf = (side: { recording: ReturnType<typeof recordingHost<AttemptHost>> }) => side.recording.argsOf('secured')[0]?.[0] as AttemptSecured | undefined;

describe('ConnectionAttempt', () => {
  it('both attempts come up and report secured with the same safety code; a message then arrives at once', async () => {
    const { host, guest, reports } = pair();
    host.attempt.start();
    guest.attempt.start();
    await waitFor(() => expect([reports('host'), reports('guest')]).toEqual([['linkUp', 'secured'], ['linkUp', 'secured']]));
    expect(securedOf(host)!.safetyCode).toBe(securedOf(guest)!.safetyCode);
    await host.attempt.channel!.send({ type: 'typing' });
    await waitFor(() => expect(guest.recording.argsOf('message')).toEqual([[{ type: 'typing' }]]));
  });

  it('messages that arrive before the link is reported up are held until secured, then delivered in order', async () => {
    const { network, host, guest, reports } = pair();
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    network.connectGate = (link) => (link.owner === 'guest' ? gate : undefined);
    host.attempt.start();
    guest.attempt.start();
    await waitFor(() => expect(reports('host')).toEqual(['linkUp', 'secured']));
    await host.attempt.channel!.send({ type: 'profile', name: 'Alice' });
    await host.attempt.channel!.send({ type: 'typing' });
    await guest.attempt.channel!.settled();
    await settle();
    expect(reports('guest')).toEqual([]);
    openGate();
    await waitFor(() => expect(reports('guest')).toEqual(['linkUp', 'secured', 'message', 'message']));
    expect(guest.recording.argsOf('message')).toEqual([[{ type: 'profile', name: 'Alice' }], [{ type: 'typing' }]]);
  });

  it('a disposed attempt reports nothing more, whatever its link still says', async () => {
    const { network, host, guest, reports } = pair();
    host.attempt.start();
    guest.attempt.start();
    // Mid-handshake: the links exist, nothing is secured yet.
    await waitFor(() => expect(network.links).toHaveLength(2));
    guest.attempt.dispose();
    expect(network.linkOf('guest')!.closed).toBe(true);
    const before = guest.recording.calls.length;
    // Everything a peer connection can still report after it was let go.
    const late = network.linkOf('guest')!.options;
    late.onSignal({ type: 'candidate', candidate: { candidate: 'candidate:9 1 udp 1 192.0.2.9 9 typ host' } });
    late.onConnect();
    late.onData(new Uint8Array(40) as Bytes);
    late.onIceStateChange?.('connected');
    late.onClose(new DuetError('peer-connection-failed', 'late'));
    guest.attempt.receiveHandshake(new Uint8Array(10) as Bytes);
    await settle();
    expect(guest.recording.calls.length).toBe(before);
    expect(reports('guest')).toEqual([]);
    expect(reports('host')).not.toContain('secured');
  });

  it('disposing a secured attempt drops its late messages and its close', async () => {
    const { network, host, guest, reports } = pair();
    host.attempt.start();
    guest.attempt.start();
    await waitFor(() => expect([reports('host'), reports('guest')]).toEqual([['linkUp', 'secured'], ['linkUp', 'secured']]));
    const message = host.attempt.channel!.send({ type: 'typing' });
    guest.attempt.dispose();
    await message.catch(() => {});
    await settle();
    expect(reports('guest')).toEqual(['linkUp', 'secured']);
    expect(network.linkOf('guest')!.closed).toBe(true);
  });

  it('breakLink reports its own reason, once, as a network failure would', async () => {
    const { host, guest, reports } = pair();
    host.attempt.start();
    guest.attempt.start();
    await waitFor(() => expect(reports('host')).toEqual(['linkUp', 'secured']));
    const reason = new DuetError('peer-connection-failed', 'simulated connection loss');
    host.attempt.breakLink(reason);
    host.attempt.breakLink(reason);
    await settle();
    expect(host.recording.argsOf('closed')).toEqual([[reason]]);
    await waitFor(() => expect(reports('guest')).toContain('closed'));
  });

  it('a peer with another PSK is not our peer: the handshake fails, nothing is secured', async () => {
    const { host, guest, reports } = pair({ guestPsk: new Uint8Array(32).fill(6) as Bytes });
    host.attempt.start();
    guest.attempt.start();
    await waitFor(() => expect([...reports('host'), ...reports('guest')]).toContain('failed'));
    expect([...reports('host'), ...reports('guest')]).not.toContain('secured');
    const failure = [host, guest].flatMap((side) => side.recording.argsOf('failed'))[0]![0] as DuetError;
    expect(failure).toBeInstanceOf(DuetError);
  });
});
