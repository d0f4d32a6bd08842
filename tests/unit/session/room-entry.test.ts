/**
 * RoomEntry alone: the room on the signaling server, over a recording connection the
 * test answers for the server. Real room keys; the short code's word list is the real one.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ClientMessage, RoomId, ServerMessage } from '../../../signaling/protocol.ts';
import { type Bytes } from '../../../src/core/bytes.ts';
import { DuetError } from '../../../src/core/errors.ts';
import { deriveRoomKeys, encodeInviteCode } from '../../../src/core/invite.ts';
import type { Invite } from '../../../src/session/phases.ts';
import { RoomEntry, type RoomEntryHost } from '../../../src/session/room-entry.ts';
import type { SignalingConnection, SignalingHandlers } from '../../../src/transport/signaling-client.ts';
import { ManualClock, settle } from '../helpers/manual-clock.ts';
import { recordingHost } from '../helpers/recording-host.ts';

const APP_URL = 'https://duet.test/';
const SECRET = new Uint8Array(32).fill(9) as Bytes;

/** A signaling server the test speaks for: every connection made, what was sent on it, its handlers. */
function fakeServer() {
  const connections: { sent: ClientMessage[]; closed: boolean; handlers: SignalingHandlers }[] = [];
  const state = { reachable: true };
  const connectSignaling = async (_url: string, handlers: SignalingHandlers): Promise<SignalingConnection> => {
    if (!state.reachable) throw new DuetError('signaling-unreachable', 'no route');
    const connection = { sent: [] as ClientMessage[], closed: false, handlers };
    connections.push(connection);
    return { send: (message) => void connection.sent.push(message), close: () => void (connection.closed = true) };
  };
  const say = (message: ServerMessage, index = connections.length - 1) => connections[index]!.handlers.onMessage(message);
  return { connections, state, connectSignaling, say };
}

function setup(random = (length: number) => new Uint8Array(length).fill(9) as Bytes) {
  const server = fakeServer();
  const recording = recordingHost<RoomEntryHost>();
  const room = new RoomEntry(recording.host, { signalingUrl: 'wss://signal.duet.test/ws', appUrl: APP_URL, transport: server, random, clock: new ManualClock() });
  return { server, room, ...recording };
}

describe('RoomEntry: the host', () => {
  it('creates the room under the id its secret derives and offers the invite, with no short code until asked', async () => {
    const { server, room, names, argsOf } = setup();
    await room.create();
    const { roomId } = await deriveRoomKeys(SECRET);
    expect(server.connections[0]!.sent).toEqual([{ type: 'create', room: roomId }]);
    expect(room.roomId).toBe(roomId);
    expect(names()).toEqual([]);
    server.say({ type: 'created', room: roomId });
    await settle();
    expect(names()).toEqual(['roomReady']);
    const invite = argsOf('roomReady')[0]![0] as Invite;
    expect(invite).toEqual({ link: `${APP_URL}#${encodeInviteCode(SECRET)}`, code: encodeInviteCode(SECRET), shortCode: { state: 'none' } });
    expect(room.invite).toEqual(invite);
    expect(room.takeShortCode()).toBeUndefined();
  });

  it('asks for a short code: the server names the number, the words are made here, and the invite shows both', async () => {
    const { server, room, names, argsOf } = setup();
    await room.create();
    server.say({ type: 'created', room: room.roomId! });
    await settle();
    room.requestShortCode();
    room.requestShortCode(); // asked twice while asking: one request
    expect(server.connections[0]!.sent.slice(1)).toEqual([{ type: 'claim-nameplate' }]);
    expect(argsOf('inviteChanged').map(([invite]) => (invite as Invite).shortCode)).toEqual([{ state: 'asking' }]);
    server.say({ type: 'nameplate', nameplate: 7 });
    // The word list loads on demand (a dynamic import).
    await vi.waitFor(() => expect(names()).toHaveLength(3));
    const shown = (argsOf('inviteChanged').at(-1)![0] as Invite).shortCode;
    expect(shown).toEqual({ state: 'ready', code: expect.stringMatching(/^7-[a-z]+-[a-z]+$/) });
    const code = shown.state === 'ready' ? shown.code : '';
    expect(names()).toEqual(['roomReady', 'inviteChanged', 'inviteChanged']);
    // A guest came in with it: the code is spent (the nameplate stays the server's number, never read back from the text).
    expect(room.takeShortCode()).toEqual({ nameplate: 7, password: code.slice(2) });
    expect(room.invite?.shortCode).toEqual({ state: 'none' });
    expect(room.takeShortCode()).toBeUndefined();
  });

  it('a number the host did not ask for is ignored', async () => {
    const { server, room, names } = setup();
    await room.create();
    server.say({ type: 'created', room: room.roomId! });
    server.say({ type: 'nameplate', nameplate: 7 });
    await settle();
    expect(names()).toEqual(['roomReady']);
    expect(room.takeShortCode()).toBeUndefined();
  });

  it('with no number free, the invite goes back to no short code and the person hears no-nameplate', async () => {
    const { server, room, argsOf } = setup();
    await room.create();
    server.say({ type: 'created', room: room.roomId! });
    await settle();
    room.requestShortCode();
    server.say({ type: 'error', code: 'no-nameplate', message: 'none free' });
    await settle();
    expect((argsOf('inviteChanged').at(-1)![0] as Invite).shortCode).toEqual({ state: 'none' });
    expect(argsOf('notice')).toEqual([[expect.objectContaining({ code: 'no-nameplate' })]]);
    expect(argsOf('message')).toEqual([]);
  });
});

