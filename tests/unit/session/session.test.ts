/**
 * Session, the conversation's state machine, end to end in Node: real crypto
 * (room keys, sealed signals, CPace, the RSA+ECDH handshake, records, device
 * identities) over an in-memory signaling server with the real room semantics and
 * a fake WebRTC network. Time is a ManualClock, so no timer fires unless a test
 * moves it; nothing sleeps, conditions are awaited with vi.waitFor.
 */
import { describe, expect, it, vi } from 'vitest';
import { type Bytes, bytesEqual, fromBase64Url, toBase64Url } from '../../../src/core/bytes.ts';
import { DuetError } from '../../../src/core/errors.ts';
import { generateDeviceIdentity, identityFingerprint } from '../../../src/core/identity.ts';
import { deriveRoomKeys, parseInviteInput } from '../../../src/core/invite.ts';
import { MAX_MESSAGE_LENGTH } from '../../../src/core/messages.ts';
import { RecordType } from '../../../src/core/record.ts';
import { loadWordlist } from '../../../src/core/short-code.ts';
import type { Session, ReconnectStage } from '../../../src/session/session.ts';
import type { ServerMessage } from '../../../signaling/protocol.ts';
import { MemoryDeviceStore } from '../../../src/storage/device-store.ts';
import { APP_URL, createWorld, makeSession, phaseHistory } from '../helpers/fake-transport.ts';
import { bothSecure, createdInvite, expectFailed, noticeCodes, securePair, shortCodeOf, waitFor, waitForPhase } from '../helpers/session-pair.ts';
import { settle } from '../helpers/manual-clock.ts';

// Each session generates a real RSA-2048 key pair, whose time varies a lot on a busy machine.
vi.setConfig({ testTimeout: 30_000 });

function peerTexts(session: Session): string[] {
  return session.messages.filter((m) => m.from === 'peer').map((m) => m.text);
}

/** Flips one bit inside a base64url payload, keeping it well-formed base64url. */
function flipBit(payload: string): string {
  const bytes = fromBase64Url(payload);
  bytes[Math.min(20, bytes.length - 1)]! ^= 0x01;
  return toBase64Url(bytes);
}

const SAFETY_CODE = /^\d{5}( \d{5}){5}$/;

describe('Session: creating and joining by link', () => {
  it('takes both people to secure with the same safety code, names exchanged, through the expected phases', async () => {
    const world = createWorld();
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    expect(host.status).toEqual({ phase: 'lobby' });
    expect(host.canSend).toBe(false);

    const invite = await createdInvite(host, '  Alice  ');
    expect(host.myName).toBe('Alice');
    expect(host.role).toBe('host');
    expect(host.invite).toEqual(invite);
    expect(phaseHistory(host)).toEqual(['lobby', 'opening', 'waiting']);
    expect(invite.code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(invite.link).toBe(`${APP_URL}#${invite.code}`);
    // No short code unless asked for: the server gives numbers only to rooms that want one.
    expect(invite.shortCode).toEqual({ state: 'none' });
    expect(world.server.connectionOf(host)?.sent.map((m) => m.type)).toEqual(['create']);
    const shortCode = await shortCodeOf(host);
    expect(shortCode).toMatch(/^\d{1,4}-[a-z]+-[a-z]+$/);
    // The number is the server's nameplate for this very room.
    const nameplate = Number(shortCode.split('-')[0]);
    const roomId = (await deriveRoomKeys(parseInviteInput(invite.code))).roomId;
    expect(world.server.roomByNameplate(nameplate)?.id).toBe(roomId);
    expect(world.server.roomCount()).toBe(1);

    await guest.joinRoom('Bruno', invite.link);
    expect(guest.role).toBe('guest');
    const safetyCode = await bothSecure(host, guest);
    expect(safetyCode).toMatch(SAFETY_CODE);

    expect(host.peerName).toBe('Bruno');
    expect(guest.peerName).toBe('Alice');
    expect(host.canSend).toBe(true);
    expect(guest.canSend).toBe(true);
    expect(host.peerIdentity).toEqual({ kind: 'none' });
    expect(guest.peerIdentity).toEqual({ kind: 'none' });
    expect(host.notices).toEqual([]);
    expect(guest.notices).toEqual([]);
    // Asking for the short code and getting it changed only the invite, not the phase.
    expect(phaseHistory(host)).toEqual(['lobby', 'opening', 'waiting', 'connecting', 'securing', 'secure']);
    expect(phaseHistory(guest)).toEqual(['lobby', 'opening', 'connecting', 'securing', 'secure']);

    // The server saw neither the invite secret nor the short code's words.
    const wire = [...world.server.wire, ...world.server.connections.flatMap((c) => c.sent.map((m) => JSON.stringify(m)))].join('\n');
    expect(wire).not.toContain(invite.code);
    expect(wire).not.toContain(shortCode.split('-').slice(1).join('-'));
    // Every relayed signal was sealed: no SDP in the clear.
    expect(wire).not.toContain('fingerprint');
  });

  it('carries messages both ways with name, text, sentAt and from me/peer, in order', async () => {
    const { world, host, guest } = await securePair();
    // The fake clock starts at 0; sentAt is whatever it reads at send time.
    const t0 = world.clock.now();

    await host.send('Olá, Bruno! 👋');
    expect(host.messages).toHaveLength(1);
    const sent = host.messages[0]!;
    expect(sent).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/),
      from: 'me',
      name: 'Alice',
      text: 'Olá, Bruno! 👋',
      sentAt: t0,
      position: 1,
      state: 'sent',
    });
    await waitFor(() => expect(guest.messages).toHaveLength(1));
    expect(guest.messages[0]).toEqual({ id: sent.id, from: 'peer', name: 'Alice', text: 'Olá, Bruno! 👋', sentAt: t0, position: 1, state: 'received' });
    // The guest's authenticated receipt marks it delivered.
    await waitFor(() => expect(host.messages[0]!.state).toBe('delivered'));

    world.clock.advance(1_500);
    await guest.send('Hi Alice');
    await waitFor(() => expect(host.messages).toHaveLength(2));
    expect(host.messages[1]).toEqual({
      id: guest.messages[1]!.id,
      from: 'peer',
      name: 'Bruno',
      text: 'Hi Alice',
      sentAt: t0 + 1_500,
      position: 2,
      state: 'received',
    });
    expect(guest.messages.map((m) => [m.from, m.text])).toEqual([
      ['peer', 'Olá, Bruno! 👋'],
      ['me', 'Hi Alice'],
    ]);

    // A burst arrives complete and in order.
    const burst = Array.from({ length: 8 }, (_, i) => `burst ${i}`);
    await Promise.all(burst.map((text) => host.send(text)));
    await waitFor(() => expect(peerTexts(guest)).toEqual(['Olá, Bruno! 👋', ...burst]));
    expect(new Set(host.messages.map((m) => m.id)).size).toBe(host.messages.length);
    await waitFor(() => expect(host.messages.filter((m) => m.from === 'me').every((m) => m.state === 'delivered')).toBe(true));
    expect(host.notices).toEqual([]);
    expect(guest.notices).toEqual([]);
  });

  it('delivers a 20,000-character Unicode message intact', async () => {
    const { host, guest } = await securePair();
    const long = ('ção 漢字 🎉 ' + 'ñ'.repeat(10)).repeat(1000).slice(0, 20_000);
    expect(long.length).toBe(20_000);
    await guest.send(long);
    await waitFor(() => expect(host.messages).toHaveLength(1));
    expect(host.messages[0]!.text).toBe(long);
    expect(host.messages[0]!.from).toBe('peer');
    expect(host.messages[0]!.name).toBe('Bruno');
  });

  it('accepts the bare code as well as the link', async () => {
    const world = createWorld();
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', `  ${invite.code}  `);
    await bothSecure(host, guest);
  });
});

