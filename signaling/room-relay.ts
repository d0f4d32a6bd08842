/**
 * The signaling server's WebSocket side: each accepted socket becomes a member of the
 * room service (signaling/room-service.ts), with its message-rate allowance, its
 * liveness pings and its share of the per-address limits. Frames are checked here
 * (size, type, schema) before the room service sees them.
 */
import { createHash, randomInt } from 'node:crypto';
import { WebSocket, type RawData } from 'ws';
import type { IceServerIssuer } from './ice-servers.ts';
import { addressNetwork } from './client-address.ts';
import { KeyedBuckets, type ServerLimits, TokenBucket } from './limits.ts';
import { type LogEntry, errorName, logAddress } from './logger.ts';
import type { ServerMetrics } from './metrics.ts';
import { type RoomId, type ServerMessage, errorMessage, parseClientMessage } from './protocol.ts';
import { type LocalMember, RoomService } from './room-service.ts';
import type { RoomStore } from './store/room-store.ts';

interface Connection {
  readonly socket: WebSocket;
  /** Its place in the room service. */
  readonly member: LocalMember;
  /** The client's address (for per-address limits; logged only as logAddress allows). */
  readonly address: string;
  /** Whether the socket answered the last ping. */
  alive: boolean;
  /** Its message-rate allowance. */
  readonly bucket: TokenBucket;
}

/** Sockets pinged at a time during a liveness check (a few milliseconds of work). */
const LIVENESS_SLICE = 250;

/** A short, non-reversible tag that lets log lines about one room be correlated. */
function roomTag(room: RoomId): string {
  return createHash('sha256').update(room).digest('hex').slice(0, 8);
}

export class RoomRelay {
  private readonly rooms: RoomService;
  private readonly connections = new Set<Connection>();
  /** Disconnects still being written to the store. */
  private readonly leaving = new Set<Promise<void>>();
  /** The rest of a liveness check in progress. */
  private livenessSweep: NodeJS.Timeout | undefined;
  /** Joins by short code per client network, across its sockets. */
  private readonly shortCodeJoins: KeyedBuckets;

  constructor(
    private readonly log: (entry: LogEntry) => void,
    private readonly limits: ServerLimits,
    store: RoomStore,
    private readonly ice: IceServerIssuer,
    private readonly metrics: () => ServerMetrics | undefined,
    private readonly logIps: boolean,
  ) {
    this.shortCodeJoins = new KeyedBuckets(limits.shortCodeJoinsPerMinute / 60, limits.shortCodeJoinBurst);
    this.rooms = new RoomService({
      store,
      log,
      tagOf: roomTag,
      randomInt,
      unjoinedRoomTtlMs: limits.unjoinedRoomTtlMs,
      placed: (member, why) => this.sendIceServers(member, why),
      relayed: (peers) => this.metrics()?.signalsRelayed.inc(peers),
      relay: ice.relay,
    });
  }

  roomCount(): number {
    return this.rooms.roomCount();
  }

  socketCount(): number {
    return this.connections.size;
  }

  /** Resolves once every closed socket's place is given back to the store. */
  async settled(): Promise<void> {
    await Promise.all([...this.leaving]);
  }

  stop(): void {
    this.rooms.stop();
    if (this.livenessSweep) clearTimeout(this.livenessSweep);
    this.livenessSweep = undefined;
  }

  private readonly byMember = new Map<LocalMember, Connection>();

  /** ICE servers for a member that holds a place; credentials go nowhere else (and never into a log). */
  private sendIceServers(member: LocalMember, why: 'created' | 'joined' | 'refresh-ice'): void {
    const connection = this.byMember.get(member);
    if (!connection) return;
    const issue = this.ice.issue(connection.address);
    if (issue.status === 'none') {
      if (why === 'refresh-ice') this.rooms.reject(member, 'bad-request');
      return;
    }
    if (issue.status === 'rate-limited') {
      // On created/joined the client goes on with its built-in servers; a refresh hears why not.
      this.log({ event: 'ice-rate-limited', address: logAddress(connection.address, this.logIps) });
      if (why === 'refresh-ice') this.rooms.reject(member, 'rate-limited');
      return;
    }
    if (issue.turnCredential) this.metrics()?.turnCredentials.inc();
    this.send(connection, { type: 'ice-servers', iceServers: issue.iceServers, expiresAt: issue.expiresAt });
  }

