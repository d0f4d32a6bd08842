/**
 * The room semantics of the signaling server on top of a RoomStore (signaling/store/):
 * what each client message does and what every member hears, in which order. The store
 * may be this process's memory or Redis shared with other instances, so every step is
 * asynchronous; the steps of one connection run one after another, in arrival order.
 *
 * The same semantics, synchronous and single-process, are in signaling/rooms.ts, which
 * the unit tests' fake server runs; tests/unit/signaling/server.test.ts checks this one
 * in memory, tests/unit/signaling/multi-instance.test.ts on Redis across two instances.
 */
import {
  type ClientMessage,
  type JoinVia,
  type RelayOffer,
  type RoomId,
  type ServerMessage,
  type SignalingErrorCode,
  errorMessage,
  parseServerMessage,
} from './protocol.ts';
import { errorName } from './logger.ts';
import { type RoomLogEntry, nameplateCandidates } from './rooms.ts';
import type { MemberId, RoomStore } from './store/room-store.ts';

/** One connection of this instance, as the room service sees it. */
export interface LocalMember {
  readonly id: MemberId;
  /** The room it holds a place in, if any. */
  room: RoomId | undefined;
  /** Puts a frame on this member's socket. */
  readonly write: (frame: string) => void;
  /** Its steps, one after another. */
  queue: Promise<void>;
  gone: boolean;
}

export interface RoomServiceOptions {
  store: RoomStore;
  log(entry: RoomLogEntry | { event: 'server-error'; error: string }): void;
  tagOf(room: RoomId): string;
  randomInt(minInclusive: number, maxExclusive: number): number;
  /** A room nobody joined closes after this long (ms). */
  unjoinedRoomTtlMs: number;
  /** The member has just been told it holds a place (created/joined), or asked again (refresh-ice). */
  placed?(member: LocalMember, why: 'created' | 'joined' | 'refresh-ice'): void;
  /** A signal went to `peers` peers. */
  relayed?(peers: number): void;
  /** What `server-info` answers: whether members get a TURN relay (default none). */
  relay?: RelayOffer;
}

export class RoomService {
  private readonly members = new Map<MemberId, LocalMember>();
  /** Rooms with a member on this instance. */
  private readonly localRooms = new Map<RoomId, number>();
  /** Timers that close rooms nobody joined (on the creator's instance), by room. */
  private readonly expiries = new Map<RoomId, NodeJS.Timeout>();

  constructor(private readonly options: RoomServiceOptions) {
    options.store.setDelivery((to, frame) => this.deliverLocal(to, frame));
  }

  /** Rooms with a member connected to this instance. */
  roomCount(): number {
    return this.localRooms.size;
  }

  memberCount(): number {
    return this.members.size;
  }

  connect(write: (frame: string) => void): LocalMember {
    const member: LocalMember = { id: this.options.store.newMemberId(), room: undefined, write, queue: Promise.resolve(), gone: false };
    this.members.set(member.id, member);
    return member;
  }

  /** Carries out a validated client message, after the member's earlier ones. */
  handle(member: LocalMember, message: ClientMessage): Promise<void> {
    return this.enqueue(member, () => this.step(member, message));
  }

  /** The member's connection closed: it leaves its room, after its pending steps. */
  disconnect(member: LocalMember): Promise<void> {
    member.gone = true;
    return this.enqueue(member, async () => {
      this.members.delete(member.id);
      if (member.room !== undefined) await this.leaveRoom(member, member.room);
    });
  }

  /** Refuses a frame (it failed validation, or a limit), in order after the member's earlier steps. */
  refuse(member: LocalMember, code: SignalingErrorCode): Promise<void> {
    return this.enqueue(member, async () => this.reject(member, code));
  }

  /** Answers `member` with an error now, logged by its code only. */
  reject(member: LocalMember, code: SignalingErrorCode): void {
    this.options.log({ event: 'rejected', code });
    this.reply(member, errorMessage(code));
  }

  stop(): void {
    for (const timer of this.expiries.values()) clearTimeout(timer);
    this.expiries.clear();
  }

