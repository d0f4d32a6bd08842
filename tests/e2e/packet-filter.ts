/**
 * Real packet loss for the end-to-end tests: UDP to and from chosen ports on the
 * loopback interface is dropped, with tc (an htb qdisc whose filtered class ends in a
 * zero-length pfifo; the kernel here has no drop action or iptables). Only inside the
 * isolated network namespace of scripts/in-netns.ts, never on a real network: the
 * browsers' ICE candidate pairs lose their packets, everything else on loopback (the
 * signaling server, other tests' candidates) is untouched.
 */
import { execFileSync } from 'node:child_process';

const DEVICE = 'lo';

function tc(...args: string[]): void {
  execFileSync('tc', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Why packets cannot be dropped here, or undefined if they can. */
export function packetFilterUnavailable(): string | undefined {
  if (process.env.DUET_IN_NETNS !== '1') return 'not inside the isolated network namespace (scripts/in-netns.ts)';
  try {
    execFileSync('tc', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'tc (iproute2) is not installed';
  }
  return undefined;
}

/** Drops UDP to or from each port (IPv4 and IPv6) until remove() is called. */
export class UdpBlock {
  private removed = false;

  constructor(ports: number[]) {
    tc('qdisc', 'add', 'dev', DEVICE, 'root', 'handle', '1:', 'htb', 'default', '10', 'r2q', '1000000');
    try {
      tc('class', 'add', 'dev', DEVICE, 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '10gbit', 'quantum', '200000');
      tc('class', 'add', 'dev', DEVICE, 'parent', '1:', 'classid', '1:20', 'htb', 'rate', '1mbit', 'quantum', '1500');
      tc('qdisc', 'add', 'dev', DEVICE, 'parent', '1:20', 'handle', '20:', 'pfifo', 'limit', '0');
      for (const port of ports) {
        for (const direction of ['sport', 'dport']) {
          tc('filter', 'add', 'dev', DEVICE, 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32',
            'match', 'ip', 'protocol', '17', '0xff', 'match', 'ip', direction, String(port), '0xffff', 'flowid', '1:20');
          tc('filter', 'add', 'dev', DEVICE, 'parent', '1:', 'protocol', 'ipv6', 'prio', '2', 'u32',
            'match', 'ip6', 'protocol', '17', '0xff', 'match', 'ip6', direction, String(port), '0xffff', 'flowid', '1:20');
        }
      }
    } catch (error) {
      this.remove();
      throw error;
    }
  }

  remove(): void {
    if (this.removed) return;
    this.removed = true;
    tc('qdisc', 'del', 'dev', DEVICE, 'root');
  }
}
