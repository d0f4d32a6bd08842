/**
 * Starts the signaling server from environment variables:
 *   PORT (default 8080), HOST (default: all interfaces),
 *   STATIC_DIR (default: dist/ at the repository root),
 *   TLS_CERT and TLS_KEY (PEM file paths; both or neither).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServerLimits, limitsFromEnv } from './limits.ts';
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

const options: SignalingServerOptions = {
  limits: limitsFromEnvOrExit(),
  port: portFromEnv(process.env.PORT),
  host: process.env.HOST || undefined,
  staticDir: staticDirFromEnv(process.env.STATIC_DIR),
  tls: tlsFromEnv(process.env.TLS_CERT, process.env.TLS_KEY),
};

const server = await createSignalingServer(options).catch((error: unknown) =>
  exitWithError(`cannot start the server: ${(error as Error).message}`),
);
console.log(`Duet is running at ${server.url}`);

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  logToStdout({ event: 'shutdown', signal });
  await server.close();
  process.exit(0);
}
process.once('SIGINT', (signal) => void shutdown(signal));
process.once('SIGTERM', (signal) => void shutdown(signal));
