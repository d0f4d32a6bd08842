/**
 * Where rooms live: one interface, two implementations. MemoryRoomStore keeps them in
 * this process (the default, `npm start` with no setup); RedisRoomStore keeps them in
 * Redis so that several signaling instances share them, and relays frames between
 * instances through Redis pub/sub (docs/adr/0009-room-store-on-redis.md).
 *
 * The store knows rooms, member places, the two-person limit and nameplates, and it
 * carries frames to members. What each client message means (who hears what, in which
 * order) is in signaling/room-service.ts, on top of it. Every operation that checks and
 * then changes (capacity, nameplates) is one atomic step in both implementations.
 */
import type { RoomId } from '../protocol.ts';

/** A member place: `<instance id>:<sequence>`, so any instance can tell whose it is. */
export type MemberId = string & { readonly __brand: 'MemberId' };

export const MEMBERS_PER_ROOM = 2;

export type CreateResult = 'created' | 'room-exists';

export type JoinResult =
  /**
   * `peers`: the members already there (they hear peer-joined). `vacated`: places of
   * members whose instance died, removed to make room (their peers hear peer-left first,
   * as they would have had the socket closed normally).
   */
  | { ok: true; peers: MemberId[]; vacated: MemberId[] }
  | { ok: false; code: 'room-not-found' | 'room-full' };

export type LeaveResult =
  | { status: 'not-in-room' }
  /** `peers`: who is still there (they hear peer-left); `closed`: that was the last member. */
  | { status: 'left'; peers: MemberId[]; closed: boolean };

export type RelayResult = { status: 'not-in-room' } | { status: 'relayed'; peers: number };

/** Receives a frame (JSON text of a ServerMessage) for a member of this instance. */
export type LocalDelivery = (to: MemberId, frame: string) => void;

export interface RoomStore {
  /** Identifies this instance among those sharing the store. */
  readonly instanceId: string;
  /** Where frames for this instance's members go (set once, before start). */
  setDelivery(deliver: LocalDelivery): void;
  /** Subscribes, takes the instance's lease; resolves when the store can be used. */
  start(): Promise<void>;

  newMemberId(): MemberId;

  /** Makes room `room` with `member` in it, unless a room with that id exists. */
  createRoom(room: RoomId, member: MemberId): Promise<CreateResult>;
  /** Atomically: the room exists and has a free place, then `member` takes it. */
  joinRoom(room: RoomId, member: MemberId): Promise<JoinResult>;
  /**
   * Takes `member` out; the last one out closes the room and frees its nameplate. Also
   * for a place already gone (evicted, or lapsed): this instance stops keeping the room.
   */
  leaveRoom(room: RoomId, member: MemberId): Promise<LeaveResult>;
  /** Sends `frame` to every other member of the room, wherever it is connected. */
  relay(room: RoomId, from: MemberId, frame: string): Promise<RelayResult>;
  /** Sends `frame` to one member, wherever it is connected (dropped if it is gone). */
  send(to: MemberId, frame: string): Promise<void>;
  /**
   * Atomically: if `requester` is in the room and the member who joined it last is
   * someone else, that member loses its place (returned, to be told). Who joined
   * later cannot remove who was there first, so a stranger cannot push the host out.
   */
  evictNewest(room: RoomId, requester: MemberId): Promise<MemberId | undefined>;
  /**
   * Closes the room if nobody ever joined it, returning its members (who must be told);
   * undefined if it was joined or is gone.
   */
  expireIfUnjoined(room: RoomId): Promise<MemberId[] | undefined>;

  /**
   * Gives the room a free nameplate (or the one it has), trying `candidates` first, in
   * order, then the lowest free one. Undefined if the room is gone or none is free.
   */
  allocateNameplate(room: RoomId, candidates: readonly number[]): Promise<number | undefined>;
  /** The room a nameplate points to. */
  resolveNameplate(nameplate: number): Promise<RoomId | undefined>;
  /** Atomically resolves and frees a nameplate (a one-time short code). */
  consumeNameplate(nameplate: number): Promise<RoomId | undefined>;
  /** Frees the room's nameplate, if it has one. */
  releaseNameplate(room: RoomId): Promise<void>;

  /** Whether the store can serve requests now (/readyz). */
  ready(): Promise<boolean>;
  /** Gives up the instance's lease and connections. Its members' places go with it. */
  close(): Promise<void>;
}

export function memberInstance(member: MemberId): string {
  return member.slice(0, member.indexOf(':'));
}
