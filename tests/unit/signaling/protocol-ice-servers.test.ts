/** The protocol additions for running at scale: ice-servers and reconnect (server → client), refresh-ice (client → server). */
import { describe, expect, it } from 'vitest';
import { parseClientMessage, parseServerMessage } from '../../../signaling/protocol.ts';
import { logAddress } from '../../../signaling/logger.ts';

const TURN = { urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'], username: '1700000600:ab12', credential: 'c2VjcmV0Cg==' };

describe('ice-servers', () => {
  it('parses a list of STUN and TURN servers with an expiry', () => {
    const message = { type: 'ice-servers', iceServers: [{ urls: 'stun:stun.example.org' }, TURN], expiresAt: 1_700_000_600_000 };
    expect(parseServerMessage(JSON.stringify(message))).toEqual({ ok: true, value: message });
    expect(parseServerMessage(JSON.stringify({ ...message, iceServers: [] }))).toMatchObject({ ok: true });
  });

  it.each([
    ['an extra field', { iceServers: [TURN], expiresAt: 1, extra: 1 }],
    ['an extra server field', { iceServers: [{ ...TURN, credentialType: 'password' }], expiresAt: 1 }],
    ['a URL that is not STUN or TURN', { iceServers: [{ urls: 'https://turn.example.org' }], expiresAt: 1 }],
    ['a URL with a space', { iceServers: [{ urls: 'turn:a b' }], expiresAt: 1 }],
    ['no URLs', { iceServers: [{ urls: [] }], expiresAt: 1 }],
    ['a non-string credential', { iceServers: [{ ...TURN, credential: 5 }], expiresAt: 1 }],
    ['a huge username', { iceServers: [{ ...TURN, username: 'u'.repeat(600) }], expiresAt: 1 }],
    ['too many servers', { iceServers: Array.from({ length: 9 }, () => TURN), expiresAt: 1 }],
    ['no list', { iceServers: TURN, expiresAt: 1 }],
    ['no expiry', { iceServers: [TURN] }],
    ['a fractional expiry', { iceServers: [TURN], expiresAt: 1.5 }],
    ['a negative expiry', { iceServers: [TURN], expiresAt: -1 }],
  ])('refuses %s', (_, fields) => {
    expect(parseServerMessage(JSON.stringify({ type: 'ice-servers', ...fields }))).toMatchObject({ ok: false, code: 'bad-request' });
  });
});

describe('reconnect and refresh-ice', () => {
  it('parses reconnect, exactly', () => {
    expect(parseServerMessage('{"type":"reconnect"}')).toEqual({ ok: true, value: { type: 'reconnect' } });
    expect(parseServerMessage('{"type":"reconnect","to":"wss://elsewhere"}')).toMatchObject({ ok: false });
  });

  it('accepts refresh-ice from a client, exactly', () => {
    expect(parseClientMessage('{"type":"refresh-ice"}')).toEqual({ ok: true, value: { type: 'refresh-ice' } });
    expect(parseClientMessage('{"type":"refresh-ice","turn":true}')).toMatchObject({ ok: false, code: 'bad-request' });
  });
});

describe('server-info', () => {
  it('is asked by any client, exactly, and answered with whether a relay is offered', () => {
    expect(parseClientMessage('{"type":"server-info"}')).toEqual({ ok: true, value: { type: 'server-info' } });
    expect(parseClientMessage('{"type":"server-info","relay":"offered"}')).toMatchObject({ ok: false, code: 'bad-request' });
    for (const relay of ['offered', 'none']) {
      expect(parseServerMessage(JSON.stringify({ type: 'server-info', relay }))).toEqual({ ok: true, value: { type: 'server-info', relay } });
    }
  });

  it.each([
    ['no answer', {}],
    ['a boolean', { relay: true }],
    ['an unknown value', { relay: 'maybe' }],
    ['an extra field', { relay: 'none', turn: 'turn:x' }],
  ])('refuses an answer with %s', (_, fields) => {
    expect(parseServerMessage(JSON.stringify({ type: 'server-info', ...fields }))).toMatchObject({ ok: false, code: 'bad-request' });
  });
});

describe('logAddress', () => {
  it('logs an address only as a short hash, stable within a run, unless LOG_IPS=1', () => {
    const hashed = logAddress('203.0.113.9', false);
    expect(hashed).toMatch(/^[0-9a-f]{8}$/);
    expect(hashed).not.toContain('203');
    expect(logAddress('203.0.113.9', false)).toBe(hashed);
    expect(logAddress('203.0.113.10', false)).not.toBe(hashed);
    expect(logAddress('203.0.113.9', true)).toBe('203.0.113.9');
  });
});
