/**
 * A real coturn (turnserver) for a test file, configured by deploy/turnserver.conf with
 * the test's own loopback address, port, secret and realm on the command line; stopped
 * after. Skipped with a message when turnserver is not installed, except in CI.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipWithout, tcpReachable } from './local-service.ts';
import { freePort } from './redis-server.ts';

export const TURNSERVER_BINARY = process.env.TURNSERVER_PATH ?? 'turnserver';
export const TURN_CONFIG = fileURLToPath(new URL('../../../deploy/turnserver.conf', import.meta.url));

export function skipWithoutCoturn(): boolean {
  return skipWithout({ path: TURNSERVER_BINARY, versionArgs: ['--version'], tests: 'TURN tests', debianPackage: 'coturn' });
}

export interface Coturn {
  port: number;
  /** Everything coturn logged so far. */
  log(): string;
  stop(): Promise<void>;
}

export interface CoturnOptions {
  realm?: string;
  /**
   * Relay to peers on 127.0.0.1 (two browsers on one machine, as in the end-to-end
   * tests). Only for tests: deploy/turnserver.conf denies loopback and private peers.
   */
  allowLoopbackPeers?: boolean;
  /** Log every TURN request (Allocate, CreatePermission, ChannelBind) and its outcome. */
  verbose?: boolean;
}

export async function startCoturn(secret: string, options: CoturnOptions = {}): Promise<Coturn> {
  const realm = options.realm ?? 'duet.test';
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'duet-coturn-'));
  // A relay port range of its own, away from the usual ephemeral ports.
  const minPort = 50_000 + Math.floor(Math.random() * 150) * 100;
  const child: ChildProcess = spawn(
    TURNSERVER_BINARY,
    [
      '-c', TURN_CONFIG,
      '-n',
      `--listening-ip=127.0.0.1`,
      `--listening-port=${port}`,
      `--relay-ip=127.0.0.1`,
      `--min-port=${minPort}`,
      `--max-port=${minPort + 99}`,
      `--static-auth-secret=${secret}`,
      `--realm=${realm}`,
      '--no-tls',
      '--no-dtls',
      '--log-file=stdout',
      `--pidfile=${path.join(dir, 'turnserver.pid')}`,
      `--userdb=${path.join(dir, 'turndb')}`,
      // coturn refuses loopback peers with its telnet CLI on: the CLI goes.
      ...(options.allowLoopbackPeers ? ['--allow-loopback-peers', '--allowed-peer-ip=127.0.0.1', '--no-cli'] : []),
      ...(options.verbose ? ['--verbose'] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  for (let attempt = 0; !(await tcpReachable(port)); attempt++) {
    if (child.exitCode !== null || attempt > 100) throw new Error(`turnserver did not start: ${output.slice(-800)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