  accept(socket: WebSocket, address: string): void {
    const connection: Connection = {
      socket,
      address,
      member: this.rooms.connect((frame) => this.write(connection, frame)),
      alive: true,
      bucket: new TokenBucket(this.limits.messagesPerSecond, this.limits.messageBurst, Date.now()),
    };
    this.connections.add(connection);
    this.byMember.set(connection.member, connection);
    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      this.guard(connection, () => this.handleFrame(connection, data, isBinary));
    });
    socket.on('error', (error: Error) => {
      this.log({ event: 'socket-error', code: (error as NodeJS.ErrnoException).code ?? error.name });
    });
    socket.on('close', () => {
      this.connections.delete(connection);
      this.byMember.delete(connection.member);
      const left = this.rooms.disconnect(connection.member);
      this.leaving.add(left);
      void left.finally(() => this.leaving.delete(left));
    });
  }

  /**
   * Ping everyone; cut off sockets that did not answer the previous ping. Spread out:
   * slices of LIVENESS_SLICE sockets, evenly over the first half of the interval, so
   * each socket is still checked once per interval. Pinging tens of thousands of
   * sockets at once (and taking their pongs) held up relayed signals for hundreds of
   * milliseconds every heartbeat.
   */
  checkLiveness(): void {
    if (this.livenessSweep) return; // the previous sweep is still going (a very short heartbeat)
    const pending = [...this.connections];
    const gapMs = this.limits.heartbeatMs / 2 / Math.ceil(pending.length / LIVENESS_SLICE);
    const sweep = () => {
      for (const connection of pending.splice(0, LIVENESS_SLICE)) {
        if (!this.connections.has(connection)) continue; // closed meanwhile
        if (!connection.alive) {
          this.log({ event: 'heartbeat-timeout' });
          connection.socket.terminate();
          continue;
        }
        connection.alive = false;
        connection.socket.ping();
      }
      this.livenessSweep = pending.length > 0 ? setTimeout(sweep, gapMs).unref() : undefined;
    };
    sweep();
  }

  /** Runs a handler so that a bug answers server-error instead of crashing the process. */
  private guard(connection: Connection, handler: () => void): void {
    try {
      handler();
    } catch (error) {
      this.log({ event: 'server-error', error: errorName(error) });
      this.send(connection, errorMessage('server-error'));
    }
  }

  private handleFrame(connection: Connection, data: RawData, isBinary: boolean): void {
    const member = connection.member;
    if (!connection.bucket.take(Date.now())) return void this.rooms.refuse(member, 'rate-limited');
    if (isBinary) return void this.rooms.refuse(member, 'bad-request');
    const frame = frameBytes(data);
    if (frame.byteLength > this.limits.maxPayload) return void this.rooms.refuse(member, 'payload-too-large');
    const parsed = parseClientMessage(frame.toString('utf8'));
    if (!parsed.ok) return void this.rooms.refuse(member, parsed.code);
    if (parsed.value.type === 'join-short' && !this.shortCodeJoins.take(addressNetwork(connection.address), Date.now())) {
      this.log({ event: 'short-code-rate-limited', address: logAddress(connection.address, this.logIps) });
      return void this.rooms.refuse(member, 'rate-limited');
    }
    void this.rooms.handle(member, parsed.value);
  }

  private send(connection: Connection, message: ServerMessage): void {
    this.write(connection, JSON.stringify(message));
  }

  private write(connection: Connection, frame: string): void {
    const socket = connection.socket;
    if (socket.readyState !== WebSocket.OPEN) return;
    // A client that does not read what it is sent would make the server hold it all.
    if (socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.log({ event: 'slow-consumer' });
      socket.terminate();
      return;
    }
    socket.send(frame);
  }
}

function frameBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