describe('Session: short codes', () => {
  it('joins with the short code typed the way it is heard, through the PAKE', async () => {
    const world = createWorld();
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    await createdInvite(host);
    const shortCode = await shortCodeOf(host);
    await guest.joinRoom('Bruno', shortCode.replace(/-/g, ' ').toUpperCase());
    const safetyCode = await bothSecure(host, guest);
    expect(safetyCode).toMatch(SAFETY_CODE);
    expect(guest.peerName).toBe('Alice');
    expect(phaseHistory(guest)).toEqual(['lobby', 'opening', 'connecting', 'securing', 'secure']);
    // The guest never learnt the link's secret, and did not need it.
    expect(world.server.connectionOf(guest)?.sent[0]).toEqual({ type: 'join-short', nameplate: Number(shortCode.split('-')[0]) });

    await guest.send('joined with words');
    await waitFor(() => expect(peerTexts(host)).toEqual(['joined with words']));
  });

  it('a wrong short code fails the guesser; the host turns it out, keeps the room, and the spent code never works again', async () => {
    const world = createWorld();
    const [host, mallory, bruno, carla] = await Promise.all([makeSession(world), makeSession(world), makeSession(world), makeSession(world)]);
    const invite = await createdInvite(host);
    const shortCode = await shortCodeOf(host);
    const [nameplate, first, second] = shortCode.split('-') as [string, string, string];
    const wordlist = await loadWordlist();
    const wrong = `${nameplate}-${first}-${wordlist.find((w) => w !== second)!}`;

    await mallory.joinRoom('Mallory', wrong);
    await expectFailed(mallory, 'code-mismatch');
    await waitFor(() => expect(noticeCodes(host)).toContain('short-code-guessed'));
    expect(host.status).toMatchObject({ phase: 'waiting', invite: { link: invite.link, shortCode: { state: 'none' } } });
    expect(world.server.connectionOf(host)?.sent.at(-1)).toEqual({ type: 'evict' });
    expect(host.messages).toEqual([]);
    expect(mallory.messages).toEqual([]);
    expect(world.server.roomCount()).toBe(1);

    // One guess per code: the right words with the spent number find no room.
    await bruno.joinRoom('Bruno', shortCode);
    await expectFailed(bruno, 'room-not-found');

    // A new code (new number, new words) lets the real guest in.
    const next = await shortCodeOf(host);
    expect(next).not.toBe(shortCode);
    await carla.joinRoom('Carla', next);
    await bothSecure(host, carla);
  });

  it("a guesser whose room closes right after the host's confirmation still hears code-mismatch, not that the host left", async () => {
    const world = createWorld();
    const [host, mallory] = await Promise.all([makeSession(world), makeSession(world)]);
    await createdInvite(host);
    const [nameplate, first, second] = (await shortCodeOf(host)).split('-') as [string, string, string];
    const wordlist = await loadWordlist();
    // The host's confirmation and the server's word that the host left reach the guesser
    // together, so "peer-left" is read while the confirmation is still being checked.
    world.server.intercept = (frame, from, to) => {
      const toMallory = world.server.connectionOf(mallory) === to && world.server.connectionOf(host) === from;
      if (toMallory && frame.type === 'signal' && fromBase64Url(frame.payload)[0] === 2) return [frame, { type: 'peer-left' }];
      return frame;
    };

    await mallory.joinRoom('Mallory', `${nameplate}-${first}-${wordlist.find((w) => w !== second)!}`);
    await expectFailed(mallory, 'code-mismatch');
    await waitFor(() => expect(noticeCodes(host)).toContain('short-code-guessed'));
    expect(host.status.phase).toBe('waiting');
  });
});

describe('Session: join errors', () => {
  it('refuses unreadable codes at once with invalid-code and stays in the lobby', async () => {
    const world = createWorld();
    const guest = await makeSession(world);
    for (const input of ['not-a-code', 'A'.repeat(42), 'A'.repeat(44), `${'A'.repeat(42)}!`, '12-notaword-zebra', '0-abandon-ability', '']) {
      const attempt = guest.joinRoom('Bruno', input);
      await expect(attempt, input).rejects.toBeInstanceOf(DuetError);
      await expect(attempt, input).rejects.toMatchObject({ code: 'invalid-code' });
      expect(guest.status).toEqual({ phase: 'lobby' });
    }
    expect(phaseHistory(guest)).toEqual(['lobby']);
    expect(world.server.connections).toHaveLength(0);
  });

  it('fails with room-not-found for a well-formed code nobody created', async () => {
    const world = createWorld();
    const guest = await makeSession(world);
    await guest.joinRoom('Dora', 'A'.repeat(42) + 'E');
    await expectFailed(guest, 'room-not-found');
    expect(phaseHistory(guest)).toEqual(['lobby', 'opening', 'connecting', 'failed']);
    expect(world.server.connectionOf(guest)).toBeUndefined();
    expect(guest.canSend).toBe(false);
  });

  it('refuses a third person with room-full while the two inside stay secure and keep chatting', async () => {
    const { world, host, guest, invite, safetyCode } = await securePair();
    const carla = await makeSession(world);
    await carla.joinRoom('Carla', invite.link);
    await expectFailed(carla, 'room-full');
    await settle();

    expect(host.status).toEqual({ phase: 'secure', safetyCode });
    expect(guest.status).toEqual({ phase: 'secure', safetyCode });
    expect(host.notices).toEqual([]);
    expect(guest.notices).toEqual([]);
    await host.send('still here');
    await waitFor(() => expect(peerTexts(guest)).toEqual(['still here']));
    expect(carla.messages).toEqual([]);
  });

  it('fails with signaling-unreachable when the server cannot be reached, for create and join', async () => {
    const world = createWorld({ signaling: { failConnect: true } });
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    await host.createRoom('Alice');
    await expectFailed(host, 'signaling-unreachable');
    expect(host.invite).toBeUndefined();

    await guest.joinRoom('Bruno', 'A'.repeat(42) + 'E');
    await expectFailed(guest, 'signaling-unreachable');
    expect(phaseHistory(guest)).toEqual(['lobby', 'opening', 'failed']);
    await expect(guest.createRoom('Bruno')).rejects.toMatchObject({ code: 'already-in-room' });
  });
});