  private enqueue(member: LocalMember, run: () => Promise<void>): Promise<void> {
    const next = member.queue.then(run).catch((error: unknown) => {
      this.options.log({ event: 'server-error', error: errorName(error) });
      this.reply(member, errorMessage('server-error'));
    });
    member.queue = next;
    return next;
  }

  private async step(member: LocalMember, message: ClientMessage): Promise<void> {
    switch (message.type) {
      case 'create':
        return this.create(member, message.room);
      case 'join':
        return this.join(member, message.room, 'link');
      case 'join-short': {
        if (member.room !== undefined) return this.reject(member, 'already-in-room');
        // Consumed, not looked up: one join per short code, so each code gets one guess.
        const room = await this.options.store.consumeNameplate(message.nameplate);
        if (room === undefined) return this.reject(member, 'room-not-found');
        return this.join(member, room, 'short');
      }
      case 'claim-nameplate':
        return this.claimNameplate(member);
      case 'evict':
        return this.evict(member);
      case 'signal':
        return this.signal(member, message.payload);
      case 'leave':
        if (member.room === undefined) return this.reject(member, 'not-in-room');
        return this.leaveRoom(member, member.room);
      case 'refresh-ice':
        if (member.room === undefined) return this.reject(member, 'not-in-room');
        this.options.placed?.(member, 'refresh-ice');
        return;
      case 'server-info':
        return this.reply(member, { type: 'server-info', relay: this.options.relay ?? 'none' });
    }
  }

  private async create(member: LocalMember, room: RoomId): Promise<void> {
    if (member.room !== undefined) return this.reject(member, 'already-in-room');
    const store = this.options.store;
    if ((await store.createRoom(room, member.id)) === 'room-exists') return this.reject(member, 'room-exists');
    this.took(member, room);
    this.options.log({ event: 'room-created', room: this.options.tagOf(room) });
    this.expireLater(room);
    this.reply(member, { type: 'created', room });
    this.options.placed?.(member, 'created');
  }

  private async join(member: LocalMember, room: RoomId, via: JoinVia): Promise<void> {
    if (member.room !== undefined) return this.reject(member, 'already-in-room');
    const store = this.options.store;
    const result = await store.joinRoom(room, member.id);
    if (!result.ok) return this.reject(member, result.code);
    this.took(member, room);
    this.cancelExpiry(room);
    const tag = this.options.tagOf(room);
    // Places of a dead instance made room: their peers hear them leave, as after a closed socket.
    for (const _ of result.vacated) {
      this.options.log({ event: 'room-left', room: tag });
      for (const peer of result.peers) void store.send(peer, JSON.stringify({ type: 'peer-left' } satisfies ServerMessage));
    }
    this.options.log({ event: 'room-joined', room: tag });
    // The member already waiting hears first, so it is ready before the joiner starts signaling.
    const peerJoined = JSON.stringify({ type: 'peer-joined', via } satisfies ServerMessage);
    await Promise.all(result.peers.map((peer) => store.send(peer, peerJoined)));
    this.reply(member, { type: 'joined', room });
    this.options.placed?.(member, 'joined');
  }

  /** Only rooms that ask get a nameplate, so the numbers in use are few and hard to find. */
  private async claimNameplate(member: LocalMember): Promise<void> {
    if (member.room === undefined) return this.reject(member, 'not-in-room');
    const nameplate = await this.options.store.allocateNameplate(member.room, nameplateCandidates(this.options.randomInt));
    if (nameplate === undefined) return this.reject(member, 'no-nameplate');
    this.reply(member, { type: 'nameplate', nameplate });
  }

  /**
   * The newer member could not prove it has the room's keys: it loses its place and
   * hears why; the one who asked goes on waiting (it hears nothing: it knows).
   */
  private async evict(member: LocalMember): Promise<void> {
    const room = member.room;
    if (room === undefined) return this.reject(member, 'not-in-room');
    const evicted = await this.options.store.evictNewest(room, member.id);
    if (evicted === undefined) return;
    this.options.log({ event: 'member-evicted', room: this.options.tagOf(room) });
    await this.options.store.send(evicted, JSON.stringify(errorMessage('evicted')));
  }

