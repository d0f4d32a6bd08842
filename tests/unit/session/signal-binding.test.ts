/**
 * SignalBinding alone, with real sealing (AES-GCM under a room's signal key): the
 * host's nonces, the guest following them, stale bindings, replays refused, and our
 * own signals leaving in the order they were made.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Bytes, toBase64Url } from '../../../src/core/bytes.ts';
import { DuetError } from '../../../src/core/errors.ts';
import { deriveRoomKeys } from '../../../src/core/invite.ts';
import { type SignalData, openSignal, signalBinding } from '../../../src/core/signal-seal.ts';
import { SignalBinding, type SignalBindingHost } from '../../../src/session/signal-binding.ts';
import { settle } from '../helpers/manual-clock.ts';
import { recordingHost } from '../helpers/recording-host.ts';
import { waitFor } from '../helpers/session-pair.ts';

/** Random bytes from a counter: every nonce and IV differs, and each is predictable. */
function countingRandom(): (length: number) => Bytes {
  let counter = 0;
  return (length) => {
    const bytes = new Uint8Array(length);
    bytes[0] = ++counter;
    bytes[1] = counter >> 8;
    return bytes as Bytes;
  };
}

async function signalKey(): Promise<CryptoKey> {
  return (await deriveRoomKeys(new Uint8Array(32).fill(7) as Bytes)).signalKey;
}

function side(policy = { acceptUnbound: false, reconnecting: false }) {
  const recording = recordingHost<SignalBindingHost>({ random: countingRandom(), policy: () => policy });
  return { ...recording, binding: new SignalBinding(recording.host), policy };
}

/** What `from` delivered last (the sealed payload put on the signaling connection). */
function lastDelivered(from: ReturnType<typeof side>): string {
  const payloads = from.argsOf('deliver');
  expect(payloads.length, 'something was delivered').toBeGreaterThan(0);
  return payloads.at(-1)![0] as string;
}

const offer: SignalData = { type: 'offer', sdp: 'v=0 offer' };
const answer: SignalData = { type: 'answer', sdp: 'v=0 answer' };

afterEach(() => {
  vi.restoreAllMocks();
});

/** The host opens an attempt and the guest follows its session message. */
async function attemptUnderWay() {
  const key = await signalKey();
  const host = side();
  const guest = side();
  const nonce = host.binding.newAttempt();
  await host.binding.seal(key, 'host', { type: 'session', nonce }, undefined);
  const session = await guest.binding.open(key, 'host', lastDelivered(host));
  expect(session).toEqual({ type: 'session', nonce });
  guest.binding.follow(session as Extract<SignalData, { type: 'session' }>);
  return { key, host, guest, nonce };
}

describe('SignalBinding: nonces', () => {
  it('a new attempt draws its session nonce from the random source; an ICE restart adds a restart nonce, announced under the binding before it', () => {
    const host = side();
    expect(host.binding.current()).toBeUndefined();
    expect(host.binding.newRestart()).toBeUndefined();
    const nonce = host.binding.newAttempt();
    const drawn = host.argsOf('random');
    expect(drawn).toEqual([[16]]);
    expect(nonce).toBe(toBase64Url(Uint8Array.from([1, 0, ...new Array(14).fill(0)])));
    expect(host.binding.attempt).toBe(nonce);
    expect(host.binding.current()).toBe(nonce);
    const restart = host.binding.newRestart()!;
    expect(restart.announcedUnder).toBe(nonce);
    expect(host.binding.current()).toBe(signalBinding(nonce, restart.nonce));
    expect(restart.nonce).not.toBe(nonce);
    host.binding.clearPeer();
    expect(host.binding.current()).toBeUndefined();
  });

  it('the guest follows the session message, then the restart announcement, to the host\'s binding', async () => {
    const { key, host, guest, nonce } = await attemptUnderWay();
    expect(guest.binding.current()).toBe(nonce);
    const restart = host.binding.newRestart()!;
    await host.binding.seal(key, 'host', { type: 'ice-restart', nonce: restart.nonce }, restart.announcedUnder);
    const announced = await guest.binding.open(key, 'host', lastDelivered(host));
    expect(announced).toEqual({ type: 'ice-restart', nonce: restart.nonce });
    guest.binding.follow(announced as Extract<SignalData, { type: 'ice-restart' }>);
    expect(guest.binding.current()).toBe(host.binding.current());
    // Both ends agree: a signal sealed by the guest opens at the host.
    await guest.binding.seal(key, 'guest', answer, guest.binding.current());
    expect(await host.binding.open(key, 'guest', lastDelivered(guest))).toEqual(answer);
  });
});

