import { describe, expect, it } from 'vitest';
import { Screen, printable } from '../../../src/cli/screen.ts';
import type { ChatMessage, PeerIdentity, SessionView } from '../../../src/session/view.ts';

/** The parts of a session the screen reads, as plain state a test changes. */
function fakeSession(identity: PeerIdentity, warningPending: boolean) {
  const message: ChatMessage = { id: 'm1', from: 'peer', name: 'Bruno', text: 'trust me', sentAt: 0, position: 1, state: 'received' };
  return {
    status: { phase: 'secure', safetyCode: '11111 22222' },
    peerName: 'Bruno',
    messages: [message],
    transfers: [],
    notices: [],
    verified: false,
    peerTyping: false,
    invite: undefined,
    peerIdentity: identity,
    identityWarningPending: warningPending,
  };
}

function screenOf(session: ReturnType<typeof fakeSession>) {
  const lines: string[] = [];
  const screen = new Screen(session as unknown as SessionView, (line) => lines.push(line), () => undefined);
  return { lines, screen };
}

describe('terminal screen', () => {
  it('prints text from the peer without escape sequences or control characters', () => {
    expect(printable('hi\u001b[2J\u001b]0;pwned\u0007 there\u009b')).toBe('hi[2J]0;pwned there');
    expect(printable('txt\u202eexe')).toBe('txtexe');
  });

  it('keeps ordinary text, and indents the lines after the first', () => {
    expect(printable('Olá, Bruno! 👋')).toBe('Olá, Bruno! 👋');
    expect(printable('one\ntwo')).toBe('one\n    two');
  });

  it('holds the messages of a peer whose key changed, with the warning and /trust, until the person chooses', () => {
    const session = fakeSession({ kind: 'changed', fingerprint: 'abcd 1234', acknowledged: false }, true);
    const { lines, screen } = screenOf(session);
    screen.render();
    expect(lines.join('\n')).toContain('[identity-changed]');
    expect(lines.join('\n')).toContain('Messages from Bruno are held. Type /trust');
    expect(lines.join('\n')).not.toContain('trust me');
    session.peerIdentity = { kind: 'changed', fingerprint: 'abcd 1234', acknowledged: true };
    session.identityWarningPending = false;
    screen.render();
    expect(lines.slice(-2)).toEqual(['! Bruno’s device key changed: now abcd 1234.', expect.stringMatching(/\] Bruno: trust me$/)]);
  });

  it('says once what this device knows of the peer, and not again when /verify makes a first meeting known', () => {
    const session = fakeSession({ kind: 'new', fingerprint: 'abcd 1234' }, false);
    const { lines, screen } = screenOf(session);
    screen.render();
    session.verified = true;
    session.peerIdentity = { kind: 'known', fingerprint: 'abcd 1234', verified: true };
    screen.render();
    const said = lines.filter((line) => line.includes('abcd 1234'));
    expect(said).toEqual(['* First conversation with Bruno on this device. Their device key abcd 1234 is now remembered.']);

    const again = fakeSession({ kind: 'none' }, false);
    const second = screenOf(again);
    second.screen.render();
    again.peerIdentity = { kind: 'known', fingerprint: 'abcd 1234', verified: true };
    second.screen.render();
    expect(second.lines).toContain('* You have talked with Bruno on this device before, and verified them (device key abcd 1234).');
  });
});
