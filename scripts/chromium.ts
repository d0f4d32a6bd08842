/**
 * Which Chromium the browser tests and the bench launch, and how: one place, so the
 * two always measure and test the same browser set up the same way.
 */
import { existsSync } from 'node:fs';

/** $CHROMIUM_PATH, else Debian's /usr/bin/chromium, else undefined: Playwright's own download. */
export function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  return undefined;
}

export const CHROMIUM_ARGS = [
  // WebRTC between two contexts on loopback: without this no ICE candidates appear.
  '--allow-loopback-in-peer-connection',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-gpu',
];
