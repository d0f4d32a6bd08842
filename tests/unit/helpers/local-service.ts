/**
 * What the tests that run a real Debian program (redis-server, coturn, nginx) share: whether
 * the program is there, and when it listens. A missing program skips its tests with a message,
 * except in CI (CI=1 or DUET_REQUIRE_NETNS=1), where they fail: .ci/run installs it.
 */
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';

export function inCi(): boolean {
  return Boolean(process.env.CI) || process.env.DUET_REQUIRE_NETNS === '1';
}

/** Whether to skip the tests that need `binary`; says why once. Throws in CI when it is missing. */
export function skipWithout(binary: { path: string; versionArgs: string[]; tests: string; debianPackage: string }): boolean {
  if (spawnSync(binary.path, binary.versionArgs, { stdio: 'ignore' }).status === 0) return false;
  if (inCi()) throw new Error(`${binary.path} is not installed, and CI must run the ${binary.tests} (.ci/run installs ${binary.debianPackage})`);
  console.warn(`Skipping the ${binary.tests}: ${binary.path} is not installed (apt-get install ${binary.debianPackage}).`);
  return true;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function tcpReachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
