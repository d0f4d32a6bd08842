/**
 * The room semantics of the signaling protocol, independent of any transport: who
 * is in which room, what each client message does, and what every member hears,
 * synchronously and in one process. The unit tests' fake server runs it. The real
 * server runs the same rules asynchronously over a RoomStore (signaling/room-service.ts,
 * rooms in memory or in Redis); tests/unit/signaling/store-parity.test.ts and the
 * server tests hold the two to the same transcript. It reaches the outside only through
 * the callbacks it is given (and imports nothing from Node, for that reason).
 */
import {
  type ClientMessage,
  MAX_NAMEPLATE,
  type JoinVia,
  type RoomId,
  type ServerMessage,
  type SignalingErrorCode,
  errorMessage,
} from './protocol.ts';

const MEMBERS_PER_ROOM = 2;

/**
 * Numbers tried at random before falling back to the lowest free one: three digits
 * first, so codes stay short, then the whole range.
 */
const NAMEPLATE_DRAWS: readonly (readonly [max: number, tries: number])[] = [
  [999, 20],
  [MAX_NAMEPLATE, 50],
];

/**
 * The nameplates to try, in order, before the lowest free one (here and in every
 * RoomStore). Random, so a room's number says nothing about other rooms.
 */
export function nameplateCandidates(randomInt: (minInclusive: number, maxExclusive: number) => number): number[] {
  const candidates: number[] = [];
  for (const [max, tries] of NAMEPLATE_DRAWS) for (let i = 0; i < tries; i++) candidates.push(randomInt(1, max + 1));
  return candidates;
}

export interface Room<M> {
  readonly id: RoomId;
  /** What logs show instead of the room id. */
  readonly tag: string;
  readonly members: ReadonlySet<M>;
  /** The short-code number, once a member asked for one (claim-nameplate) and until a join spends it. */
  readonly nameplate: number | undefined;
}

interface MutableRoom<M> extends Room<M> {
  readonly members: Set<M>;
  nameplate: number | undefined;
  /** Someone ever joined it (an unjoined room expires; see expireIfUnjoined). */
  joined: boolean;
  /** Who joined last (not the creator): the one an earlier member may evict. */
  newest: M | undefined;
}

/** Rooms appear in log entries only by tag: never by id, and payloads never. */
export type RoomLogEntry =
  | { event: 'room-created' | 'room-joined' | 'room-left' | 'room-closed' | 'room-expired' | 'member-evicted'; room: string }
  | { event: 'rejected'; code: SignalingErrorCode };

export interface RoomDirectoryOptions<M> {
  /**
   * Sends `message` to `to`, synchronously and in call order. `from` is the sender
   * when the message relays another member's signal.
   */
  deliver(to: M, message: ServerMessage, from?: M): void;
  log(entry: RoomLogEntry): void;
  /** A short, non-reversible tag that lets log entries about one room be correlated. */
  tagOf(room: RoomId): string;
  /** A uniformly random integer in [minInclusive, maxExclusive), for nameplates. */
  randomInt(minInclusive: number, maxExclusive: number): number;
  /** The last member left: the room with this id is gone (and the id free again). */
  closed?(room: RoomId): void;
}

/** All rooms of one server, and the room (if any) each member is in. */
export class RoomDirectory<M> {
  private readonly rooms = new Map<RoomId, MutableRoom<M>>();
  private readonly nameplates = new Map<number, MutableRoom<M>>();
  private readonly roomOf = new Map<M, MutableRoom<M>>();

  constructor(private readonly options: RoomDirectoryOptions<M>) {}

  roomCount(): number {
    return this.rooms.size;
  }

  roomByNameplate(nameplate: number): Room<M> | undefined {
    return this.nameplates.get(nameplate);
  }

  /** Carries out a validated client message from `member`. */
  handle(member: M, message: ClientMessage): void {
    switch (message.type) {
      case 'create':
        return this.create(member, message.room);
      case 'join':
        return this.join(member, this.rooms.get(message.room), 'link');
      case 'join-short':
        return this.join(member, this.consumeNameplate(message.nameplate), 'short');
      case 'claim-nameplate':
        return this.claimNameplate(member);
      case 'evict':
        return this.evict(member);
      case 'signal':
        return this.signal(member, message.payload);
      case 'leave':
        return this.leave(member);
      case 'refresh-ice':
        // No ICE servers here (the real server's are in ice-servers.ts): only a stranger is refused.
        if (!this.roomOf.has(member)) this.reject(member, 'not-in-room');
        return;
      case 'server-info':
        this.options.deliver(member, { type: 'server-info', relay: 'none' });
        return;
    }
  }

  /** `member` is gone (its connection closed): it leaves its room, if it is in one. */
  disconnect(member: M): void {
    const room = this.roomOf.get(member);
    if (room) this.leaveRoom(member, room);
  }

