import { describe, expect, it } from 'vitest';
import {
  MAX_FRAME_BYTES,
  MAX_SIGNAL_PAYLOAD_CHARS,
  SIGNALING_ERRORS,
  type SignalingErrorCode,
  errorMessage,
  isRoomId,
  parseClientMessage,
  parseServerMessage,
} from '../../../signaling/protocol.ts';

const ROOM = 'AbCdEfGhIjKlMnOpQrSt_-';
const PAYLOAD = 'c2VhbGVkLXBheWxvYWQ_-0';

/** The error code a parse result carries, or 'ok'. */
function codeOf(result: { ok: true } | { ok: false; code: SignalingErrorCode }): string {
  return result.ok ? 'ok' : result.code;
}

const BAD_ROOM_IDS: [string, unknown][] = [
  ['21 characters', 'A'.repeat(21)],
  ['23 characters', 'A'.repeat(23)],
  ['empty', ''],
  ['padding', `${'A'.repeat(21)}=`],
  ['standard base64 +', `${'A'.repeat(21)}+`],
  ['standard base64 /', `${'A'.repeat(21)}/`],
  ['trailing newline', `${'A'.repeat(22)}\n`],
  ['inner space', `${'A'.repeat(10)} ${'A'.repeat(11)}`],
  ['non-ASCII', `${'A'.repeat(21)}é`],
  ['number', 1234567890123456789012],
  ['null', null],
  ['object', { id: ROOM }],
];

describe('isRoomId', () => {
  it('accepts 22 base64url characters', () => {
    expect(isRoomId(ROOM)).toBe(true);
  });

  it.each(BAD_ROOM_IDS)('rejects %s', (_label, room) => {
    expect(isRoomId(room)).toBe(false);
  });
});

describe('parseClientMessage', () => {
  it.each([
    [{ type: 'create', room: ROOM }],
    [{ type: 'join', room: ROOM }],
    [{ type: 'join-short', nameplate: 1 }],
    [{ type: 'join-short', nameplate: 9999 }],
    [{ type: 'claim-nameplate' }],
    [{ type: 'evict' }],
    [{ type: 'signal', payload: PAYLOAD }],
    [{ type: 'leave' }],
  ])('accepts %j', (message) => {
    expect(parseClientMessage(JSON.stringify(message))).toEqual({ ok: true, value: message });
  });

  it('accepts a signal payload of exactly the maximum length', () => {
    const payload = 'x'.repeat(MAX_SIGNAL_PAYLOAD_CHARS);
    expect(parseClientMessage(JSON.stringify({ type: 'signal', payload }))).toEqual({ ok: true, value: { type: 'signal', payload } });
  });

  it.each([
    ['empty text', ''],
    ['truncated JSON', '{"type":"leave"'],
    ['plain text', 'leave'],
    ['number', '42'],
    ['string', '"leave"'],
    ['null', 'null'],
    ['boolean', 'true'],
    ['empty array', '[]'],
    ['array of a message', '[{"type":"leave"}]'],
    ['no type', '{}'],
    ['numeric type', '{"type":1}'],
    ['unknown type', '{"type":"hello"}'],
    ['server message type', `{"type":"created","room":"${ROOM}"}`],
    ['type in another case', '{"type":"LEAVE"}'],
    ['create without room', '{"type":"create"}'],
    ['join-short with nameplate 0', '{"type":"join-short","nameplate":0}'],
    ['join-short with nameplate 10000', '{"type":"join-short","nameplate":10000}'],
    ['join-short with a string nameplate', '{"type":"join-short","nameplate":"7"}'],
    ['join-short with an extra field', '{"type":"join-short","nameplate":7,"room":"x"}'],
    ['claim-nameplate with a chosen number', '{"type":"claim-nameplate","nameplate":7}'],
    ['evict naming someone', '{"type":"evict","member":"local:1"}'],
    ['join without room', '{"type":"join"}'],
    ['signal without payload', '{"type":"signal"}'],
    ['leave with a room', `{"type":"leave","room":"${ROOM}"}`],
    ['create with a payload', `{"type":"create","room":"${ROOM}","payload":"${PAYLOAD}"}`],
    ['signal with a room', `{"type":"signal","payload":"${PAYLOAD}","room":"${ROOM}"}`],
    ['an own __proto__ field', '{"type":"leave","__proto__":{}}'],
    ['numeric payload', '{"type":"signal","payload":12345}'],
    ['empty payload', '{"type":"signal","payload":""}'],
    ['payload object', '{"type":"signal","payload":{"sdp":"v=0"}}'],
    ['payload outside base64url', '{"type":"signal","payload":"abc+/="}'],
    ['payload with a dot', '{"type":"signal","payload":"abc.def"}'],
  ])('rejects %s as bad-request', (_label, text) => {
    expect(codeOf(parseClientMessage(text))).toBe('bad-request');
  });

  it.each(BAD_ROOM_IDS)('rejects a create or join with a room id that is %s', (_label, room) => {
    expect(codeOf(parseClientMessage(JSON.stringify({ type: 'create', room })))).toBe('bad-request');
    expect(codeOf(parseClientMessage(JSON.stringify({ type: 'join', room })))).toBe('bad-request');
  });

  it('rejects a signal payload one character over the maximum as payload-too-large', () => {
    const payload = 'x'.repeat(MAX_SIGNAL_PAYLOAD_CHARS + 1);
    expect(codeOf(parseClientMessage(JSON.stringify({ type: 'signal', payload })))).toBe('payload-too-large');
  });

  it('rejects a frame longer than MAX_FRAME_BYTES as payload-too-large before parsing it', () => {
    expect(codeOf(parseClientMessage(' '.repeat(MAX_FRAME_BYTES + 1)))).toBe('payload-too-large');
    expect(codeOf(parseClientMessage(`{"type":"leave"}${' '.repeat(MAX_FRAME_BYTES)}`))).toBe('payload-too-large');
  });

  it('accepts surrounding JSON whitespace within the frame limit', () => {
    expect(parseClientMessage(' {"type":"leave"}\n')).toEqual({ ok: true, value: { type: 'leave' } });
  });

  it('returns a fresh object holding only the known fields', () => {
    const result = parseClientMessage(`{"room":"${ROOM}","type":"join"}`);
    expect(result.ok && Object.keys(result.value)).toEqual(['type', 'room']);
  });
});

