/**
 * ShortCodeExchange alone: two sides with real CPace, their payloads carried by the
 * test from one recording host to the other, so the order is the test's to choose.
 */
import { describe, expect, it } from 'vitest';
import { bytesEqual, concatBytes, secureRandom, toBase64Url } from '../../../src/core/bytes.ts';
import type { Role } from '../../../src/core/roles.ts';
import { PAKE_CONFIRM_BYTES, PAKE_SHARE_BYTES } from '../../../src/core/short-code.ts';
import { openSignal, sealSignal } from '../../../src/core/signal-seal.ts';
import { type PeerKeys, ShortCodeExchange, type ShortCodeExchangeHost } from '../../../src/session/short-code-exchange.ts';
import { settle } from '../helpers/manual-clock.ts';
import { recordingHost } from '../helpers/recording-host.ts';
import { waitFor } from '../helpers/session-pair.ts';

const ROOM = 'room-id-for-the-test';
const NAMEPLATE = 7;

function party(role: Role, password: string, nameplate = NAMEPLATE) {
  const recording = recordingHost<ShortCodeExchangeHost>();
  const exchange = new ShortCodeExchange(recording.host, { role, password, roomId: ROOM, nameplate, random: secureRandom });
  let delivered = 0;
  /** Payloads sent since the last call. */
  const outbox = () => {
    const sent = recording.argsOf('send').map(([payload]) => payload as string);
    const fresh = sent.slice(delivered);
    delivered = sent.length;
    return fresh;
  };
  return { ...recording, exchange, outbox };
}

type Party = ReturnType<typeof party>;

/** Waits until `from` has sent `count` payloads in all. */
async function sent(from: Party, count: number): Promise<void> {
  await waitFor(() => expect(from.argsOf('send').length).toBeGreaterThanOrEqual(count));
}

/** Carries what each side sent to the other, until neither sends more. */
async function carry(a: Party, b: Party): Promise<void> {
  for (;;) {
    const [fromA, fromB] = [a.outbox(), b.outbox()];
    if (fromA.length === 0 && fromB.length === 0) return;
    for (const payload of fromA) await b.exchange.receive(payload);
    for (const payload of fromB) await a.exchange.receive(payload);
  }
}

async function shares(password: { host: string; guest: string }) {
  const host = party('host', password.host);
  const guest = party('guest', password.guest);
  await Promise.all([sent(host, 1), sent(guest, 1)]);
  return { host, guest };
}

const keysOf = (side: Party) => side.argsOf('agreed')[0]![0] as PeerKeys;