describe('SignalBinding: what the peer sends', () => {
  it('opens a signal bound to the current attempt once; the same payload again is a replay', async () => {
    const { key, host, guest } = await attemptUnderWay();
    await host.binding.seal(key, 'host', offer, host.binding.current());
    const payload = lastDelivered(host);
    expect(await guest.binding.open(key, 'host', payload)).toEqual(offer);
    await expect(guest.binding.open(key, 'host', payload)).rejects.toMatchObject({ code: 'signal-rejected', message: expect.stringContaining('replayed signal') });
  });

  it('a session message naming a nonce already used is a replay, even where a new session message is welcome', async () => {
    const { key, host, guest } = await attemptUnderWay();
    const replayed = host.argsOf('deliver')[0]![0] as string;
    guest.policy.acceptUnbound = true;
    await expect(guest.binding.open(key, 'host', replayed)).rejects.toMatchObject({ code: 'signal-rejected', message: expect.stringContaining('replayed session nonce') });
    // A genuinely new attempt is accepted.
    const fresh = host.binding.newAttempt();
    await host.binding.seal(key, 'host', { type: 'session', nonce: fresh }, undefined);
    expect(await guest.binding.open(key, 'host', lastDelivered(host))).toEqual({ type: 'session', nonce: fresh });
  });

  it('a new session message is refused while the policy does not accept one', async () => {
    const { key, host, guest } = await attemptUnderWay();
    const fresh = host.binding.newAttempt();
    await host.binding.seal(key, 'host', { type: 'session', nonce: fresh }, undefined);
    await expect(guest.binding.open(key, 'host', lastDelivered(host))).rejects.toMatchObject({ code: 'signal-rejected' });
  });

  it('late signals of the binding just left by an ICE restart are stale, not forgeries', async () => {
    const { key, host, guest } = await attemptUnderWay();
    await host.binding.seal(key, 'host', offer, host.binding.current());
    const late = lastDelivered(host);
    const restart = host.binding.newRestart()!;
    guest.binding.follow({ type: 'ice-restart', nonce: restart.nonce });
    expect(await guest.binding.open(key, 'host', late)).toBe('stale');
  });

  it('late signals of a previous attempt are stale only while reconnecting; otherwise they are refused', async () => {
    const { key, host, guest } = await attemptUnderWay();
    await host.binding.seal(key, 'host', offer, host.binding.current());
    const late = lastDelivered(host);
    const fresh = host.binding.newAttempt();
    guest.binding.follow({ type: 'session', nonce: fresh });
    await expect(guest.binding.open(key, 'host', late)).rejects.toMatchObject({ code: 'signal-rejected' });
    guest.policy.reconnecting = true;
    expect(await guest.binding.open(key, 'host', late)).toBe('stale');
  });

  it('after clearPeer the last binding\'s late signals stay recognisable (while reconnecting)', async () => {
    const { key, host, guest } = await attemptUnderWay();
    await host.binding.seal(key, 'host', offer, host.binding.current());
    guest.binding.clearPeer();
    guest.policy.reconnecting = true;
    expect(await guest.binding.open(key, 'host', lastDelivered(host))).toBe('stale');
  });

  it('a signal bound to a binding that was never current, or from the wrong sender, or altered, is refused', async () => {
    const { key, host, guest } = await attemptUnderWay();
    await host.binding.seal(key, 'host', offer, signalBinding(host.binding.current()!, 'AAAAAAAAAAAAAAAAAAAAAA'));
    await expect(guest.binding.open(key, 'host', lastDelivered(host))).rejects.toMatchObject({ code: 'signal-rejected' });
    await host.binding.seal(key, 'host', offer, host.binding.current());
    await expect(guest.binding.open(key, 'guest', lastDelivered(host))).rejects.toMatchObject({ code: 'signal-rejected' });
    const payload = lastDelivered(host);
    const altered = payload.slice(0, 30) + (payload[30] === 'A' ? 'B' : 'A') + payload.slice(31);
    await expect(guest.binding.open(key, 'host', altered)).rejects.toBeInstanceOf(DuetError);
    // The genuine payload still opens: a refused one did not use up its IV.
    expect(await guest.binding.open(key, 'host', payload)).toEqual(offer);
  });
});

describe('SignalBinding: what we send', () => {
  it('signals leave in the order they were made, even when sealing finishes out of order', async () => {
    const key = await signalKey();
    const host = side();
    const nonce = host.binding.newAttempt();
    const binding = host.binding.current();
    // The first encryption waits for the test; the later ones run at once.
    const encrypt = crypto.subtle.encrypt.bind(crypto.subtle);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const finished: number[] = [];
    let call = 0;
    vi.spyOn(crypto.subtle, 'encrypt').mockImplementation(async (...args: Parameters<SubtleCrypto['encrypt']>) => {
      const mine = ++call;
      if (mine === 1) await gate;
      const sealed = await encrypt(...args);
      finished.push(mine);
      return sealed;
    });
    const sent = [
      host.binding.seal(key, 'host', { type: 'session', nonce }, undefined),
      host.binding.seal(key, 'host', offer, binding),
      host.binding.seal(key, 'host', { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host' } }, binding),
    ];
    await waitFor(() => expect(finished).toEqual([2, 3]));
    await settle();
    expect(host.argsOf('deliver')).toEqual([]);
    release();
    await Promise.all(sent);
    expect(finished).toEqual([2, 3, 1]);
    const delivered = host.argsOf('deliver').map(([payload]) => payload as string);
    expect(delivered).toHaveLength(3);
    vi.restoreAllMocks();
    expect(await openSignal(key, 'host', delivered[0]!)).toEqual({ type: 'session', nonce });
    expect(await openSignal(key, 'host', delivered[1]!, binding)).toEqual(offer);
    expect((await openSignal(key, 'host', delivered[2]!, binding)).type).toBe('candidate');
  });

  it('a signal no longer wanted when its turn comes is dropped; a signal that cannot be sealed is reported, and the queue goes on', async () => {
    const key = await signalKey();
    const decryptOnly = await crypto.subtle.importKey('raw', new Uint8Array(32), 'AES-GCM', false, ['decrypt']);
    const host = side();
    host.binding.newAttempt();
    const binding = host.binding.current();
    await Promise.all([
      host.binding.seal(key, 'host', offer, binding, () => false),
      host.binding.seal(decryptOnly, 'host', offer, binding),
      host.binding.seal(key, 'host', answer, binding),
    ]);
    expect(host.names().filter((name) => name !== 'random')).toEqual(['failed', 'deliver']);
    expect(host.argsOf('failed')[0]![0]).toMatchObject({ code: 'signal-rejected' });
    expect(await openSignal(key, 'host', lastDelivered(host), binding)).toEqual(answer);
  });
});
