/**
 * Rooms in Redis, shared by every signaling instance that uses the same Redis
 * (REDIS_URL). Each check-and-change is one Lua script (redis-scripts.ts), so two
 * instances cannot both take the last place in a room or the same nameplate.
 *
 * Liveness: each instance holds a lease key it refreshes every leaseMs / 3. A member
 * place belongs to an instance (its id starts with the instance's id), and a place whose
 * instance's lease has lapsed is dead: scripts drop it as they meet it. So an instance
 * that dies loses only what it owned, and within leaseMs. Room keys also carry a TTL
 * that the instances with members in them keep refreshing, so a room whose every
 * instance died disappears from Redis without anyone touching it.
 *
 * Delivery: each instance subscribes to its own channel; a frame for a member is
 * published to the channel of the member's instance, the member's own included, so all
 * frames to one member pass through Redis in the order Redis ran the commands.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { MAX_NAMEPLATE, type RoomId } from '../protocol.ts';
import {
  ALLOCATE_NAMEPLATE,
  CONSUME_NAMEPLATE,
  CREATE_ROOM,
  EVICT_NEWEST,
  EXPIRE_UNJOINED,
  JOIN_ROOM,
  KEEP_ROOM,
  LEAVE_ROOM,
  RELAY,
  RELEASE_NAMEPLATE,
} from './redis-scripts.ts';
import {
  type CreateResult,
  type JoinResult,
  type LeaveResult,
  type LocalDelivery,
  MEMBERS_PER_ROOM,
  type MemberId,
  type RelayResult,
  type RoomStore,
  memberInstance,
} from './room-store.ts';

export interface RedisRoomStoreOptions {
  url: string;
  /** Key and channel prefix (default "duet:"), so several deployments can share one Redis. */
  prefix?: string;
  /** How long an instance's members keep their places after it stops refreshing (default 6 s). */
  leaseMs?: number;
  /** How long a room's keys outlive the last refresh by an instance with members in it (default 2 min). */
  roomTtlMs?: number;
  /** Reports a failure of the background refresh (the store keeps trying). */
  onError?: (error: unknown) => void;
}

const DEFAULT_LEASE_MS = 6_000;
const DEFAULT_ROOM_TTL_MS = 120_000;
/** How often a join into a full room is tried again while an occupant's instance may be dead. */
const JOIN_RETRY_MS = 250;

type ScriptName =
  | 'createRoom'
  | 'joinRoom'
  | 'leaveRoom'
  | 'relay'
  | 'expireUnjoined'
  | 'evictNewest'
  | 'keepRoom'
  | 'allocateNameplate'
  | 'consumeNameplate'
  | 'releaseNameplate';

const SCRIPTS: Record<ScriptName, { keys: number; lua: string }> = {
  createRoom: { keys: 2, lua: CREATE_ROOM },
  joinRoom: { keys: 2, lua: JOIN_ROOM },
  leaveRoom: { keys: 2, lua: LEAVE_ROOM },
  relay: { keys: 1, lua: RELAY },
  expireUnjoined: { keys: 2, lua: EXPIRE_UNJOINED },
  evictNewest: { keys: 2, lua: EVICT_NEWEST },
  keepRoom: { keys: 2, lua: KEEP_ROOM },
  allocateNameplate: { keys: 1, lua: ALLOCATE_NAMEPLATE },
  consumeNameplate: { keys: 1, lua: CONSUME_NAMEPLATE },
  releaseNameplate: { keys: 1, lua: RELEASE_NAMEPLATE },
};

type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