describe('ShortCodeExchange', () => {
  it('the same code: a share then a confirmation each way, and both sides agree on the same keys', async () => {
    const { host, guest } = await shares({ host: 'tiger-ocean', guest: 'tiger-ocean' });
    await carry(host, guest);
    for (const side of [host, guest]) {
      expect(side.names()).toEqual(['send', 'send', 'agreed']);
      expect(side.exchange.pending).toBe(false);
    }
    const [hostKeys, guestKeys] = [keysOf(host), keysOf(guest)];
    expect(bytesEqual(hostKeys.psk, guestKeys.psk)).toBe(true);
    // The signal keys are the same key: what one seals the other opens.
    const sealed = await sealSignal(hostKeys.signalKey, 'host', { type: 'offer', sdp: 'v=0' }, secureRandom, 'binding');
    expect(await openSignal(guestKeys.signalKey, 'host', sealed, 'binding')).toEqual({ type: 'offer', sdp: 'v=0' });
  });

  it('a wrong code: both sides fail with code-mismatch and neither agrees', async () => {
    const { host, guest } = await shares({ host: 'tiger-ocean', guest: 'tiger-otter' });
    await carry(host, guest);
    for (const side of [host, guest]) {
      expect(side.names()).toEqual(['send', 'send', 'failed']);
      expect(side.argsOf('failed')[0]![0]).toMatchObject({ code: 'code-mismatch' });
    }
  });

  it('the same words under another nameplate are another code', async () => {
    const host = party('host', 'tiger-ocean', 7);
    const guest = party('guest', 'tiger-ocean', 8);
    await Promise.all([sent(host, 1), sent(guest, 1)]);
    await carry(host, guest);
    expect(host.names()).toContain('failed');
    expect(host.names()).not.toContain('agreed');
  });

  it('malformed payloads end it with code-mismatch: not base64url, an unknown kind, a wrong length, a confirmation before any share', async () => {
    const cases = [
      '%%% not base64url %%%',
      toBase64Url(new Uint8Array([9, ...new Uint8Array(PAKE_SHARE_BYTES)])),
      toBase64Url(new Uint8Array([1, ...new Uint8Array(PAKE_SHARE_BYTES - 1)])),
      toBase64Url(new Uint8Array([2, ...new Uint8Array(PAKE_CONFIRM_BYTES)])),
    ];
    for (const payload of cases) {
      const side = party('host', 'tiger-ocean');
      await sent(side, 1);
      await side.exchange.receive(payload);
      expect(side.names(), payload).toEqual(['send', 'failed']);
      expect(side.argsOf('failed')[0]![0], payload).toMatchObject({ code: 'code-mismatch' });
      expect(side.exchange.pending).toBe(false);
      // Over: anything later changes nothing.
      await side.exchange.receive(payload);
      expect(side.names()).toEqual(['send', 'failed']);
    }
  });

  it('a reflected share (our own, sent back) is refused', async () => {
    const side = party('guest', 'tiger-ocean');
    await sent(side, 1);
    await side.exchange.receive(side.argsOf('send')[0]![0] as string);
    expect(side.argsOf('failed')[0]![0]).toMatchObject({ code: 'code-mismatch' });
  });

  it('a second share after the first is unexpected', async () => {
    const { host, guest } = await shares({ host: 'tiger-ocean', guest: 'tiger-ocean' });
    const share = guest.outbox()[0]!;
    await host.exchange.receive(share);
    await host.exchange.receive(share);
    expect(host.names()).toEqual(['send', 'send', 'failed']);
  });

  it('clearPeer: nothing more is sent and keys agreed late are dropped', async () => {
    const { host, guest } = await shares({ host: 'tiger-ocean', guest: 'tiger-ocean' });
    await host.exchange.receive(guest.outbox()[0]!);
    const [hostShare, hostConfirm] = host.outbox() as [string, string];
    await guest.exchange.receive(hostShare);
    await host.exchange.receive(guest.outbox()[0]!); // the guest's confirmation: the host agrees
    expect(host.names()).toEqual(['send', 'send', 'agreed']);
    // The guest is checking the host's confirmation when the peer goes: its keys come too late.
    const checking = guest.exchange.receive(hostConfirm);
    guest.exchange.clearPeer();
    expect(guest.exchange.pending).toBe(false);
    await checking;
    expect(guest.names()).toEqual(['send', 'send']);
    // And a payload after clearPeer is not even looked at.
    await guest.exchange.receive('%%% junk %%%');
    expect(guest.names()).toEqual(['send', 'send']);
  });

  it('clearPeer: a mismatch reached after the peer left is dropped too (the room goes on; the server already spent the code)', async () => {
    const { host, guest } = await shares({ host: 'tiger-ocean', guest: 'tiger-otter' });
    const guestShare = guest.outbox()[0]!;
    await host.exchange.receive(guestShare);
    await guest.exchange.receive(host.outbox()[0]!);
    const guestConfirm = guest.outbox()[0]!;
    // The host clears before the confirmation is checked: the check is already under way.
    const checking = host.exchange.receive(guestConfirm);
    host.exchange.clearPeer();
    await checking;
    expect(host.names()).toEqual(['send', 'send']);
  });

  it('clearPeer before the share is made: nothing is ever sent', async () => {
    const side = party('host', 'tiger-ocean');
    side.exchange.clearPeer();
    // By the time another party's share is out, this one's was computed too: it must not go out.
    const other = party('guest', 'tiger-ocean');
    await sent(other, 1);
    await settle();
    expect(side.names()).toEqual([]);
  });

  it('a share with extra bytes is refused', async () => {
    const side = party('host', 'tiger-ocean');
    await sent(side, 1);
    await side.exchange.receive(toBase64Url(concatBytes(new Uint8Array([1]), new Uint8Array(PAKE_SHARE_BYTES + 1))));
    expect(side.names()).toEqual(['send', 'failed']);
  });
});
