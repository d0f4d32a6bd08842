import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, appUrlOf, parseCommand } from '../../../src/cli/options.ts';

describe('terminal command line', () => {
  it('creates a room with the defaults: local server, its origin as the app, no ICE servers, the current directory', () => {
    expect(parseCommand(['--name', 'Ana'], {}, '/home/ana')).toEqual({
      kind: 'chat',
      options: { name: 'Ana', invite: undefined, serverUrl: DEFAULT_SERVER, appUrl: 'http://localhost:8080/', iceServers: [], downloads: '/home/ana' },
    });
  });

  it('joins with an invite, and takes the server, app and ICE servers from the environment when no flag says otherwise', () => {
    const parsed = parseCommand(['--name', 'Bruno', '7-tiger-ocean'], { DUET_SERVER: 'wss://duet.example/ws', DUET_ICE_SERVERS: '[{"urls":"stun:stun.example"}]' }, '/');
    expect(parsed).toMatchObject({ kind: 'chat', options: { invite: '7-tiger-ocean', serverUrl: 'wss://duet.example/ws', appUrl: 'https://duet.example/', iceServers: [{ urls: 'stun:stun.example' }] } });
    const flagged = parseCommand(['--name', 'Bruno', '--server', 'ws://127.0.0.1:9/ws', '--app-url', 'http://app.test/'], { DUET_SERVER: 'wss://duet.example/ws' }, '/');
    expect(flagged).toMatchObject({ options: { serverUrl: 'ws://127.0.0.1:9/ws', appUrl: 'http://app.test/' } });
  });

  it('refuses bad input with a usage error that names the problem', () => {
    expect(parseCommand([], {}, '/')).toEqual({ kind: 'usage-error', problem: '--name is required' });
    expect(parseCommand(['--name', '  '], {}, '/')).toMatchObject({ kind: 'usage-error' });
    expect(parseCommand(['--name', 'Ana', '--server', 'http://x/ws'], {}, '/')).toMatchObject({ kind: 'usage-error', problem: expect.stringContaining('--server') });
    expect(parseCommand(['--name', 'Ana', '--ice-servers', '{"urls":1}'], {}, '/')).toMatchObject({ kind: 'usage-error', problem: expect.stringContaining('--ice-servers') });
    expect(parseCommand(['--name', 'Ana', 'one', 'two'], {}, '/')).toMatchObject({ kind: 'usage-error' });
    expect(parseCommand(['--name', 'Ana', '--bogus'], {}, '/')).toMatchObject({ kind: 'usage-error' });
  });

  it('asks for help', () => {
    expect(parseCommand(['--help'], {}, '/')).toEqual({ kind: 'help' });
  });

  it('derives the app URL from the server URL', () => {
    expect(appUrlOf('ws://localhost:8181/ws')).toBe('http://localhost:8181/');
    expect(appUrlOf('wss://chat.example:8443/ws?x=1')).toBe('https://chat.example:8443/');
  });
});
