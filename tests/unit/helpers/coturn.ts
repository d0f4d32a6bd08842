/**
 * A real coturn (turnserver) for a test file, run from deploy/turnserver.conf itself:
 * the file is copied with only what a test on one machine must change put in its
 * place (address, ports, secret, realm, no certificate, logs to stdout, and, for two
 * browsers on one machine, loopback peers allowed), so the deployed configuration is
 * what the tests exercise. Stopped after. Skipped with a message when turnserver is
 * not installed, except in CI.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

/**
 * deploy/turnserver.conf with a test's settings in place of the deployment's. Each
 * replaced line must be found exactly once, so a change to the deployed file that
 * the tests would no longer exercise fails here instead of passing unnoticed.
 */
export function testTurnConfig(deployed: string, settings: { secret: string; realm: string; port: number; minPort: number; maxPort: number; dir: string; allowLoopbackPeers: boolean; verbose: boolean }): string {
  const replacements: [RegExp, string[]][] = [
    [/^static-auth-secret=.*$/m, [`static-auth-secret=${settings.secret}`]],
    [/^realm=.*$/m, [`realm=${settings.realm}`]],
    [/^listening-port=.*$/m, [`listening-port=${settings.port}`, 'listening-ip=127.0.0.1', 'relay-ip=127.0.0.1']],
    [/^min-port=.*$/m, [`min-port=${settings.minPort}`]],
    [/^max-port=.*$/m, [`max-port=${settings.maxPort}`]],
    // No certificate on a test machine: plain TURN over UDP and TCP.
    [/^tls-listening-port=.*$/m, ['no-tls', 'no-dtls']],
    [/^cert=.*$/m, []],
    [/^pkey=.*$/m, []],
    [/^syslog$/m, ['log-file=stdout', `pidfile=${path.join(settings.dir, 'turnserver.pid')}`, `userdb=${path.join(settings.dir, 'turndb')}`, ...(settings.verbose ? ['verbose'] : [])]],
    // Two browsers on one machine reach each other only through loopback.
    [/^denied-peer-ip=127\.0\.0\.0-127\.255\.255\.255$/m, settings.allowLoopbackPeers ? ['allow-loopback-peers', 'allowed-peer-ip=127.0.0.1'] : ['denied-peer-ip=127.0.0.0-127.255.255.255']],
  ];
  let config = deployed;
  for (const [pattern, lines] of replacements) {
    const found = config.match(new RegExp(pattern.source, 'gm'))?.length ?? 0;
    if (found !== 1) throw new Error(`deploy/turnserver.conf: expected one line matching ${pattern}, found ${found}`);
    config = config.replace(pattern, lines.join('\n'));
  }
  return config;
}

export async function startCoturn(secret: string, options: CoturnOptions = {}): Promise<Coturn> {
  const realm = options.realm ?? 'duet.test';
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'duet-coturn-'));
  // A relay port range of its own, away from the usual ephemeral ports.
  const minPort = 50_000 + Math.floor(Math.random() * 150) * 100;
  const config = path.join(dir, 'turnserver.conf');
  const settings = { secret, realm, port, minPort, maxPort: minPort + 99, dir, allowLoopbackPeers: options.allowLoopbackPeers ?? false, verbose: options.verbose ?? false };
  await writeFile(config, testTurnConfig(await readFile(TURN_CONFIG, 'utf8'), settings));
  const child: ChildProcess = spawn(TURNSERVER_BINARY, ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
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
