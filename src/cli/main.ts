/**
 * `duet`: the terminal peer. The same Session as the browser (src/session), over the
 * same signaling server and protocol; only the edges differ: the `ws` package for the
 * signaling WebSocket, node-datachannel (through webrtc-polyfill, which simple-peer
 * already brings) for WebRTC, readline for the keyboard and the disk for files.
 */
import './node-webrtc.ts';
import QRCode from 'qrcode';
import { WebSocket } from 'ws';
import { DuetError, toDuetError } from '../core/errors.ts';
import { describeError, detectLocale, loadLocale, setLocale, t } from '../i18n/i18n.ts';
import { Session } from '../session/session.ts';
import { createPeerLink } from '../transport/peer-link.ts';
import { type WebSocketClass, connectSignaling } from '../transport/signaling-client.ts';
import { identityFingerprint } from '../core/identity.ts';
import { FileDeviceStore, createIdentityFile, knownPeersPathFor, loadIdentityFile } from './identity-file.ts';
import { DiskFileSink, fileSourceFromPath } from './node-files.ts';
import { type CliOptions, parseCommand, sessionTuning } from './options.ts';
import { Screen } from './screen.ts';
import { type Keyboard, openKeyboard } from './typing.ts';

/** After /quit, how long the goodbye gets to leave before the process ends. */
const GOODBYE_GRACE_MS = 300;

/** Once chatting, what the person is writing stays whole below what is printed. */
let keyboard: Keyboard | undefined;

function print(line: string): void {
  if (keyboard) keyboard.print(line);
  else process.stdout.write(`${line}\n`);
}

/** LANG=pt_BR.UTF-8 → pt-BR; anything not translated → English. */
async function applyLanguage(env: NodeJS.ProcessEnv): Promise<void> {
  const raw = env.LC_ALL || env.LC_MESSAGES || env.LANG || 'en';
  const locale = detectLocale([raw.split('.')[0]!.replace('_', '-')]);
  try {
    await loadLocale(locale);
    setLocale(locale);
  } catch {
    // English is always there.
  }
}

/**
 * `ws` throws an 'error' event nobody listens to (a browser's WebSocket does not): a
 * listener here keeps an unreachable server from crashing the process. The 'close'
 * that always follows is what signaling-client.ts turns into 'signaling-unreachable'.
 */
class NodeWebSocket extends WebSocket {
  constructor(url: string) {
    super(url);
    this.on('error', () => {});
  }
}

function newSession(options: CliOptions): Session {
  return new Session({
    signalingUrl: options.serverUrl,
    appUrl: options.appUrl,
    iceServers: options.iceServers,
    ...sessionTuning(options.tuning),
    transport: {
      connectSignaling: (url, handlers) => connectSignaling(url, handlers, NodeWebSocket as unknown as WebSocketClass),
      // Loaded with the rest: the terminal has no first page to keep small.
      loadPeerLinks: () => Promise.resolve(createPeerLink),
    },
  });
}

/** --remember: the identity from `duet keys` and the known peers beside it, both checked before any room is entered. */
async function rememberDevice(session: Session, path: string): Promise<void> {
  const identity = await loadIdentityFile(path);
  const store = new FileDeviceStore(identity, path);
  await store.readPeers();
  session.useDevice(identity, store);
  print(`* ${t('cli.usingIdentity', { fingerprint: await identityFingerprint(identity.publicKey), path })}`);
}

/** A problem with the identity or known-peers file: the sentence, its code and which file. */
function fileProblem(error: unknown, identityPath: string): never {
  const problem = toDuetError(error, 'identity-file-invalid');
  const path = problem.code === 'known-peers-invalid' ? knownPeersPathFor(identityPath) : identityPath;
  print(`! ${describeError(problem)} ${path}`);
  process.exit(1);
}