describe('Session: leaving', () => {
  it('when the peer leaves after secure, the other side ends with peer-left and can no longer send', async () => {
    const { world, host, guest } = await securePair();
    await host.send('bye soon');
    await waitFor(() => expect(peerTexts(guest)).toEqual(['bye soon']));

    guest.leave();
    expect(guest.status).toEqual({ phase: 'ended', reason: 'you-left' });
    await waitFor(() => expect(host.status).toEqual({ phase: 'ended', reason: 'peer-left' }));
    expect(host.canSend).toBe(false);
    await expect(host.send('anyone?')).rejects.toMatchObject({ code: 'not-connected' });
    // The conversation stays readable.
    expect(host.messages.map((m) => m.text)).toEqual(['bye soon']);
    // The host stays in the room, so the guest can come back with the same link.
    expect(world.server.roomCount()).toBe(1);
  });

  it('leave() after secure tells the peer with an encrypted bye record', async () => {
    const { world, host, guest } = await securePair();
    const link = world.network.linkOf(guest)!;
    const before = link.sentFrames.length;
    guest.leave();
    await waitFor(() => expect(link.sentFrames.slice(before).map((f) => f[1])).toContain(RecordType.bye), 1_500);
    await waitFor(() => expect(host.status).toEqual({ phase: 'ended', reason: 'peer-left' }));
    // The leaver lets the peer, once it has read the goodbye, close the link; the peer closes it at once.
    expect(link.teardown).toBe('after-goodbye');
    expect(world.network.linkOf(host)!.teardown).toBe('now');
  });

  it('when the guest leaves before secure, the host waits again with the same invite and a peer-left-early notice; a new guest can join', async () => {
    const world = createWorld({ network: { connectivity: false } });
    const [host, guest, second] = await Promise.all([makeSession(world), makeSession(world), makeSession(world)]);
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', invite.link);
    await waitForPhase(host, 'connecting');
    // Both sides have made their link and exchanged descriptions; no direct route.
    await waitFor(() => expect(world.network.links.map((l) => l.remoteFingerprint !== undefined)).toEqual([true, true]));

    guest.leave();
    expect(guest.status).toEqual({ phase: 'ended', reason: 'you-left' });
    await waitFor(() => expect(host.status).toEqual({ phase: 'waiting', invite }));
    expect(noticeCodes(host)).toEqual(['peer-left-early']);
    expect(world.network.linkOf(host)!.closed).toBe(true);
    expect(world.server.roomCount()).toBe(1);
    // A signal the host sent just before it heard of the departure comes back refused.
    world.server.deliverTo(host, { type: 'error', code: 'no-peer', message: 'Your peer is not connected to the room.' });
    await settle(); // delivery is a microtask away, and judged after the signals before it
    expect(host.status).toEqual({ phase: 'waiting', invite });
    expect(noticeCodes(host)).toEqual(['peer-left-early']);

    world.network.connectivity = true;
    await second.joinRoom('Carla', invite.link);
    await bothSecure(host, second);
    expect(host.peerName).toBe('Carla');
  });

  it("the server's no-peer for a signal sent after the guest left is read after its peer-left, so it is no notice", async () => {
    const world = createWorld({ network: { connectivity: false } });
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    const invite = await createdInvite(host);
    // The guest's first signal reaches the host together with the server's word that the
    // guest left and its refusal of a signal the host sent meanwhile (as under load).
    let gone = false;
    world.server.intercept = (frame, from, to) => {
      if (world.server.connectionOf(guest) !== from || world.server.connectionOf(host) !== to) return frame;
      if (gone) return null;
      gone = true;
      return [frame, { type: 'peer-left' }, { type: 'error', code: 'no-peer', message: 'Your peer is not connected to the room.' }];
    };
    await guest.joinRoom('Bruno', invite.link);
    await waitFor(() => expect(host.status).toEqual({ phase: 'waiting', invite }));
    await settle();
    expect(noticeCodes(host)).toEqual(['peer-left-early']);
  });

  it('when the host leaves before secure, the guest fails with peer-left-early', async () => {
    const world = createWorld({ network: { connectivity: false } });
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', invite.link);
    await waitForPhase(host, 'connecting');
    await waitFor(() => expect(world.network.links).toHaveLength(2));

    host.leave();
    expect(host.status).toEqual({ phase: 'ended', reason: 'you-left' });
    await expectFailed(guest, 'peer-left-early');
    expect(world.server.roomCount()).toBe(0);
  });
});

