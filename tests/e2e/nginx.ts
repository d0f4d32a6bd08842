/**
 * A real nginx (Debian's package) in front of a Duet server, for a test: configured by
 * deploy/nginx.conf itself, with only its listen ports, certificate paths and upstream port
 * replaced, and a self-signed certificate for 127.0.0.1 and ::1 made by the openssl CLI.
 * It runs without root's files: prefix, pid, logs and temp paths in a temp dir, one process
 * in the foreground, stopped by the test.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipWithout, tcpReachable } from '../unit/helpers/local-service.ts';
import { freePort } from '../unit/helpers/redis-server.ts';

export const NGINX_BINARY = process.env.NGINX_PATH ?? 'nginx';
const DEPLOYED_CONFIG = fileURLToPath(new URL('../../deploy/nginx.conf', import.meta.url));

/** Whether to skip the proxy tests (nginx not installed); throws in CI, which must run them. */
export function skipWithoutNginx(): boolean {
  return skipWithout({ path: NGINX_BINARY, versionArgs: ['-v'], tests: 'proxy tests', debianPackage: 'nginx' });
}

export interface Nginx {
  /** https://127.0.0.1:<port> */
  origin: string;
  httpsPort: number;
  /** The port of the plain-HTTP server (it redirects to HTTPS). */
  httpPort: number;
  /** The site as nginx runs it: deploy/nginx.conf with the test's ports and paths. */
  site: string;
  /** The self-signed certificate (PEM), for clients that verify it. */
  certificate: string;
  /** What nginx wrote to its error log so far. */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

/** deploy/nginx.conf with each `from` replaced by its `to`; throws if a `from` is not there exactly once. */
export function substituteConfig(config: string, replacements: readonly (readonly [string, string])[]): string {
  let result = config;
  for (const [from, to] of replacements) {
    const count = result.split(from).length - 1;
    if (count !== 1) throw new Error(`deploy/nginx.conf has "${from}" ${count} times; the test expects it once`);
    result = result.replace(from, () => to);
  }
  return result;
}

function selfSignedCertificate(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1', '-keyout', key, '-out', cert],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

/** Starts nginx with deploy/nginx.conf in front of the Duet server on 127.0.0.1:appPort. */
export async function startNginx(appPort: number): Promise<Nginx> {
  const dir = await mkdtemp(path.join(tmpdir(), 'duet-nginx-'));
  const { cert, key } = selfSignedCertificate(dir);
  const [httpsPort, httpPort] = [await freePort(), await freePort()];
  const site = substituteConfig(await readFile(DEPLOYED_CONFIG, 'utf8'), [
    ['listen 80;', `listen 127.0.0.1:${httpPort};`],
    ['listen [::]:80;', `listen [::1]:${httpPort};`],
    ['listen 443 ssl;', `listen 127.0.0.1:${httpsPort} ssl;`],
    ['listen [::]:443 ssl;', `listen [::1]:${httpsPort} ssl;`],
    ['/etc/letsencrypt/live/chat.example.org/fullchain.pem', cert],
    ['/etc/letsencrypt/live/chat.example.org/privkey.pem', key],
    ['server 127.0.0.1:8080;', `server 127.0.0.1:${appPort};`],
  ]);
  await writeFile(path.join(dir, 'duet.conf'), site);
  // What Debian's /etc/nginx/nginx.conf would give the site, with every path in the temp dir.
  await writeFile(
    path.join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'master_process off;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${dir}/${kind}_temp;`),
      `  include ${dir}/duet.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(NGINX_BINARY, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  const errorLog = () => readFile(path.join(dir, 'error.log'), 'utf8').catch(() => '');
  for (let attempt = 0; !(await tcpReachable(httpsPort)); attempt++) {
    if (child.exitCode !== null || attempt > 100) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not start: ${stderr}${await errorLog()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    origin: `https://127.0.0.1:${httpsPort}`,
    httpsPort,
    httpPort,
    site,
    certificate: await readFile(cert, 'utf8'),
    errorLog,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM'); // fast shutdown: a graceful one would wait for open WebSockets
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