export class RedisRoomStore implements RoomStore {
  readonly instanceId = randomBytes(6).toString('hex');
  private readonly prefix: string;
  private readonly leaseMs: number;
  private readonly roomTtlMs: number;
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly scripts: Record<ScriptName, ScriptCall>;
  /** Rooms with a member on this instance, and how many: the rooms this instance keeps alive. */
  private readonly localRooms = new Map<RoomId, number>();
  private deliver: LocalDelivery = () => {};
  private nextMember = 1;
  private leaseTimer: NodeJS.Timeout | undefined;
  private roomTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: RedisRoomStoreOptions) {
    this.prefix = options.prefix ?? 'duet:';
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.roomTtlMs = options.roomTtlMs ?? DEFAULT_ROOM_TTL_MS;
    // No offline queue: a request while Redis is away fails at once (server-error) instead of piling up.
    this.commands = new Redis(options.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.subscriber = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: null });
    this.commands.on('error', () => {}); // reported through failing commands and ready()
    this.subscriber.on('error', () => {});
    const scripts = {} as Record<ScriptName, ScriptCall>;
    for (const [name, { keys, lua }] of Object.entries(SCRIPTS) as [ScriptName, { keys: number; lua: string }][]) {
      this.commands.defineCommand(name, { numberOfKeys: keys, lua });
      scripts[name] = (this.commands as unknown as Record<ScriptName, ScriptCall>)[name].bind(this.commands);
    }
    this.scripts = scripts;
  }

  setDelivery(deliver: LocalDelivery): void {
    this.deliver = deliver;
  }

  async start(): Promise<void> {
    await Promise.all([this.commands.connect(), this.subscriber.connect()]);
    const channel = this.channel(this.instanceId);
    this.subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      const split = message.indexOf('\n');
      if (split <= 0) return;
      this.deliver(message.slice(0, split) as MemberId, message.slice(split + 1));
    });
    await this.subscriber.subscribe(channel);
    await this.renewLease();
    this.leaseTimer = setInterval(() => void this.renewLease().catch((error) => this.options.onError?.(error)), this.leaseMs / 3);
    this.leaseTimer.unref();
    this.roomTimer = setInterval(() => void this.keepRooms().catch((error) => this.options.onError?.(error)), this.roomTtlMs / 3);
    this.roomTimer.unref();
  }

  newMemberId(): MemberId {
    return `${this.instanceId}:${this.nextMember++}` as MemberId;
  }

  async createRoom(room: RoomId, member: MemberId): Promise<CreateResult> {
    const created = await this.scripts.createRoom(...this.roomKeys(room), this.prefix, member, this.roomTtlMs);
    if (created !== 1) return 'room-exists';
    this.countLocal(room, 1);
    return 'created';
  }

  /**
   * A full room may be full of a place whose instance has just died (its member, back on
   * another instance, is the one knocking): the lease says so within leaseMs. So while
   * an occupant is on another instance, a full room is asked again until one lease has
   * passed; only then is the answer room-full. A third person waits that long for it.
   */
  async joinRoom(room: RoomId, member: MemberId): Promise<JoinResult> {
    const giveUpAt = Date.now() + this.leaseMs + JOIN_RETRY_MS;
    for (;;) {
      const [status, peers, vacated] = (await this.scripts.joinRoom(
        ...this.roomKeys(room),
        this.prefix,
        member,
        this.roomTtlMs,
        MEMBERS_PER_ROOM,
      )) as [string, MemberId[], MemberId[]];
      if (status === 'ok') {
        this.countLocal(room, 1);
        return { ok: true, peers, vacated };
      }
      if (status === 'room-not-found') return { ok: false, code: status };
      const elsewhere = peers.some((occupant) => memberInstance(occupant) !== this.instanceId);
      if (!elsewhere || Date.now() >= giveUpAt) return { ok: false, code: 'room-full' };
      await new Promise((resolve) => setTimeout(resolve, JOIN_RETRY_MS));
    }
  }

  async leaveRoom(room: RoomId, member: MemberId): Promise<LeaveResult> {
    const result = (await this.scripts.leaveRoom(...this.roomKeys(room), this.prefix, member)) as [number, MemberId[]] | null;
    // Counted down either way: a place already gone was still kept alive by this instance.
    this.countLocal(room, -1);
    if (result === null) return { status: 'not-in-room' };
    return { status: 'left', peers: result[1], closed: result[0] === 1 };
  }

  async relay(room: RoomId, from: MemberId, frame: string): Promise<RelayResult> {
    const peers = (await this.scripts.relay(this.membersKey(room), this.prefix, from, frame)) as number;
    return peers < 0 ? { status: 'not-in-room' } : { status: 'relayed', peers };
  }

  async send(to: MemberId, frame: string): Promise<void> {
    await this.commands.publish(this.channel(memberInstance(to)), `${to}\n${frame}`);
  }

  async evictNewest(room: RoomId, requester: MemberId): Promise<MemberId | undefined> {
    return ((await this.scripts.evictNewest(...this.roomKeys(room), this.prefix, requester)) as MemberId | null) ?? undefined;
  }

  async expireIfUnjoined(room: RoomId): Promise<MemberId[] | undefined> {
    const members = (await this.scripts.expireUnjoined(...this.roomKeys(room), this.prefix)) as MemberId[] | null;
    if (members === null) return undefined;
    this.localRooms.delete(room);
    return members;
  }

  async allocateNameplate(room: RoomId, candidates: readonly number[]): Promise<number | undefined> {
    const nameplate = (await this.scripts.allocateNameplate(
      this.roomKey(room),
      this.prefix,
      room,
      this.roomTtlMs,
      MAX_NAMEPLATE,
      ...candidates,
    )) as number | null;
    return nameplate ?? undefined;
  }

  async resolveNameplate(nameplate: number): Promise<RoomId | undefined> {
    return ((await this.commands.get(this.nameplateKey(nameplate))) as RoomId | null) ?? undefined;
  }

  async consumeNameplate(nameplate: number): Promise<RoomId | undefined> {
    return ((await this.scripts.consumeNameplate(this.nameplateKey(nameplate), this.prefix)) as RoomId | null) ?? undefined;
  }

  async releaseNameplate(room: RoomId): Promise<void> {
    await this.scripts.releaseNameplate(this.roomKey(room), this.prefix, room);
  }

  async ready(): Promise<boolean> {
    if (this.commands.status !== 'ready' || this.subscriber.status !== 'ready') return false;
    try {
      return (await this.commands.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return (this.closing ??= this.shutDown());
  }

  private async shutDown(): Promise<void> {
    clearInterval(this.leaseTimer);
    clearInterval(this.roomTimer);
    // Giving the lease back frees this instance's places at once; if Redis is away they lapse on their own.
    await this.commands.del(this.leaseKey()).catch(() => {});
    this.subscriber.disconnect();
    this.commands.disconnect();
  }

  private async renewLease(): Promise<void> {
    await this.commands.set(this.leaseKey(), '1', 'PX', this.leaseMs);
  }

  private async keepRooms(): Promise<void> {
    if (this.localRooms.size === 0) return;
    const pipeline = this.commands.pipeline();
    for (const room of this.localRooms.keys()) {
      (pipeline as unknown as Record<'keepRoom', (...args: (string | number)[]) => unknown>).keepRoom(
        ...this.roomKeys(room),
        this.prefix,
        this.roomTtlMs,
      );
    }
    await pipeline.exec();
  }

  private countLocal(room: RoomId, change: 1 | -1): void {
    const count = (this.localRooms.get(room) ?? 0) + change;
    if (count > 0) this.localRooms.set(room, count);
    else this.localRooms.delete(room);
  }

  private roomKey(room: RoomId): string {
    return `${this.prefix}r:${room}`;
  }

  private membersKey(room: RoomId): string {
    return `${this.prefix}r:${room}:m`;
  }

  private roomKeys(room: RoomId): [string, string] {
    return [this.roomKey(room), this.membersKey(room)];
  }

  private nameplateKey(nameplate: number): string {
    return `${this.prefix}np:${nameplate}`;
  }

  private leaseKey(): string {
    return `${this.prefix}inst:${this.instanceId}`;
  }

  private channel(instance: string): string {
    return `${this.prefix}i:${instance}`;
  }
}