describe('Session: an attacking server or network', () => {
  it('a relayed signal altered on its way to the host: the host turns that peer out and waits again; the turned-out guest fails evicted', async () => {
    const world = createWorld();
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    let altered = 0;
    world.server.intercept = (frame, _from, to) => {
      if (to.owner === host && frame.type === 'signal' && altered === 0) {
        altered++;
        return { ...frame, payload: flipBit(frame.payload) };
      }
      return frame;
    };
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', invite.link);
    await expectFailed(guest, 'evicted');
    expect(host.status).toMatchObject({ phase: 'waiting', invite: { link: invite.link } });
    expect(noticeCodes(host)).toContain('signal-rejected');
    expect(altered).toBe(1);
    expect(phaseHistory(host)).not.toContain('securing');
    expect(world.server.roomCount()).toBe(1);
    expect(host.messages).toEqual([]);
    expect(guest.messages).toEqual([]);
    expect(world.network.links.every((l) => !l.connected)).toBe(true);
  });

  it('a relayed signal altered on its way to the guest: the guest fails signal-rejected, the host waits again and a genuine guest gets in', async () => {
    const world = createWorld();
    const [host, guest, genuine] = await Promise.all([makeSession(world), makeSession(world), makeSession(world)]);
    world.server.intercept = (frame, _from, to) =>
      to.owner === guest && frame.type === 'signal' ? { ...frame, payload: flipBit(frame.payload) } : frame;
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', invite.link);
    await expectFailed(guest, 'signal-rejected');
    await waitFor(() => expect(noticeCodes(host)).toEqual(['peer-left-early']));
    expect(host.status).toEqual({ phase: 'waiting', invite });

    world.server.intercept = undefined;
    await genuine.joinRoom('Bruno', invite.link);
    await bothSecure(host, genuine);
  });

  it('junk from the server is a notice (signaling-malformed), not the end', async () => {
    const world = createWorld();
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    let injected = false;
    world.server.intercept = (frame, _from, to) => {
      if (injected || to.owner !== guest) return frame;
      injected = true;
      return [{ type: 'signal', payload: 'not base64url!' }, frame];
    };
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', invite.link);
    await bothSecure(host, guest);
    expect(noticeCodes(guest)).toEqual(['signaling-malformed']);
  });

  it('a peer that never introduces itself (its profile record is lost) is never shown as secure: handshake-timeout at the connect bound', async () => {
    const world = createWorld();
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    // Records are the only data-channel frames now: the guest's first is its profile.
    world.network.tamper = (frame, from) => (from.owner === guest ? null : frame);
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', invite.link);
    await waitForPhase(host, 'securing');
    // The guest has the host's profile, so it is secure and named; the host waits for the guest's.
    await waitForPhase(guest, 'secure');
    expect(guest.peerName).toBe('Alice');
    await settle();
    expect(host.status.phase).toBe('securing');
    world.clock.advance(30_000);
    await expectFailed(host, 'handshake-timeout');
    expect(phaseHistory(host)).not.toContain('secure');
  });

  it('an altered data record after secure is dropped with a record-forged notice; later messages still arrive', async () => {
    const { world, host, guest } = await securePair();
    await host.send('first');
    await waitFor(() => expect(peerTexts(guest)).toEqual(['first']));

    let altered = 0;
    world.network.tamper = (frame, from) => {
      if (from.owner === host && altered === 0) {
        altered++;
        const copy = new Uint8Array(frame) as Bytes;
        copy[40]! ^= 0x80; // inside the ciphertext
        return copy;
      }
      return frame;
    };
    await host.send('forged on the way');
    await waitFor(() => expect(noticeCodes(guest)).toEqual(['record-forged']));
    expect(altered).toBe(1);
    expect(guest.notices[0]!.error).toBeInstanceOf(DuetError);

    await host.send('after the forgery');
    await guest.send('and back');
    await waitFor(() => expect(peerTexts(guest)).toEqual(['first', 'after the forgery']));
    await waitFor(() => expect(peerTexts(host)).toEqual(['and back']));
    expect(guest.status.phase).toBe('secure');
    expect(host.status.phase).toBe('secure');
    // The sender still shows what it sent; the receiver never showed the forged one.
    expect(host.messages.filter((m) => m.from === 'me').map((m) => m.text)).toEqual(['first', 'forged on the way', 'after the forgery']);
  });

  it('fails with peer-unreachable when the direct connection does not come up within 30 s', async () => {
    const world = createWorld({ network: { connectivity: false } });
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', invite.link);
    await waitFor(() => expect(world.network.links.map((l) => l.remoteFingerprint !== undefined)).toEqual([true, true]));
    await settle();

    world.clock.advance(29_999);
    await settle();
    expect(host.status.phase).toBe('connecting');
    expect(guest.status.phase).toBe('connecting');

    world.clock.advance(1);
    await Promise.all([expectFailed(host, 'peer-unreachable'), expectFailed(guest, 'peer-unreachable')]);
    expect(world.network.links.every((l) => l.closed)).toBe(true);
  });

  it('fails the guest with handshake-timeout when the short-code exchange never completes, and the host waits again', async () => {
    const world = createWorld();
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    await createdInvite(host);
    const shortCode = await shortCodeOf(host);
    world.server.intercept = () => null; // the server swallows every relayed payload
    await guest.joinRoom('Bruno', shortCode);
    await waitForPhase(host, 'connecting');
    await waitFor(() => expect(world.server.connectionOf(host)!.sent.some((m) => m.type === 'signal')).toBe(true));
    await waitFor(() => expect(world.server.connectionOf(guest)!.sent.some((m) => m.type === 'signal')).toBe(true));

    world.clock.advance(30_000);
    await expectFailed(guest, 'handshake-timeout');
    await waitForPhase(host, 'waiting');
    expect(noticeCodes(host)).toContain('handshake-timeout');
    // Whoever took the code holds the room's second place: turned out, so the real guest can come.
    expect(world.server.connectionOf(host)?.sent.at(-1)).toEqual({ type: 'evict' });
  });
});