async function chat(options: CliOptions): Promise<void> {
  const session = newSession(options);
  const { identity } = options;
  if (identity.kind === 'remember') await rememberDevice(session, identity.path).catch((error: unknown) => fileProblem(error, identity.path));
  const sinks = new Map<string, DiskFileSink>();
  const screen = new Screen(session, print, (id) => sinks.get(id)?.savedPath);
  let qrShown = false;
  let leaving = false;
  const exit = (code: number) => setTimeout(() => process.exit(code), GOODBYE_GRACE_MS);
  session.subscribe(() => {
    screen.render();
    const invite = session.invite;
    if (invite && !qrShown && session.status.phase === 'waiting') {
      qrShown = true;
      // A terminal has no button to ask with: it asks for a short code at once (/code for a new one).
      session.requestShortCode();
      void QRCode.toString(invite.link, { type: 'terminal', small: true }).then((qr) => print(qr));
    }
    if (session.status.phase === 'failed' && !leaving) {
      leaving = true;
      exit(1);
    }
  });

  const leave = () => {
    if (leaving) return;
    leaving = true;
    session.leave();
    exit(0);
  };
  keyboard = openKeyboard(() => session.notifyTyping());
  const { lines } = keyboard;
  lines.on('close', leave);
  process.on('SIGINT', leave);
  process.on('SIGTERM', leave);

  const report = (error: unknown) => print(`! ${describeError(toDuetError(error, 'peer-connection-failed'))}`);
  const answerFile = (arg: string, accept: boolean) => {
    const transfer = screen.transferByNumber(Number(arg));
    if (!transfer || transfer.direction !== 'incoming' || transfer.status.stage !== 'offered') {
      print(`! ${t('cli.noSuchFile', { number: arg })}`);
      return;
    }
    if (!accept) {
      void session.declineFile(transfer.id).catch(report);
      return;
    }
    const sink = new DiskFileSink(options.downloads, transfer.name, transfer.id);
    sinks.set(transfer.id, sink);
    void session.acceptFile(transfer.id, sink).catch(report);
  };

  lines.on('line', (line) => {
    const text = line.trim();
    if (!text) return;
    if (!text.startsWith('/')) {
      void session.send(text).catch(report);
      return;
    }
    const [command = '', ...rest] = text.split(/\s+/);
    const arg = rest.join(' ');
    switch (command) {
      case '/quit':
        leave();
        return;
      case '/code':
        session.requestShortCode();
        return;
      case '/verify':
        session.markVerified();
        return;
      case '/trust':
        void session.acknowledgeIdentityWarning().catch(report);
        return;
      case '/help':
        print(t('cli.usage'));
        return;
      case '/accept':
      case '/decline':
        answerFile(arg, command === '/accept');
        return;
      case '/file':
        void fileSourceFromPath(arg).then(
          (source) => session.sendFile(source).catch(report),
          () => print(`! ${t('cli.cannotRead', { path: arg })} ${describeError(new DuetError('file-read-failed'))}`),
        );
        return;
      default:
        print(`! ${t('cli.unknownCommand', { command })}`);
    }
  });

  if (options.invite) await session.joinRoom(options.name, options.invite);
  else await session.createRoom(options.name);
}

async function run(): Promise<void> {
  await applyLanguage(process.env);
  const command = parseCommand(process.argv.slice(2), process.env, process.cwd());
  switch (command.kind) {
    case 'help':
      print(t('cli.usage'));
      return;
    case 'usage-error':
      process.stderr.write(`duet: ${command.problem}\n\n${t('cli.usage')}\n`);
      process.exitCode = 2;
      return;
    case 'keys': {
      const created = await createIdentityFile(command.path, command.force).catch((error: unknown) => fileProblem(error, command.path));
      print(t('cli.keysCreated', { path: created.path, fingerprint: created.fingerprint }));
      print(t('cli.keysHint'));
      return;
    }
    case 'chat':
      await chat(command.options);
  }
}

run().catch((error: unknown) => {
  print(`! ${describeError(toDuetError(error, 'peer-connection-failed'))}`);
  process.exit(1);
});
