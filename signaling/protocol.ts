/**
 * The signaling wire protocol, shared by the server (signaling/server.ts) and the
 * browser client (src/transport/signaling-client.ts). JSON text frames over one
 * WebSocket. The server only introduces two peers and relays opaque payloads: it
 * never sees names, messages, keys or the room secret (clients derive the room id
 * from the secret; see docs/PROTOCOL.md).
 */

import * as v from 'valibot';

export const PROTOCOL_VERSION = 1;

/** Largest WebSocket frame the server accepts (ws `maxPayload`). */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Largest opaque signal payload (sealed SDP or ICE candidate), in characters. */
export const MAX_SIGNAL_PAYLOAD_CHARS = 48 * 1024;

/** Room ids are 128-bit values, base64url without padding (22 characters). */
const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
const PAYLOAD_PATTERN = /^[A-Za-z0-9_-]+$/;

export type RoomId = string & { readonly __brand: 'RoomId' };

/** Short-code rooms are found by a small number the server hands out (not a secret). */
export const MAX_NAMEPLATE = 9999;

/** How the guest came in: with the link's secret, or with a short code (then a PAKE runs). */
export type JoinVia = 'link' | 'short';

export type ClientMessage =
  | { type: 'create'; room: RoomId }
  | { type: 'join'; room: RoomId }
  | { type: 'join-short'; nameplate: number }
  /** A member asks for a short code's number for its room (only rooms that ask get one). */
  | { type: 'claim-nameplate' }
  /**
   * The member who has been in the room longer removes the newer one, who could not
   * prove it holds the room's keys (a wrong short code, a signal that does not open).
   */
  | { type: 'evict' }
  | { type: 'signal'; payload: string }
  | { type: 'leave' }
  /** A member asks for fresh ICE servers (TURN credentials expire): an ICE restart follows. */
  | { type: 'refresh-ice' }
  /** Anyone connected asks what the server offers (before entering a room): answered by `server-info` with `relay`. */
  | { type: 'server-info' };

/** Whether the server hands out a TURN relay to room members (so "Hide my IP address" can work). */
export type RelayOffer = 'offered' | 'none';

/** What an RTCIceServer may carry when the server hands it out (docs/PROTOCOL.md). */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** At most this many ICE servers in one ice-servers message, and URLs in one server. */
export const MAX_ICE_SERVERS = 8;
const MAX_ICE_URLS = 8;
const MAX_ICE_FIELD_CHARS = 512;
const ICE_URL_PATTERN = /^(stun|stuns|turn|turns):[^\s]+$/;

export type ServerMessage =
  | { type: 'created'; room: RoomId }
  /** The answer to `claim-nameplate`: the room's short-code number, good for one join. */
  | { type: 'nameplate'; nameplate: number }
  | { type: 'joined'; room: RoomId }
  | { type: 'peer-joined'; via: JoinVia }
  | { type: 'signal'; payload: string }
  | { type: 'peer-left' }
  | { type: 'error'; code: SignalingErrorCode; message: string }
  /** Sent to a member right after created/joined, and on refresh-ice: the ICE servers to use, valid until expiresAt (ms). */
  | { type: 'ice-servers'; iceServers: IceServer[]; expiresAt: number }
  /** The server is going away (restart, scale-in): connect again (to another instance) and resume. */
  | { type: 'reconnect' }
  /** The answer to `server-info`: what this server offers. */
  | { type: 'server-info'; relay: RelayOffer };

export const SIGNALING_ERRORS = {
  'bad-request': 'The request was malformed.',
  'payload-too-large': 'The frame exceeds the size limit.',
  'room-exists': 'A room with this id already exists.',
  'room-not-found': 'No room with this id exists.',
  'room-full': 'This room is full.',
  'not-in-room': 'Join or create a room first.',
  'no-peer': 'Your peer is not connected to the room.',
  'room-expired': 'Nobody joined this room in time, so it was closed.',
  'rate-limited': 'Too many messages: slow down.',
  'already-in-room': 'This connection is already in a room.',
  'server-error': 'The server ran into a problem.',
  'no-nameplate': 'No short code is free on this server right now.',
  evicted: 'The other person removed you from the room: you could not prove you had the invite.',
} as const;

export type SignalingErrorCode = keyof typeof SIGNALING_ERRORS;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; code: SignalingErrorCode; detail: string };

function fail(detail: string, code: SignalingErrorCode = 'bad-request'): { ok: false; code: SignalingErrorCode; detail: string } {
  return { ok: false, code, detail };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOnlyKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(value).every((key) => keys.includes(key));
}

export function isNameplate(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_NAMEPLATE;
}

export function isRoomId(value: unknown): value is RoomId {
  return typeof value === 'string' && ROOM_ID_PATTERN.test(value);
}

function isSignalPayload(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_SIGNAL_PAYLOAD_CHARS && PAYLOAD_PATTERN.test(value);
}

function parseJson(text: string): ParseResult<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return fail('not JSON');
  }
}

type MessageObject = Record<string, unknown> & { type: string };

function isMessageObject(value: unknown): value is MessageObject {
  return isRecord(value) && typeof value.type === 'string';
}

/** What every frame must be, in either direction: within the size limit, JSON, and an object with a string `type`. */
function parseMessageObject(text: string): ParseResult<MessageObject> {
  if (text.length > MAX_FRAME_BYTES) return fail('frame too large', 'payload-too-large');
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  if (!isMessageObject(parsed.value)) return fail('not a message object');
  return { ok: true, value: parsed.value };
}

/**
 * What a client may send, as a schema (valibot): exact fields, no extras. Only the
 * server uses it, so the schema library stays out of the browser bundle; the
 * client's side (parseServerMessage) is checked by hand below.
 */