describe('RoomEntry: the guest', () => {
  it('joins by link with the derived room id, then says the request is out', async () => {
    const { server, room } = setup();
    const entry = await room.readInvite(`${APP_URL}#${encodeInviteCode(SECRET)}`);
    let sent = 0;
    await room.join(entry, () => sent++);
    expect(server.connections[0]!.sent).toEqual([{ type: 'join', room: (await deriveRoomKeys(SECRET)).roomId }]);
    expect(sent).toBe(1);
    expect(room.connected).toBe(true);
  });

  it('joins by short code with its nameplate as a number, and learns the room id from the server', async () => {
    const { server, room, argsOf } = setup();
    const entry = await room.readInvite('42-tiger-ocean');
    expect(entry).toEqual({ kind: 'short', nameplate: 42, password: 'tiger-ocean' });
    await room.join(entry, () => {});
    expect(server.connections[0]!.sent).toEqual([{ type: 'join-short', nameplate: 42 }]);
    expect(room.takeShortCode()).toEqual({ nameplate: 42, password: 'tiger-ocean' });
    const joined: ServerMessage = { type: 'joined', room: 'r'.repeat(43) as RoomId };
    server.say(joined);
    expect(room.roomId).toBe('r'.repeat(43));
    expect(argsOf('message')).toEqual([[joined]]);
  });

  it('an unreadable code is invalid-code at once', async () => {
    const { room } = setup();
    await expect(room.readInvite('not a code')).rejects.toMatchObject({ code: 'invalid-code' });
  });

  it('an unreachable server fails the entry with signaling-unreachable; nothing is sent', async () => {
    const { server, room, argsOf } = setup();
    server.state.reachable = false;
    let sent = 0;
    await room.join({ kind: 'link', secret: SECRET }, () => sent++);
    expect(sent).toBe(0);
    expect(argsOf('failed')).toEqual([[expect.objectContaining({ code: 'signaling-unreachable' })]]);
    expect(room.connected).toBe(false);
  });
});

describe('RoomEntry: the connection', () => {
  it('a closed connection is forgotten and reported; invalid frames are reported as they come', async () => {
    const { server, room, names } = setup();
    await room.join({ kind: 'link', secret: SECRET }, () => {});
    server.connections[0]!.handlers.onInvalid(new DuetError('signaling-malformed'));
    server.connections[0]!.handlers.onClose();
    expect(names()).toEqual(['invalid', 'closed']);
    expect(room.connected).toBe(false);
    room.send({ type: 'leave' });
    expect(server.connections[0]!.sent).toHaveLength(1);
  });

  it('reopen: failed when the server cannot be reached; unwanted (and closed again) when no longer needed; opened asks for the room again', async () => {
    const { server, room } = setup();
    await room.join({ kind: 'link', secret: SECRET }, () => {});
    server.connections[0]!.handlers.onClose();
    server.state.reachable = false;
    expect(await room.reopen(() => true)).toBe('failed');
    server.state.reachable = true;
    expect(await room.reopen(() => false)).toBe('unwanted');
    expect(server.connections[1]!.closed).toBe(true);
    expect(room.connected).toBe(false);
    expect(await room.reopen(() => true)).toBe('opened');
    expect(server.connections[2]!.sent).toEqual([{ type: 'join', room: room.roomId }]);
    expect(room.connected).toBe(true);
  });

  it('leave tells the server, then closes', async () => {
    const { server, room } = setup();
    await room.join({ kind: 'link', secret: SECRET }, () => {});
    room.leave();
    expect(server.connections[0]!.sent.at(-1)).toEqual({ type: 'leave' });
    expect(server.connections[0]!.closed).toBe(true);
    expect(room.connected).toBe(false);
  });
});
