/**
 * The server's default log: one JSON object per line on stdout, by pino. The server
 * calls a plain `(entry) => void` sink (tests pass their own); entries name rooms only by
 * a short hash tag and carry no payload, secret or credential. Client addresses appear
 * only as a short keyed hash, unless LOG_IPS=1 (see logAddress).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { pino } from 'pino';

export type LogEntry = Record<string, unknown>;
export type LogSink = (entry: LogEntry) => void;

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** A pino logger writing to stdout; an entry's `level` field (if any) picks its level. */
export function pinoSink(options: { level?: string } = {}): LogSink {
  const logger = pino({
    level: options.level ?? 'info',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
  return (entry) => {
    const { level, ...rest } = entry;
    const method = typeof level === 'string' && LEVELS.has(level) ? (level as 'info') : 'info';
    logger[method](rest);
  };
}

/** Per-process key: the same address hashes alike within one run, and unlinkably across runs. */
const ADDRESS_KEY = randomBytes(16);

/** What a log entry may say about a client address: the address itself only with LOG_IPS=1. */
export function logAddress(address: string, logIps: boolean): string {
  if (logIps) return address;
  return createHmac('sha256', ADDRESS_KEY).update(address).digest('hex').slice(0, 8);
}

/** Only an error's class name: messages may quote the input that caused them. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