  private async signal(member: LocalMember, payload: string): Promise<void> {
    if (member.room === undefined) return this.reject(member, 'not-in-room');
    const result = await this.options.store.relay(member.room, member.id, JSON.stringify({ type: 'signal', payload } satisfies ServerMessage));
    if (result.status === 'not-in-room') {
      // The store no longer has the place (its lease lapsed while Redis was away): the member must join again.
      this.left(member, member.room);
      return this.reject(member, 'not-in-room');
    }
    if (result.peers === 0) return this.reject(member, 'no-peer');
    this.options.relayed?.(result.peers);
  }

  /** Takes `member` out of `room` and tells the peer; the last one out closes the room. */
  private async leaveRoom(member: LocalMember, room: RoomId): Promise<void> {
    const store = this.options.store;
    const result = await store.leaveRoom(room, member.id);
    this.left(member, room);
    if (result.status === 'not-in-room') return;
    const tag = this.options.tagOf(room);
    this.options.log({ event: 'room-left', room: tag });
    const peerLeft = JSON.stringify({ type: 'peer-left' } satisfies ServerMessage);
    await Promise.all(result.peers.map((peer) => store.send(peer, peerLeft)));
    if (result.closed) {
      this.cancelExpiry(room);
      this.options.log({ event: 'room-closed', room: tag });
    }
  }

  private took(member: LocalMember, room: RoomId): void {
    member.room = room;
    this.localRooms.set(room, (this.localRooms.get(room) ?? 0) + 1);
  }

  private left(member: LocalMember, room: RoomId): void {
    if (member.room !== room) return;
    member.room = undefined;
    const count = (this.localRooms.get(room) ?? 0) - 1;
    if (count > 0) this.localRooms.set(room, count);
    else this.localRooms.delete(room);
  }

  private expireLater(room: RoomId): void {
    this.cancelExpiry(room);
    const timer = setTimeout(() => {
      this.expiries.delete(room);
      void this.expire(room).catch((error: unknown) => this.options.log({ event: 'server-error', error: errorName(error) }));
    }, this.options.unjoinedRoomTtlMs);
    timer.unref();
    this.expiries.set(room, timer);
  }

  private cancelExpiry(room: RoomId): void {
    const timer = this.expiries.get(room);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.expiries.delete(room);
  }

  /** Closes the room if nobody joined it, telling its creator (room-expired). */
  private async expire(room: RoomId): Promise<void> {
    const members = await this.options.store.expireIfUnjoined(room);
    if (members === undefined) return;
    const tag = this.options.tagOf(room);
    this.options.log({ event: 'room-expired', room: tag });
    for (const id of members) {
      const member = this.members.get(id);
      if (member) {
        this.reply(member, errorMessage('room-expired'));
        this.left(member, room);
      }
      this.options.log({ event: 'room-left', room: tag });
    }
    this.options.log({ event: 'room-closed', room: tag });
  }

  private reply(member: LocalMember, message: ServerMessage): void {
    if (!this.members.has(member.id)) return;
    member.write(JSON.stringify(message));
  }

  /** A frame the store carried here (perhaps from another instance): checked like any network input. */
  private deliverLocal(to: MemberId, frame: string): void {
    const member = this.members.get(to);
    if (!member || member.gone) return;
    const parsed = parseServerMessage(frame);
    if (!parsed.ok) {
      this.options.log({ event: 'server-error', error: 'invalid-relayed-frame' });
      return;
    }
    // After the member's step in progress: a peer's frame may overtake, on another Redis
    // connection, the reply that step is waiting for (peer-joined before created, say).
    const message = parsed.value;
    member.queue = member.queue.then(async () => {
      if (member.gone) return;
      // Evicted by its peer: the place is already gone from the store; this instance lets go of the room too.
      if (message.type === 'error' && message.code === 'evicted' && member.room !== undefined) {
        const room = member.room;
        await this.options.store.leaveRoom(room, member.id);
        this.left(member, room);
      }
      member.write(frame);
    });
  }
}