describe('Session: remembered devices', () => {
  it('checks the peer\'s identity proof against this session even when the peer\'s profile arrives before our link reports it is up', async () => {
    const alice = { identity: await generateDeviceIdentity(), store: new MemoryDeviceStore() };
    const bruno = { identity: await generateDeviceIdentity(), store: new MemoryDeviceStore() };
    const world = createWorld();
    const [host, guest] = await Promise.all([makeSession(world, { device: alice }), makeSession(world, { device: bruno })]);
    // The guest's link reports 'connect' only once the host's profile record has reached it.
    world.network.connectGate = (link) =>
      link.owner === guest ? waitFor(() => expect(world.network.linkOf(host)!.sentFrames.length).toBeGreaterThan(0)).then(() => settle()) : undefined;
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', invite.link);
    await bothSecure(host, guest);
    expect(guest.peerIdentity).toEqual({ kind: 'new', fingerprint: await identityFingerprint(alice.identity.publicKey) });
    expect(host.peerIdentity).toEqual({ kind: 'new', fingerprint: await identityFingerprint(bruno.identity.publicKey) });
    expect(noticeCodes(guest)).toEqual([]);
  });

  it('a first meeting is new, the next is known, and after Mark as verified it is known and verified', async () => {
    const alice = { identity: await generateDeviceIdentity(), store: new MemoryDeviceStore() };
    const bruno = { identity: await generateDeviceIdentity(), store: new MemoryDeviceStore() };
    const aliceFingerprint = await identityFingerprint(alice.identity.publicKey);
    const brunoFingerprint = await identityFingerprint(bruno.identity.publicKey);
    const meet = async () => {
      const pair = await securePair(createWorld(), { host: { device: alice }, guest: { device: bruno } });
      await waitFor(() => expect(pair.host.peerIdentity.kind !== 'none' && pair.guest.peerIdentity.kind !== 'none').toBe(true));
      return pair;
    };

    const first = await meet();
    expect(first.host.peerIdentity).toEqual({ kind: 'new', fingerprint: brunoFingerprint });
    expect(first.guest.peerIdentity).toEqual({ kind: 'new', fingerprint: aliceFingerprint });
    expect(first.host.identityWarningPending).toBe(false);
    expect(first.host.canSend).toBe(true);
    const remembered = await alice.store.getPeer('Bruno');
    expect(remembered && bytesEqual(remembered.publicKey, bruno.identity.publicKey)).toBe(true);
    expect(remembered?.verified).toBe(false);
    first.host.leave();
    await waitForPhase(first.guest, 'ended');

    const second = await meet();
    expect(second.host.peerIdentity).toEqual({ kind: 'known', fingerprint: brunoFingerprint, verified: false });
    expect(second.guest.peerIdentity).toEqual({ kind: 'known', fingerprint: aliceFingerprint, verified: false });
    second.host.markVerified();
    expect(second.host.verified).toBe(true);
    expect(second.host.peerIdentity).toEqual({ kind: 'known', fingerprint: brunoFingerprint, verified: true });
    await waitFor(async () => expect((await alice.store.getPeer('Bruno'))?.verified).toBe(true));
    second.host.leave();

    const third = await meet();
    expect(third.host.peerIdentity).toEqual({ kind: 'known', fingerprint: brunoFingerprint, verified: true });
    // Only Alice compared codes; Bruno's device does not claim otherwise.
    expect(third.guest.peerIdentity).toEqual({ kind: 'known', fingerprint: aliceFingerprint, verified: false });
    expect(third.host.verified).toBe(false); // "verified" is per conversation; the remembered flag is in peerIdentity
  });

  it('a different device under a known name is held behind a warning; acknowledging shows it and remembers the new key', async () => {
    const alice = { identity: await generateDeviceIdentity(), store: new MemoryDeviceStore() };
    const genuine = await generateDeviceIdentity();
    const impostor = { identity: await generateDeviceIdentity(), store: new MemoryDeviceStore() };
    await alice.store.putPeer('Bruno', { publicKey: genuine.publicKey, verified: true, firstSeen: 0 });
    const impostorFingerprint = await identityFingerprint(impostor.identity.publicKey);

    const world = createWorld();
    world.clock.advance(42_000);
    const { host, guest } = await securePair(world, { host: { device: alice }, guest: { device: impostor } });
    await waitFor(() => expect(host.peerIdentity.kind).toBe('changed'));
    expect(host.peerIdentity).toEqual({ kind: 'changed', fingerprint: impostorFingerprint, acknowledged: false });
    expect(host.identityWarningPending).toBe(true);
    expect(host.status.phase).toBe('secure');
    expect(host.canSend).toBe(false);
    await waitFor(() => expect(guest.peerIdentity.kind).toBe('new'));
    expect(guest.identityWarningPending).toBe(false);

    // The message is kept, but the UI is told (identityWarningPending) to hide it.
    await guest.send('trust me, it is really Bruno');
    await waitFor(() => expect(peerTexts(host)).toEqual(['trust me, it is really Bruno']));
    expect(host.identityWarningPending).toBe(true);
    // Nothing was overwritten while the person had not decided.
    const stillGenuine = await alice.store.getPeer('Bruno');
    expect(stillGenuine && bytesEqual(stillGenuine.publicKey, genuine.publicKey)).toBe(true);

    await host.acknowledgeIdentityWarning();
    expect(host.peerIdentity).toEqual({ kind: 'changed', fingerprint: impostorFingerprint, acknowledged: true });
    expect(host.identityWarningPending).toBe(false);
    expect(host.canSend).toBe(true);
    expect(peerTexts(host)).toEqual(['trust me, it is really Bruno']);
    const now = await alice.store.getPeer('bruno');
    expect(now && bytesEqual(now.publicKey, impostor.identity.publicKey)).toBe(true);
    expect(now).toMatchObject({ verified: false, firstSeen: 42_000 });
    host.leave();

    // From now on that key is the one this device knows under the name.
    const next = await securePair(createWorld(), { host: { device: alice }, guest: { device: impostor } });
    await waitFor(() => expect(next.host.peerIdentity.kind).not.toBe('none'));
    expect(next.host.peerIdentity).toEqual({ kind: 'known', fingerprint: impostorFingerprint, verified: false });
    expect(next.host.identityWarningPending).toBe(false);
  });
});

describe('Session: send()', () => {
  it('rejects with not-connected before the conversation is secure', async () => {
    const world = createWorld({ network: { connectivity: false } });
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    await expect(host.send('too early')).rejects.toMatchObject({ name: 'DuetError', code: 'not-connected' });
    const invite = await createdInvite(host);
    await expect(host.send('still too early')).rejects.toMatchObject({ code: 'not-connected' });
    await guest.joinRoom('Bruno', invite.link);
    await waitForPhase(host, 'connecting');
    await expect(guest.send('not yet')).rejects.toBeInstanceOf(DuetError);
    await expect(guest.send('not yet')).rejects.toMatchObject({ code: 'not-connected' });
    expect(host.messages).toEqual([]);
    expect(guest.messages).toEqual([]);
  });

  it('ignores whitespace-only text, sends exactly 50,000 characters, and refuses more with message-too-long', async () => {
    const { world, host, guest } = await securePair();
    const link = world.network.linkOf(host)!;
    const framesBefore = link.sentFrames.length;
    await expect(host.send('   ')).resolves.toBeUndefined();
    await expect(host.send(' \n\t \u00a0')).resolves.toBeUndefined();
    expect(host.messages).toEqual([]);
    expect(link.sentFrames).toHaveLength(framesBefore);

    expect(MAX_MESSAGE_LENGTH).toBe(50_000);
    await expect(host.send('x'.repeat(50_001))).rejects.toMatchObject({ name: 'DuetError', code: 'message-too-long' });
    expect(host.messages).toEqual([]);
    expect(link.sentFrames).toHaveLength(framesBefore);

    const longest = '漢'.repeat(50_000);
    await host.send(longest);
    await waitFor(() => expect(peerTexts(guest)).toHaveLength(1));
    expect(peerTexts(guest)[0]).toBe(longest);
    expect(guest.notices).toEqual([]);
  });
});

