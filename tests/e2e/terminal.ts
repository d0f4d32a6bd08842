/**
 * A person at the terminal peer: the `duet` command as a child process, driven
 * through its stdin and stdout as someone typing and reading would be.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';

const port = Number(process.env.E2E_PORT ?? 8181);
export const SERVER_URL = `ws://localhost:${port}/ws`;

export interface TerminalUser {
  process: ChildProcessWithoutNullStreams;
  /** Everything printed so far. */
  output(): string;
  type(line: string): void;
  /** Waits until the output matches; returns the match. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  quit(): Promise<void>;
}

/**
 * node-datachannel (libjuice) gathers no candidates on loopback, and inside the test
 * namespace only loopback is up. A veth pair inside that namespace gives it an
 * address; the namespace has no route out, so no packet leaves it.
 */
export function giveNamespaceAnInterface(): void {
  if (process.env.DUET_IN_NETNS !== '1') return;
  try {
    execFileSync('ip', ['link', 'show', 'duet-veth0'], { stdio: 'ignore' });
    return;
  } catch {
    // not there yet
  }
  try {
    execFileSync('sh', ['-c', 'ip link add duet-veth0 type veth peer name duet-veth1 && ip addr add 10.99.0.1/24 dev duet-veth0 && ip link set duet-veth0 up && ip link set duet-veth1 up'], { stdio: 'ignore' });
  } catch {
    // Another worker made it at the same moment.
  }
}

export function startTerminal(args: string[], env: NodeJS.ProcessEnv = {}): TerminalUser {
  const child = spawn(process.execPath, ['bin/duet.mjs', '--server', SERVER_URL, ...args], {
    env: { ...process.env, LANG: 'en_US.UTF-8', ...env },
  });
  let text = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (text += chunk));
  child.stderr.on('data', (chunk: string) => (text += chunk));
  let exitedWith = '';
  const exited = new Promise<void>((resolve) =>
    // 'close', not 'exit': by then all it printed has been read.
    child.on('close', (code, signal) => {
      exitedWith = signal ?? `code ${code}`;
      resolve();
    }),
  );
  // A terminal that is already exiting (after an error) closes its stdin: a last line
  // written then fails with EPIPE, which says nothing about the terminal itself.
  child.stdin.on('error', () => {});
  return {
    process: child,
    output: () => text,
    type: (line) => child.stdin.write(`${line}\n`),
    async waitFor(pattern) {
      // Not expect.poll: a terminal that died (a crash, a signal) is said at once, with how.
      const deadline = Date.now() + 60_000;
      while (!pattern.test(text)) {
        const why = exitedWith ? `the terminal exited (${exitedWith})` : Date.now() > deadline ? 'not seen within 60 s' : undefined;
        if (why) throw new Error(`terminal output matching ${pattern}: ${why}. Its output:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return text.match(pattern)!;
    },
    async quit() {
      if (child.exitCode === null) child.stdin.write('/quit\n');
      await exited;
    },
  };
}

export async function terminalSafetyCode(user: TerminalUser): Promise<string> {
  return (await user.waitFor(/Safety code: (\d{5}(?: \d{5}){5})/))[1]!;
}
