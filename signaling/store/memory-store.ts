/**
 * The single-process room store (the default): rooms in this process's memory, every
 * member local. Each operation runs to completion synchronously, so checks and changes
 * are atomic without more ado; the promises only match the RoomStore interface.
 */
import { MAX_NAMEPLATE, type RoomId } from '../protocol.ts';
import {
  type CreateResult,
  type JoinResult,
  type LeaveResult,
  type LocalDelivery,
  MEMBERS_PER_ROOM,
  type MemberId,
  type RelayResult,
  type RoomStore,
} from './room-store.ts';

interface MemoryRoom {
  readonly members: Set<MemberId>;
  joined: boolean;
  nameplate: number | undefined;
  /** Who joined last (not the creator): the one an earlier member may evict. */
  newest: MemberId | undefined;
}

export class MemoryRoomStore implements RoomStore {
  readonly instanceId = 'local';
  private readonly rooms = new Map<RoomId, MemoryRoom>();
  private readonly nameplates = new Map<number, RoomId>();
  private deliver: LocalDelivery = () => {};
  private nextMember = 1;

  setDelivery(deliver: LocalDelivery): void {
    this.deliver = deliver;
  }

  async start(): Promise<void> {}

  newMemberId(): MemberId {
    return `${this.instanceId}:${this.nextMember++}` as MemberId;
  }

  async createRoom(room: RoomId, member: MemberId): Promise<CreateResult> {
    if (this.rooms.has(room)) return 'room-exists';
    this.rooms.set(room, { members: new Set([member]), joined: false, nameplate: undefined, newest: undefined });
    return 'created';
  }

  async joinRoom(room: RoomId, member: MemberId): Promise<JoinResult> {
    const found = this.rooms.get(room);
    if (!found) return { ok: false, code: 'room-not-found' };
    if (found.members.size >= MEMBERS_PER_ROOM) return { ok: false, code: 'room-full' };
    const peers = [...found.members];
    found.members.add(member);
    found.joined = true;
    found.newest = member;
    return { ok: true, peers, vacated: [] };
  }

  async leaveRoom(room: RoomId, member: MemberId): Promise<LeaveResult> {
    const found = this.rooms.get(room);
    if (!found?.members.delete(member)) return { status: 'not-in-room' };
    const closed = found.members.size === 0;
    if (closed) this.remove(room, found);
    return { status: 'left', peers: [...found.members], closed };
  }

  async relay(room: RoomId, from: MemberId, frame: string): Promise<RelayResult> {
    const found = this.rooms.get(room);
    if (!found?.members.has(from)) return { status: 'not-in-room' };
    let peers = 0;
    for (const peer of found.members) {
      if (peer === from) continue;
      peers++;
      this.deliver(peer, frame);
    }
    return { status: 'relayed', peers };
  }

  async send(to: MemberId, frame: string): Promise<void> {
    this.deliver(to, frame);
  }

  async evictNewest(room: RoomId, requester: MemberId): Promise<MemberId | undefined> {
    const found = this.rooms.get(room);
    const newest = found?.newest;
    if (!found || newest === undefined || newest === requester || !found.members.has(requester) || !found.members.has(newest)) return undefined;
    found.members.delete(newest);
    found.newest = undefined;
    return newest;
  }

  async expireIfUnjoined(room: RoomId): Promise<MemberId[] | undefined> {
    const found = this.rooms.get(room);
    if (!found || found.joined) return undefined;
    this.remove(room, found);
    return [...found.members];
  }

  async allocateNameplate(room: RoomId, candidates: readonly number[]): Promise<number | undefined> {
    const found = this.rooms.get(room);
    if (!found) return undefined;
    if (found.nameplate !== undefined) return found.nameplate;
    const free = candidates.find((candidate) => !this.nameplates.has(candidate)) ?? this.lowestFreeNameplate();
    if (free === undefined) return undefined;
    found.nameplate = free;
    this.nameplates.set(free, room);
    return free;
  }

  async resolveNameplate(nameplate: number): Promise<RoomId | undefined> {
    return this.nameplates.get(nameplate);
  }

  async consumeNameplate(nameplate: number): Promise<RoomId | undefined> {
    const room = this.nameplates.get(nameplate);
    if (room === undefined) return undefined;
    this.nameplates.delete(nameplate);
    const found = this.rooms.get(room);
    if (found) found.nameplate = undefined;
    return room;
  }

  async releaseNameplate(room: RoomId): Promise<void> {
    const found = this.rooms.get(room);
    if (found?.nameplate === undefined) return;
    this.nameplates.delete(found.nameplate);
    found.nameplate = undefined;
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.rooms.clear();
    this.nameplates.clear();
  }

  private remove(room: RoomId, found: MemoryRoom): void {
    this.rooms.delete(room);
    if (found.nameplate !== undefined) this.nameplates.delete(found.nameplate);
  }

  private lowestFreeNameplate(): number | undefined {
    for (let candidate = 1; candidate <= MAX_NAMEPLATE; candidate++) if (!this.nameplates.has(candidate)) return candidate;
    return undefined;
  }
}