describe('Session: typing and receipts', () => {
  it('shows the peer typing for a few seconds, at most one hint every 3 s, cleared by their message', async () => {
    const { world, host, guest } = await securePair();
    const link = world.network.linkOf(host)!;
    const typingFrames = () => link.sentFrames.filter((f) => f[1] === RecordType.typing).length;
    host.notifyTyping();
    host.notifyTyping();
    await waitFor(() => expect(guest.peerTyping).toBe(true));
    expect(typingFrames()).toBe(1);
    world.clock.advance(4_999);
    expect(guest.peerTyping).toBe(true);
    world.clock.advance(1);
    expect(guest.peerTyping).toBe(false);

    // The keepalive due meanwhile goes out in its own burst (a hint in the same burst would share its record).
    await settle();
    host.notifyTyping(); // 5 s since the last hint: allowed again
    await waitFor(() => expect(guest.peerTyping).toBe(true));
    expect(typingFrames()).toBe(2);
    await host.send('done typing');
    await waitFor(() => expect(guest.peerTyping).toBe(false));
    // Typing again right after a message is announced again at once.
    host.notifyTyping();
    await waitFor(() => expect(guest.peerTyping).toBe(true));
    expect(typingFrames()).toBe(3);
  });

  it('acknowledges a burst of messages and marks each delivered', async () => {
    const { host, guest } = await securePair();
    await Promise.all(Array.from({ length: 20 }, (_, i) => guest.send(`m${i}`)));
    await waitFor(() => expect(guest.messages.every((m) => m.state === 'delivered')).toBe(true));
    expect(host.messages.map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });
});

describe('Session: reconnection', () => {
  it('a broken link is restored with a resumed handshake: same safety code, the outbox resent, nothing twice', async () => {
    const { world, host, guest } = await securePair();
    const safety = host.status.phase === 'secure' ? host.status.safetyCode : '';
    await host.send('before');
    await waitFor(() => expect(peerTexts(guest)).toEqual(['before']));

    host.simulateConnectionLoss();
    await host.send('during'); // the old link is gone: resent from the outbox once resumed
    await waitFor(() => expect([host.status, guest.status]).toEqual([
      { phase: 'secure', safetyCode: safety },
      { phase: 'secure', safetyCode: safety },
    ]));
    await waitFor(() => expect(peerTexts(guest)).toEqual(['before', 'during']));
    await waitFor(() => expect(host.messages.every((m) => m.state === 'delivered')).toBe(true));
    expect(world.network.links.length).toBe(4); // a second pair of peer connections
    expect(phaseHistory(host).slice(-2)).toEqual(['reconnecting', 'secure']);
    expect(phaseHistory(guest).slice(-2)).toEqual(['reconnecting', 'secure']);
  });

  it('a peer silent for 12 s is taken as a broken connection; a late check (suspended laptop) is not', async () => {
    const { world, host } = await securePair();
    // The network silently drops everything from now on.
    world.network.tamper = () => null;
    world.clock.advance(4_000);
    await settle();
    world.clock.advance(4_000);
    await settle();
    world.clock.advance(4_000);
    await settle();
    expect(host.status.phase).toBe('secure');
    world.clock.advance(4_000);
    await waitFor(() => expect(host.status.phase).toBe('reconnecting'));
  });

  it('gives up after 2 minutes with reconnect-failed', async () => {
    const { world, host } = await securePair();
    world.server.intercept = () => null; // the peer can never be found again
    host.simulateConnectionLoss();
    await waitFor(() => expect(host.status.phase).toBe('reconnecting'));
    world.clock.advance(119_999);
    await settle();
    expect(host.status.phase).toBe('reconnecting');
    world.clock.advance(1);
    await expectFailed(host, 'reconnect-failed');
  });
});

/** The reconnection stages a session went through, in order (consecutive repeats collapsed). */
function recordStages(session: Session): ReconnectStage[] {
  const stages: ReconnectStage[] = [];
  session.subscribe(() => {
    const status = session.status;
    if (status.phase === 'reconnecting' && stages.at(-1) !== status.stage) stages.push(status.stage);
  });
  return stages;
}

function allDelivered(session: Session): boolean {
  return session.messages.every((m) => m.from === 'peer' || m.state === 'delivered');
}

describe('Session: ICE restart first', () => {
  it('ICE lost on both sides: the host leads a restart on the same peer connection; same session, same safety code, outbox resent once', async () => {
    const { world, host, guest, safetyCode } = await securePair();
    const hostLink = world.network.linkOf(host)!;
    const guestLink = world.network.linkOf(guest)!;
    const [hostStages, guestStages] = [recordStages(host), recordStages(guest)];
    await host.send('before');
    await waitFor(() => expect(peerTexts(guest)).toEqual(['before']));

    // Hold what the host sends through the server, to look at both sides mid-restart.
    const held: ServerMessage[] = [];
    world.server.intercept = (frame, from) => {
      if (from.owner !== host) return frame;
      held.push(frame);
      return null;
    };
    world.network.breakPath(hostLink);
    const restarting = { phase: 'reconnecting', safetyCode, stage: 'ice-restart' };
    await waitFor(() => expect([host.status, guest.status]).toMatchObject([restarting, restarting]));
    await host.send('written during the restart');
    await guest.send('the guest too');
    await waitFor(() => expect(held.length).toBe(1)); // the host's sealed restart announcement, nothing else
    expect(guestLink.restartIceCalls).toBe(0);

    world.server.intercept = undefined;
    for (const frame of held) world.server.deliverTo(guest, frame);
    await waitFor(() => expect([host.status, guest.status]).toEqual([{ phase: 'secure', safetyCode }, { phase: 'secure', safetyCode }]));
    // The guest (the offerer) restarted ICE once; new ICE credentials on both sides, the same two peer connections.
    expect([guestLink.restartIceCalls, hostLink.restartIceCalls]).toEqual([1, 0]);
    expect([guestLink.generation, hostLink.generation]).toEqual([1, 1]);
    expect(guestLink.receivedSignals.filter((s) => s.type === 'answer').at(-1)).toMatchObject({ sdp: expect.stringContaining(`a=ice-ufrag:fk${hostLink.id}g1`) });
    expect(world.network.links.length).toBe(2);
    expect(await host.diagnostics()).toMatchObject({ peerConnections: 1, iceRestarts: 1, iceState: 'connected' });
    expect(await guest.diagnostics()).toMatchObject({ peerConnections: 1, iceRestarts: 1, iceState: 'connected' });
    expect([hostStages, guestStages]).toEqual([['ice-restart'], ['ice-restart']]);

    await waitFor(() => expect(allDelivered(host) && allDelivered(guest)).toBe(true));
    expect(peerTexts(guest)).toEqual(['before', 'written during the restart']);
    expect(peerTexts(host)).toEqual(['the guest too']);
  });

  it('only the host leads: ICE lost on the host alone is restarted while the guest stays secure', async () => {
    const { world, host, guest, safetyCode } = await securePair();
    const hostLink = world.network.linkOf(host)!;
    const guestLink = world.network.linkOf(guest)!;
    const hostStages = recordStages(host);
    hostLink.setIceState('disconnected');
    await waitFor(() => expect(hostLink.generation).toBe(1)); // the host answered the guest's restart offer
    await waitFor(() => expect(host.status).toEqual({ phase: 'secure', safetyCode }));
    expect(hostStages).toEqual(['ice-restart']);
    expect(phaseHistory(guest).at(-1)).toBe('secure');
    expect(phaseHistory(guest)).not.toContain('reconnecting');
    expect(guestLink.restartIceCalls).toBe(1);
    expect(world.network.links.length).toBe(2);
  });

  it('ICE lost on the guest alone: the guest does not restart; without the host the bound expires and a new connection resumes the session', async () => {
    const { world, host, guest, safetyCode } = await securePair(createWorld(), { host: { iceRestartTimeoutMs: 5_000 }, guest: { iceRestartTimeoutMs: 5_000 } });
    const guestLink = world.network.linkOf(guest)!;
    const guestStages = recordStages(guest);
    guestLink.setIceState('disconnected');
    await waitFor(() => expect(guest.status).toMatchObject({ phase: 'reconnecting', stage: 'ice-restart' }));
    await settle();
    expect(host.status.phase).toBe('secure');
    expect(guestLink.restartIceCalls).toBe(0);
    // Its first offer and candidate and its three handshake messages, long ago.
    expect(world.server.connectionOf(guest)!.sent.filter((m) => m.type === 'signal')).toHaveLength(5);

    world.clock.advance(4_999);
    await settle();
    expect(guest.status).toMatchObject({ phase: 'reconnecting', stage: 'ice-restart' });
    world.clock.advance(1);
    await waitFor(() => expect([host.status, guest.status]).toEqual([{ phase: 'secure', safetyCode }, { phase: 'secure', safetyCode }]));
    expect(guestStages).toEqual(['ice-restart', 'new-connection']);
    expect(world.network.links.length).toBe(4);
  });

  it('a restart that does not bring the path back falls back, after the bound, to a new connection with the resumed handshake', async () => {
    const { world, host, guest, safetyCode } = await securePair();
    const [hostStages, guestStages] = [recordStages(host), recordStages(guest)];
    world.network.iceRestartWorks = false;
    world.network.breakPath(world.network.linkOf(host)!);
    await waitFor(() => expect(world.network.linkOf(guest)!.restartIceCalls).toBe(1));
    await host.send('waiting in the outbox');
    await settle();
    world.clock.advance(5_999); // the default bound is 6 s
    await settle();
    expect([host.status, guest.status]).toMatchObject([{ stage: 'ice-restart' }, { stage: 'ice-restart' }]);
    world.clock.advance(1);
    await waitFor(() => expect([host.status, guest.status]).toEqual([{ phase: 'secure', safetyCode }, { phase: 'secure', safetyCode }]));
    expect([hostStages, guestStages]).toEqual([
      ['ice-restart', 'new-connection'],
      ['ice-restart', 'new-connection'],
    ]);
    expect(world.network.links.length).toBe(4);
    expect(await host.diagnostics()).toMatchObject({ peerConnections: 2, iceRestarts: 0 });
    await waitFor(() => expect(allDelivered(host)).toBe(true));
    expect(peerTexts(guest)).toEqual(['waiting in the outbox']);
  });

  it('the data channel closing during a restart (ICE failed) goes on to a new connection at once', async () => {
    const { world, host, guest, safetyCode } = await securePair();
    const guestStages = recordStages(guest);
    world.network.iceRestartWorks = false;
    world.network.breakPath(world.network.linkOf(host)!);
    await waitFor(() => expect(guest.status).toMatchObject({ stage: 'ice-restart' }));
    world.network.linkOf(guest)!.fail(new DuetError('peer-connection-failed', 'ERR_ICE_CONNECTION_FAILURE'));
    await waitFor(() => expect(guest.status).toMatchObject({ stage: 'new-connection' }));
    // The host hears nothing (the path is down); its own bound moves it on.
    world.clock.advance(6_000);
    await waitFor(() => expect([host.status, guest.status]).toEqual([{ phase: 'secure', safetyCode }, { phase: 'secure', safetyCode }]));
    expect(guestStages).toEqual(['ice-restart', 'new-connection']);
  });

  it('without the signaling server (it went away while secure) ICE loss goes straight to a new connection', async () => {
    const { world, host, guest, safetyCode } = await securePair();
    const hostStages = recordStages(host);
    world.server.drop(host);
    world.server.drop(guest);
    await settle();
    world.network.breakPath(world.network.linkOf(host)!);
    await waitFor(() => expect(world.network.links.length).toBe(4));
    await waitFor(() => expect([host.status, guest.status]).toEqual([{ phase: 'secure', safetyCode }, { phase: 'secure', safetyCode }]));
    expect(hostStages).toEqual(['ice-restart', 'new-connection']);
    expect(world.network.linkOf(guest)!.restartIceCalls).toBe(0);
    expect(world.network.links.length).toBe(4);
  });

  it('signals of an earlier restart, replayed into a later one, are never applied', async () => {
    const { world, host, guest, safetyCode } = await securePair();
    const hostLink = world.network.linkOf(host)!;
    const guestLink = world.network.linkOf(guest)!;
    const fromHost: ServerMessage[] = [];
    world.server.intercept = (frame, from) => {
      if (from.owner === host) fromHost.push(frame);
      return frame;
    };
    world.network.breakPath(hostLink);
    await waitFor(() => expect(fromHost.length).toBe(3)); // announcement, answer, candidate
    await waitFor(() => expect([host.status, guest.status]).toEqual([{ phase: 'secure', safetyCode }, { phase: 'secure', safetyCode }]));
    const firstRestart = [...fromHost];

    // A second restart; the host's answer to it is held back, so the guest stays mid-restart.
    const held: ServerMessage[] = [];
    let announced = false;
    world.server.intercept = (frame, from) => {
      if (from.owner !== host) return frame;
      if (!announced) {
        announced = true; // the genuine announcement goes through
        return frame;
      }
      held.push(frame);
      return null;
    };
    world.network.breakPath(hostLink);
    await waitFor(() => expect(guestLink.restartIceCalls).toBe(2));
    await waitFor(() => expect(held.length).toBe(2)); // the answer and candidate of the second restart
    expect(guest.status).toMatchObject({ phase: 'reconnecting', stage: 'ice-restart' });

    // The whole first restart again: its announcement does not open under the new binding
    // (refused with a notice while reconnecting); its answer and candidate are stale.
    const applied = guestLink.receivedSignals.length;
    for (const frame of firstRestart) world.server.deliverTo(guest, frame);
    await waitFor(() => expect(noticeCodes(guest)).toContain('signal-rejected'));
    await settle();
    expect(guestLink.receivedSignals.length).toBe(applied);
    expect(guestLink.restartIceCalls).toBe(2);

    world.server.intercept = undefined;
    for (const frame of held) world.server.deliverTo(guest, frame);
    await waitFor(() => expect([host.status, guest.status]).toEqual([{ phase: 'secure', safetyCode }, { phase: 'secure', safetyCode }]));
    const answers = guestLink.receivedSignals.filter((s) => s.type === 'answer').map((s) => (s.type === 'answer' ? s.sdp : ''));
    expect(answers.map((sdp) => /a=ice-ufrag:(\S+)/.exec(sdp)?.[1])).toEqual([`fk${hostLink.id}g0`, `fk${hostLink.id}g1`, `fk${hostLink.id}g2`]);
    expect(world.network.links.length).toBe(2);
  });

  it('a signal replayed in its own binding is refused, never applied: while secure, a notice and the chat goes on', async () => {
    const { world, host, guest, safetyCode } = await securePair();
    const guestLink = world.network.linkOf(guest)!;
    const fromHost: ServerMessage[] = [];
    world.server.intercept = (frame, from) => {
      if (from.owner === host) fromHost.push(frame);
      return frame;
    };
    world.network.breakPath(world.network.linkOf(host)!);
    await waitFor(() => expect(fromHost.length).toBe(3));
    await waitFor(() => expect(guest.status).toEqual({ phase: 'secure', safetyCode }));
    // The guest opens signals one at a time: wait until it applied all the host's link made.
    const hostLink = world.network.linkOf(host)!;
    await waitFor(() => expect(guestLink.receivedSignals).toEqual(hostLink.emitted));
    const applied = guestLink.receivedSignals.length;
    // The restart's answer again (applied, it would tear the live connection down).
    world.server.deliverTo(guest, fromHost[1]!);
    await waitFor(() => expect(noticeCodes(guest)).toContain('signal-rejected'));
    // And junk that does not open at all, as a hostile server might send.
    world.server.deliverTo(guest, { type: 'signal', payload: flipBit((fromHost[1] as { payload: string }).payload) });
    await waitFor(() => expect(noticeCodes(guest).filter((code) => code === 'signal-rejected')).toHaveLength(2));
    await settle();
    expect(guestLink.receivedSignals.length).toBe(applied);
    expect(guest.status).toEqual({ phase: 'secure', safetyCode });
    await host.send('still talking');
    await waitFor(() => expect(peerTexts(guest)).toContain('still talking'));
  });
});

describe('Session: losing the signaling connection', () => {
  it('while waiting for the peer: fails with signaling-lost', async () => {
    const world = createWorld();
    const host = await makeSession(world);
    await createdInvite(host);
    world.server.drop(host);
    await expectFailed(host, 'signaling-lost');
    expect(world.server.roomCount()).toBe(0);
  });

  it('after secure: the chat keeps working both ways', async () => {
    const { world, host, guest, safetyCode } = await securePair();
    const guestSignaling = world.server.connectionOf(guest)!;
    world.server.drop(host);
    // The server tells the remaining member its peer left the room (that is all it knows).
    await waitFor(() => expect(guestSignaling.received.map((m) => m.type)).toContain('peer-left'));
    await settle();

    expect(host.status).toEqual({ phase: 'secure', safetyCode });
    expect(guest.status).toEqual({ phase: 'secure', safetyCode });
    await host.send('server gone, still here');
    await guest.send('me too');
    await waitFor(() => expect(peerTexts(guest)).toEqual(['server gone, still here']));
    await waitFor(() => expect(peerTexts(host)).toEqual(['me too']));
  });
});

describe('Session: handshake timing', () => {
  it('runs the handshake through the server while WebRTC connects: secure waits for the link, which carries records only', async () => {
    const world = createWorld({ network: { connectivity: false } });
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    const signalsFrom = (session: Session) => world.server.connectionOf(session)!.sent.filter((m) => m.type === 'signal').length;
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', invite.link);
    // No direct route yet, but the whole handshake went through the server: the host's
    // session message, HELLO, KEY, CONFIRM, answer and candidate; the guest's HELLO, KEY,
    // CONFIRM, offer and candidate.
    await waitFor(() => expect([signalsFrom(host), signalsFrom(guest)]).toEqual([6, 5]));
    await settle();
    expect([host.status.phase, guest.status.phase]).toEqual(['connecting', 'connecting']);
    expect(world.network.links.every((link) => link.sentFrames.length === 0)).toBe(true);

    world.network.connectivity = true;
    world.network.tryConnect(world.network.linkOf(guest)!);
    await bothSecure(host, guest);
    expect([signalsFrom(host), signalsFrom(guest)]).toEqual([6, 5]);
    const frames = world.network.links.flatMap((link) => link.sentFrames);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((frame) => frame[1]! >= RecordType.profile)).toBe(true);
  });

  it('does not lose the peer’s first handshake message when its own RSA key is still being generated', async () => {
    const world = createWorld();
    let release!: () => void;
    const keysHeld = new Promise<void>((resolve) => (release = resolve));
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world, { holdKeysUntil: keysHeld })]);
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', invite.link);
    // The link is up and the host has sent its HELLO (with its session message, answer and
    // candidate, through the server); the guest is still waiting for its key pair.
    await waitFor(() => expect(guest.status.phase).toBe('securing'));
    await waitFor(() => expect(world.server.connectionOf(host)!.sent.filter((m) => m.type === 'signal').length).toBeGreaterThanOrEqual(4));
    expect(host.status.phase).not.toBe('secure');

    release();
    // The clock never moves, so no retransmission can repair a lost message.
    await bothSecure(host, guest, 3_000);
  });
});