describe('parseServerMessage', () => {
  it.each([
    [{ type: 'created', room: ROOM }],
    [{ type: 'joined', room: ROOM }],
    [{ type: 'peer-joined', via: 'link' }],
    [{ type: 'peer-joined', via: 'short' }],
    [{ type: 'created', room: ROOM }],
    [{ type: 'nameplate', nameplate: 42 }],
    [{ type: 'error', code: 'evicted', message: 'The other person removed you from the room: you could not prove you had the invite.' }],
    [{ type: 'peer-left' }],
    [{ type: 'signal', payload: PAYLOAD }],
  ])('accepts %j', (message) => {
    expect(parseServerMessage(JSON.stringify(message))).toEqual({ ok: true, value: message });
  });

  it.each(Object.keys(SIGNALING_ERRORS) as SignalingErrorCode[])('accepts the %s error that errorMessage builds', (code) => {
    const message = errorMessage(code);
    expect(message).toEqual({ type: 'error', code, message: SIGNALING_ERRORS[code] });
    expect(parseServerMessage(JSON.stringify(message))).toEqual({ ok: true, value: message });
  });

  it.each([
    ['malformed JSON', '{"type":', 'bad-request'],
    ['a string', '"peer-left"', 'bad-request'],
    ['null', 'null', 'bad-request'],
    ['an array', '[{"type":"peer-left"}]', 'bad-request'],
    ['an unknown type', '{"type":"welcome"}', 'bad-request'],
    ['a client message type', `{"type":"join","room":"${ROOM}"}`, 'bad-request'],
    ['created without room', '{"type":"created"}', 'bad-request'],
    ['joined with a bad room id', '{"type":"joined","room":"short"}', 'bad-request'],
    ['created with an extra field', `{"type":"created","room":"${ROOM}","peers":1}`, 'bad-request'],
    ['peer-joined with an extra field', `{"type":"peer-joined","via":"link","room":"${ROOM}"}`, 'bad-request'],
    ['peer-joined without via', '{"type":"peer-joined"}', 'bad-request'],
    ['peer-joined with an unknown via', '{"type":"peer-joined","via":"magic"}', 'bad-request'],
    ['created with a nameplate (rooms get one only when they claim it)', `{"type":"created","room":"${ROOM}","nameplate":7}`, 'bad-request'],
    ['nameplate 0', '{"type":"nameplate","nameplate":0}', 'bad-request'],
    ['a fractional nameplate', '{"type":"nameplate","nameplate":1.5}', 'bad-request'],
    ['nameplate with an extra field', `{"type":"nameplate","nameplate":7,"room":"${ROOM}"}`, 'bad-request'],
    ['signal without payload', '{"type":"signal"}', 'bad-request'],
    ['signal with a non-base64url payload', '{"type":"signal","payload":"a b"}', 'bad-request'],
    ['signal with a payload over the maximum', `{"type":"signal","payload":"${'x'.repeat(MAX_SIGNAL_PAYLOAD_CHARS + 1)}"}`, 'bad-request'],
    ['error with an unknown code', '{"type":"error","code":"teapot","message":"x"}', 'bad-request'],
    ['error with an inherited property as code', '{"type":"error","code":"toString","message":"x"}', 'bad-request'],
    ['error without message', '{"type":"error","code":"room-full"}', 'bad-request'],
    ['error with a numeric message', '{"type":"error","code":"room-full","message":5}', 'bad-request'],
    ['error with a 501-character message', `{"type":"error","code":"room-full","message":"${'m'.repeat(501)}"}`, 'bad-request'],
    ['error with an extra field', '{"type":"error","code":"room-full","message":"x","detail":"y"}', 'bad-request'],
    ['an oversize frame', ' '.repeat(MAX_FRAME_BYTES + 1), 'payload-too-large'],
  ])('rejects %s', (_label, text, code) => {
    expect(codeOf(parseServerMessage(text))).toBe(code);
  });

  it('accepts an error message of exactly 500 characters', () => {
    const message = { type: 'error', code: 'room-full', message: 'm'.repeat(500) };
    expect(parseServerMessage(JSON.stringify(message))).toEqual({ ok: true, value: message });
  });
});