const ClientMessageSchema = v.variant('type', [
  v.strictObject({ type: v.picklist(['create', 'join']), room: v.custom<RoomId>(isRoomId, 'invalid room id') }),
  v.strictObject({ type: v.literal('join-short'), nameplate: v.custom<number>(isNameplate, 'invalid nameplate') }),
  v.strictObject({ type: v.literal('signal'), payload: v.custom<string>(isSignalPayload, 'invalid signal payload') }),
  v.strictObject({ type: v.picklist(['leave', 'claim-nameplate', 'evict']) }),
  v.strictObject({ type: v.literal('refresh-ice') }),
  v.strictObject({ type: v.literal('server-info') }),
]);

/** Validates a frame a client sent to the server. Never throws. */
export function parseClientMessage(text: string): ParseResult<ClientMessage> {
  const parsed = parseMessageObject(text);
  if (!parsed.ok) return parsed;
  const { payload } = parsed.value;
  // An oversized signal is its own error, so a client can tell it from a malformed one.
  if (parsed.value.type === 'signal' && typeof payload === 'string' && payload.length > MAX_SIGNAL_PAYLOAD_CHARS) {
    return fail('signal payload too large', 'payload-too-large');
  }
  const result = v.safeParse(ClientMessageSchema, parsed.value);
  if (!result.success) return fail(result.issues[0]?.message ?? 'invalid message');
  return { ok: true, value: result.output as ClientMessage };
}

/** Validates a frame the server sent to a client. Never throws. */
export function parseServerMessage(text: string): ParseResult<ServerMessage> {
  const parsed = parseMessageObject(text);
  if (!parsed.ok) return parsed;
  const message = parsed.value;
  switch (message.type) {
    case 'created':
    case 'joined':
      if (!hasOnlyKeys(message, ['type', 'room']) || !isRoomId(message.room)) return fail('invalid room id');
      return { ok: true, value: { type: message.type, room: message.room } };
    case 'nameplate':
      if (!hasOnlyKeys(message, ['type', 'nameplate']) || !isNameplate(message.nameplate)) return fail('invalid nameplate');
      return { ok: true, value: { type: 'nameplate', nameplate: message.nameplate } };
    case 'peer-joined':
      if (!hasOnlyKeys(message, ['type', 'via']) || (message.via !== 'link' && message.via !== 'short')) return fail('invalid via');
      return { ok: true, value: { type: 'peer-joined', via: message.via } };
    case 'peer-left':
      if (!hasOnlyKeys(message, ['type'])) return fail('unexpected field');
      return { ok: true, value: { type: message.type } };
    case 'signal':
      if (!hasOnlyKeys(message, ['type', 'payload']) || !isSignalPayload(message.payload)) return fail('invalid signal payload');
      return { ok: true, value: { type: 'signal', payload: message.payload } };
    case 'error':
      if (!hasOnlyKeys(message, ['type', 'code', 'message'])) return fail('unexpected field');
      if (typeof message.code !== 'string' || !Object.prototype.hasOwnProperty.call(SIGNALING_ERRORS, message.code)) {
        return fail('unknown error code');
      }
      if (typeof message.message !== 'string' || message.message.length > 500) return fail('invalid error message');
      return { ok: true, value: { type: 'error', code: message.code as SignalingErrorCode, message: message.message } };
    case 'ice-servers': {
      if (!hasOnlyKeys(message, ['type', 'iceServers', 'expiresAt'])) return fail('unexpected field');
      if (typeof message.expiresAt !== 'number' || !Number.isSafeInteger(message.expiresAt) || message.expiresAt < 0) {
        return fail('invalid expiresAt');
      }
      const iceServers = parseIceServers(message.iceServers);
      if (!iceServers) return fail('invalid ICE servers');
      return { ok: true, value: { type: 'ice-servers', iceServers, expiresAt: message.expiresAt } };
    }
    case 'reconnect':
      if (!hasOnlyKeys(message, ['type'])) return fail('unexpected field');
      return { ok: true, value: { type: 'reconnect' } };
    case 'server-info':
      if (!hasOnlyKeys(message, ['type', 'relay']) || (message.relay !== 'offered' && message.relay !== 'none')) return fail('invalid relay offer');
      return { ok: true, value: { type: 'server-info', relay: message.relay } };
    default:
      return fail('unknown message type');
  }
}

function isIceUrl(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_ICE_FIELD_CHARS && ICE_URL_PATTERN.test(value);
}

function isIceField(value: unknown): value is string | undefined {
  return value === undefined || (typeof value === 'string' && value.length <= MAX_ICE_FIELD_CHARS);
}

/** Validates a list of RTCIceServer-shaped objects: stun/turn URLs only, bounded sizes, no extra fields. */
export function parseIceServers(value: unknown): IceServer[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_ICE_SERVERS) return undefined;
  const servers: IceServer[] = [];
  for (const entry of value) {
    if (!isRecord(entry) || !hasOnlyKeys(entry, ['urls', 'username', 'credential'])) return undefined;
    const { urls, username, credential } = entry;
    const urlsOk = Array.isArray(urls) ? urls.length > 0 && urls.length <= MAX_ICE_URLS && urls.every(isIceUrl) : isIceUrl(urls);
    if (!urlsOk || !isIceField(username) || !isIceField(credential)) return undefined;
    servers.push({
      urls: Array.isArray(urls) ? [...(urls as string[])] : (urls as string),
      ...(username !== undefined ? { username } : {}),
      ...(credential !== undefined ? { credential } : {}),
    });
  }
  return servers;
}

export function errorMessage(code: SignalingErrorCode): ServerMessage {
  return { type: 'error', code, message: SIGNALING_ERRORS[code] };
}
