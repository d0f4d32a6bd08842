/**
 * Runs a command inside a new network namespace where only loopback exists, so
 * browser tests cannot send a single packet off this machine and WebRTC host
 * candidates are loopback only. Usage: tsx scripts/in-netns.ts <command> [args…]
 *
 * Root uses `unshare -n`; other users `unshare -rn` (a user namespace). Where
 * neither works (macOS, locked-down containers) the command runs as it is, with a
 * warning, unless DUET_REQUIRE_NETNS=1 (set by .ci/run) makes that an error.
 */
import { spawnSync } from 'node:child_process';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: tsx scripts/in-netns.ts <command> [args…]');
  process.exit(2);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const unshareFlags = isRoot ? ['-n'] : ['-rn'];
// `"$0" "$@"` keeps every argument intact through the shell.
const inner = ['sh', '-c', 'ip link set lo up && exec "$0" "$@"', ...command];

function run(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(argv[0]!, argv.slice(1), { stdio: 'inherit', env });
  if (result.error) return -1;
  return result.status ?? 1;
}

const probe = spawnSync('unshare', [...unshareFlags, 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' });
if (process.env.DUET_IN_NETNS === '1') {
  process.exit(run(command));
} else if (probe.status === 0) {
  console.log(`Running in an isolated network namespace (unshare ${unshareFlags.join(' ')}; only loopback is up).`);
  process.exit(run(['unshare', ...unshareFlags, ...inner], { ...process.env, DUET_IN_NETNS: '1' }));
} else if (process.env.DUET_REQUIRE_NETNS === '1') {
  console.error('DUET_REQUIRE_NETNS=1 but no network namespace could be made (unshare and ip are needed).');
  process.exit(1);
} else {
  console.warn('Warning: could not make an isolated network namespace; running the browser tests on the normal network.');
  process.exit(run(command));
}
