import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, DEFAULT_TUNING, appUrlOf, parseCommand, sessionTuning } from '../../../src/cli/options.ts';
import { DEFAULT_HANDSHAKE_CONFIG } from '../../../src/core/handshake.ts';

describe('terminal command line', () => {
  it('creates a room with the defaults: local server, its origin as the app, no ICE servers, the current directory', () => {
    expect(parseCommand(['--name', 'Ana'], {}, '/home/ana')).toEqual({
      kind: 'chat',
      options: {
        name: 'Ana',
        invite: undefined,
        serverUrl: DEFAULT_SERVER,
        appUrl: 'http://localhost:8080/',
        iceServers: [],
        downloads: '/home/ana',
        identity: { kind: 'anonymous' },
        tuning: { rsaModulusLength: 2048, handshakeStepTimeoutMs: 5000, connectTimeoutMs: 30_000, reconnectTimeoutMs: 120_000 },
      },
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

  it('duet keys: the config directory by default, --identity or DUET_IDENTITY to choose, --force to replace', () => {
    expect(parseCommand(['keys'], { HOME: '/home/ana' }, '/')).toEqual({ kind: 'keys', path: '/home/ana/.config/duet/identity.json', force: false });
    expect(parseCommand(['keys'], { XDG_CONFIG_HOME: '/cfg', HOME: '/home/ana' }, '/')).toEqual({ kind: 'keys', path: '/cfg/duet/identity.json', force: false });
    expect(parseCommand(['keys', '--identity', '/k/work.json', '--force'], { DUET_IDENTITY: '/k/env.json' }, '/')).toEqual({ kind: 'keys', path: '/k/work.json', force: true });
    expect(parseCommand(['keys'], { DUET_IDENTITY: '/k/env.json' }, '/')).toEqual({ kind: 'keys', path: '/k/env.json', force: false });
    expect(parseCommand(['keys', 'extra'], {}, '/')).toMatchObject({ kind: 'usage-error' });
  });

  it('--remember uses the identity file (the default one, or --identity), which is refused without --remember; --force only with keys', () => {
    expect(parseCommand(['--name', 'Ana', '--remember'], { HOME: '/home/ana' }, '/')).toMatchObject({ options: { identity: { kind: 'remember', path: '/home/ana/.config/duet/identity.json' } } });
    expect(parseCommand(['--name', 'Ana', '--remember', '--identity', '/k/a.json'], {}, '/')).toMatchObject({ options: { identity: { kind: 'remember', path: '/k/a.json' } } });
    expect(parseCommand(['--name', 'Ana', '--identity', '/k/a.json'], {}, '/')).toMatchObject({ kind: 'usage-error', problem: expect.stringContaining('--remember') });
    expect(parseCommand(['--name', 'Ana', '--force'], {}, '/')).toMatchObject({ kind: 'usage-error', problem: expect.stringContaining('--force') });
  });

  it('RSA size and timeouts: flags over environment variables over the defaults', () => {
    expect(parseCommand(['--name', 'Ana'], { DUET_RSA_BITS: '3072', DUET_CONNECT_TIMEOUT: '45', DUET_RECONNECT_TIMEOUT: '600', DUET_HANDSHAKE_TIMEOUT: '2.5' }, '/')).toMatchObject({
      options: { tuning: { rsaModulusLength: 3072, connectTimeoutMs: 45_000, reconnectTimeoutMs: 600_000, handshakeStepTimeoutMs: 2500 } },
    });
    const flagged = parseCommand(['--name', 'Ana', '--rsa-bits', '4096', '--connect-timeout', '10', '--reconnect-timeout', '30', '--handshake-timeout', '8'], { DUET_RSA_BITS: '3072', DUET_CONNECT_TIMEOUT: '45' }, '/');
    expect(flagged).toMatchObject({ options: { tuning: { rsaModulusLength: 4096, connectTimeoutMs: 10_000, reconnectTimeoutMs: 30_000, handshakeStepTimeoutMs: 8000 } } });
    expect(parseCommand(['--name', 'Ana'], {}, '/')).toMatchObject({ options: { tuning: DEFAULT_TUNING } });
  });

  it('the tuning reaches the session: RSA size and step wait in its handshake, and its connect and reconnect timeouts', () => {
    const parsed = parseCommand(['--name', 'Ana', '--rsa-bits', '3072', '--handshake-timeout', '9', '--connect-timeout', '40', '--reconnect-timeout', '50'], {}, '/');
    if (parsed.kind !== 'chat') throw new Error(parsed.kind);
    expect(sessionTuning(parsed.options.tuning)).toEqual({
      handshake: { ...DEFAULT_HANDSHAKE_CONFIG, rsaModulusLength: 3072, stepTimeoutMs: 9000 },
      connectTimeoutMs: 40_000,
      reconnectTimeoutMs: 50_000,
    });
    // The defaults are the app's own: nothing changes unless asked.
    expect(sessionTuning(DEFAULT_TUNING).handshake).toEqual(DEFAULT_HANDSHAKE_CONFIG);
  });

  it('refuses an RSA size or a timeout out of range with a usage error that names the flag', () => {
    for (const [args, flag] of [
      [['--rsa-bits', '1024'], '--rsa-bits'],
      [['--rsa-bits', '2048.5'], '--rsa-bits'],
      [['--connect-timeout', '0'], '--connect-timeout'],
      [['--connect-timeout', 'soon'], '--connect-timeout'],
      [['--reconnect-timeout', '-5'], '--reconnect-timeout'],
      [['--reconnect-timeout', '99999'], '--reconnect-timeout'],
      [['--handshake-timeout', '1e3'], '--handshake-timeout'],
    ] as const) {
      expect(parseCommand(['--name', 'Ana', ...args], {}, '/'), args.join(' ')).toMatchObject({ kind: 'usage-error', problem: expect.stringContaining(flag) });
    }
    expect(parseCommand(['--name', 'Ana'], { DUET_RSA_BITS: '512' }, '/')).toMatchObject({ kind: 'usage-error', problem: expect.stringContaining('512') });
  });

  it('asks for help', () => {
    expect(parseCommand(['--help'], {}, '/')).toEqual({ kind: 'help' });
  });

  it('derives the app URL from the server URL', () => {
    expect(appUrlOf('ws://localhost:8181/ws')).toBe('http://localhost:8181/');
    expect(appUrlOf('wss://chat.example:8443/ws?x=1')).toBe('https://chat.example:8443/');
  });
});
