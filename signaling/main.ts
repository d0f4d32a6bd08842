/**
 * Starts the signaling server from environment variables:
 *   PORT (default 8080), HOST (default: all interfaces),
 *   STATIC_DIR (default: dist/ at the repository root),
 *   TLS_CERT and TLS_KEY (PEM file paths; both or neither),
 *   REDIS_URL (rooms in Redis, shared by instances; default: in memory), REDIS_PREFIX,
 *   STUN_URLS, TURN_URLS, TURN_SECRET, TURN_TTL or ICE_SERVERS (signaling/ice-servers.ts),
 *   TRUST_PROXY and TRUST_PROXY_HEADER (reverse proxies in front; signaling/client-address.ts),
 *   LOG_IPS=1 (client addresses in full in the log), DRAIN_MS (SIGTERM drain, default 10000).
 * SIGTERM drains (clients are told to reconnect elsewhere) and exits within DRAIN_MS
 * and a few seconds; SIGINT closes at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type IceConfig, iceConfigFromEnv } from './ice-servers.ts';
import { type ServerLimits, limitsFromEnv } from './limits.ts';
import { type ProxyTrust, proxyTrustFromEnv } from './client-address.ts';
import { createSignalingServer, logToStdout, type SignalingServerOptions } from './server.ts';

const DEFAULT_PORT = 8080;

function exitWithError(message: string): never {
  console.error(`Duet: ${message}`);
  process.exit(1);
}

function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) exitWithError(`PORT must be a port number, got "${value}".`);
  return port;
}

function staticDirFromEnv(value: string | undefined): string | undefined {
  const dir = value ? path.resolve(value) : fileURLToPath(new URL('../dist', import.meta.url));
  if (existsSync(path.join(dir, 'index.html'))) return dir;
  logToStdout({ event: 'static-dir-missing', level: 'warn', dir, message: 'No index.html there; serving no static files.' });
  return undefined;
}

function readPemFile(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    exitWithError(`cannot read ${variable} file "${file}": ${(error as Error).message}`);
  }
}

function tlsFromEnv(certFile: string | undefined, keyFile: string | undefined): SignalingServerOptions['tls'] {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) exitWithError('set both TLS_CERT and TLS_KEY (PEM file paths), or neither.');
  return { cert: readPemFile('TLS_CERT', certFile), key: readPemFile('TLS_KEY', keyFile) };
}

function limitsFromEnvOrExit(): ServerLimits {
  try {
    return limitsFromEnv(process.env);
  } catch (error) {
    exitWithError((error as Error).message);
  }
}

function iceFromEnvOrExit(): IceConfig {
  try {
    return iceConfigFromEnv(process.env);
  } catch (error) {
    exitWithError((error as Error).message);
  }
}

function proxyTrustFromEnvOrExit(): ProxyTrust {
  try {
    return proxyTrustFromEnv(process.env);
  } catch (error) {
    exitWithError((error as Error).message);
  }
}

function storeFromEnv(url: string | undefined, prefix: string | undefined): SignalingServerOptions['store'] {
  if (!url) return { kind: 'memory' };
  if (!/^rediss?:\/\//.test(url)) exitWithError('REDIS_URL must be a redis:// or rediss:// URL.');
  return { kind: 'redis', url, ...(prefix ? { prefix } : {}) };
}

function drainMsFromEnv(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Number(value);
  if (!Number.isSafeInteger(ms) || ms < 0) exitWithError(`DRAIN_MS must be a whole number of milliseconds, got "${value}".`);
  return ms;
}

const options: SignalingServerOptions = {
  limits: limitsFromEnvOrExit(),
  store: storeFromEnv(process.env.REDIS_URL, process.env.REDIS_PREFIX),
  ice: iceFromEnvOrExit(),
  trustProxy: proxyTrustFromEnvOrExit(),
  logIps: process.env.LOG_IPS === '1',
  processMetrics: true,
  drainMs: drainMsFromEnv(process.env.DRAIN_MS),
  port: portFromEnv(process.env.PORT),
  host: process.env.HOST || undefined,
  staticDir: staticDirFromEnv(process.env.STATIC_DIR),
  tls: tlsFromEnv(process.env.TLS_CERT, process.env.TLS_KEY),
};

const server = await createSignalingServer(options).catch((error: unknown) =>
  exitWithError(`cannot start the server: ${(error as Error).message}`),
);
console.log(`Duet is running at ${server.url}`);

/** Exit even if something hangs: drain time, plus the close grace periods. */
const EXIT_DEADLINE_SLACK_MS = 5_000;

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  logToStdout({ event: 'shutdown', signal });
  const deadline = (signal === 'SIGTERM' ? (options.drainMs ?? 10_000) : 0) + EXIT_DEADLINE_SLACK_MS;
  setTimeout(() => process.exit(1), deadline).unref();
  await (signal === 'SIGTERM' ? server.drain() : server.close());
  process.exit(0);
}
process.once('SIGINT', (signal) => void shutdown(signal));
process.once('SIGTERM', (signal) => void shutdown(signal));
