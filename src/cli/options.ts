/**
 * The terminal peer's command line: flags, then environment variables, then defaults.
 * Bad input is a usage error that names the flag; nothing is started.
 */
import { parseArgs } from 'node:util';

export interface CliOptions {
  name: string;
  /** A link, a code or a short code to join; absent: create a room. */
  invite: string | undefined;
  serverUrl: string;
  appUrl: string;
  iceServers: RTCIceServer[];
  downloads: string;
}

export type ParsedCommand = { kind: 'help' } | { kind: 'chat'; options: CliOptions } | { kind: 'usage-error'; problem: string };

export const DEFAULT_SERVER = 'ws://localhost:8080/ws';

/** The web app the signaling server serves: ws://host:port/ws → http://host:port/ (wss → https). */
export function appUrlOf(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/';
  url.search = '';
  url.hash = '';
  return url.toString();
}

function parseIceServers(raw: string): RTCIceServer[] {
  const value: unknown = JSON.parse(raw);
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'object' && s !== null && 'urls' in s)) {
    throw new Error('--ice-servers must be a JSON array of {"urls": …} objects');
  }
  return value as RTCIceServer[];
}

export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        server: { type: 'string' },
        'app-url': { type: 'string' },
        'ice-servers': { type: 'string' },
        downloads: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { kind: 'usage-error', problem: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  const name = values.name?.trim();
  if (!name) return { kind: 'usage-error', problem: '--name is required' };
  if (positionals.length > 1) return { kind: 'usage-error', problem: 'give at most one invite (link, code or short code)' };
  const serverUrl = values.server ?? env.DUET_SERVER ?? DEFAULT_SERVER;
  try {
    const protocol = new URL(serverUrl).protocol;
    if (protocol !== 'ws:' && protocol !== 'wss:') throw new Error('not ws');
  } catch {
    return { kind: 'usage-error', problem: `--server must be a ws:// or wss:// URL, not ${serverUrl}` };
  }
  const appUrl = values['app-url'] ?? env.DUET_APP_URL ?? appUrlOf(serverUrl);
  try {
    new URL(appUrl);
  } catch {
    return { kind: 'usage-error', problem: `--app-url must be a URL, not ${appUrl}` };
  }
  let iceServers: RTCIceServer[] = [];
  const rawIce = values['ice-servers'] ?? env.DUET_ICE_SERVERS;
  if (rawIce) {
    try {
      iceServers = parseIceServers(rawIce);
    } catch (error) {
      return { kind: 'usage-error', problem: (error as Error).message };
    }
  }
  return {
    kind: 'chat',
    options: {
      name,
      invite: positionals[0],
      serverUrl,
      appUrl,
      iceServers,
      downloads: values.downloads ?? env.DUET_DOWNLOADS ?? cwd,
    },
  };
}