  /** Answers `member` with an error, logged by its code only. Also for frames that fail validation. */
  reject(member: M, code: SignalingErrorCode): void {
    this.options.log({ event: 'rejected', code });
    this.options.deliver(member, errorMessage(code));
  }

  /**
   * Closes the room with this id if nobody ever joined it, telling its creator
   * (room-expired). Returns whether it did.
   */
  expireIfUnjoined(id: RoomId): boolean {
    const room = this.rooms.get(id);
    if (!room || room.joined) return false;
    this.options.log({ event: 'room-expired', room: room.tag });
    for (const member of [...room.members]) {
      this.options.deliver(member, errorMessage('room-expired'));
      this.leaveRoom(member, room);
    }
    return true;
  }

  private create(member: M, id: RoomId): void {
    if (this.roomOf.has(member)) return this.reject(member, 'already-in-room');
    if (this.rooms.has(id)) return this.reject(member, 'room-exists');
    const room: MutableRoom<M> = { id, tag: this.options.tagOf(id), members: new Set([member]), nameplate: undefined, joined: false, newest: undefined };
    this.rooms.set(id, room);
    this.roomOf.set(member, room);
    this.options.log({ event: 'room-created', room: room.tag });
    this.options.deliver(member, { type: 'created', room: id });
  }

  private claimNameplate(member: M): void {
    const room = this.roomOf.get(member);
    if (!room) return this.reject(member, 'not-in-room');
    room.nameplate ??= this.freeNameplate();
    if (room.nameplate === undefined) return this.reject(member, 'no-nameplate');
    this.nameplates.set(room.nameplate, room);
    this.options.deliver(member, { type: 'nameplate', nameplate: room.nameplate });
  }

  /** One join per short code: its number points nowhere once used. */
  private consumeNameplate(nameplate: number): MutableRoom<M> | undefined {
    const room = this.nameplates.get(nameplate);
    if (!room) return undefined;
    this.nameplates.delete(nameplate);
    room.nameplate = undefined;
    return room;
  }

  /** The member who joined last loses its place, if someone who was there before asks. */
  private evict(member: M): void {
    const room = this.roomOf.get(member);
    if (!room) return this.reject(member, 'not-in-room');
    const newest = room.newest;
    if (newest === undefined || newest === member || !room.members.has(newest)) return;
    room.members.delete(newest);
    room.newest = undefined;
    this.roomOf.delete(newest);
    this.options.log({ event: 'member-evicted', room: room.tag });
    this.options.deliver(newest, errorMessage('evicted'));
  }

  /** Random rather than lowest-free, so a room's number says nothing about other rooms. */
  private freeNameplate(): number | undefined {
    const free = nameplateCandidates(this.options.randomInt).find((candidate) => !this.nameplates.has(candidate));
    if (free !== undefined) return free;
    for (let candidate = 1; candidate <= MAX_NAMEPLATE; candidate++) if (!this.nameplates.has(candidate)) return candidate;
    return undefined;
  }

  private join(member: M, room: MutableRoom<M> | undefined, via: JoinVia): void {
    if (this.roomOf.has(member)) return this.reject(member, 'already-in-room');
    if (!room) return this.reject(member, 'room-not-found');
    if (room.members.size >= MEMBERS_PER_ROOM) return this.reject(member, 'room-full');
    room.members.add(member);
    room.joined = true;
    room.newest = member;
    this.roomOf.set(member, room);
    this.options.log({ event: 'room-joined', room: room.tag });
    // The member already waiting hears first, so it is ready before the joiner starts signaling.
    for (const peer of this.peersOf(member)) this.options.deliver(peer, { type: 'peer-joined', via });
    this.options.deliver(member, { type: 'joined', room: room.id });
  }

  private signal(member: M, payload: string): void {
    if (!this.roomOf.has(member)) return this.reject(member, 'not-in-room');
    const peers = this.peersOf(member);
    if (peers.length === 0) return this.reject(member, 'no-peer');
    for (const peer of peers) this.options.deliver(peer, { type: 'signal', payload }, member);
  }

  private leave(member: M): void {
    const room = this.roomOf.get(member);
    if (!room) return this.reject(member, 'not-in-room');
    this.leaveRoom(member, room);
  }

  /** Takes `member` out of `room` and tells the peer; the last one out closes the room. */
  private leaveRoom(member: M, room: MutableRoom<M>): void {
    const peers = this.peersOf(member);
    room.members.delete(member);
    this.roomOf.delete(member);
    this.options.log({ event: 'room-left', room: room.tag });
    for (const peer of peers) this.options.deliver(peer, { type: 'peer-left' });
    if (room.members.size === 0) {
      this.rooms.delete(room.id);
      if (room.nameplate !== undefined) this.nameplates.delete(room.nameplate);
      this.options.log({ event: 'room-closed', room: room.tag });
      this.options.closed?.(room.id);
    }
  }

  private peersOf(member: M): M[] {
    return [...(this.roomOf.get(member)?.members ?? [])].filter((other) => other !== member);
  }
}
