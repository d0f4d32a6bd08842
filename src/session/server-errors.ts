/**
 * What an error from the signaling server means, by phase. Finding the room again
 * (reconnecting, or rejoining while secure after the server drained): the server may
 * have restarted (no room: make it again), the peer may have made it first (join it),
 * or the peer is not back yet (wait). Before the peer connection exists, a refusal ends
 * the attempt (room full, no such room); afterwards it is only a notice.
 */
import type { SessionStatus } from './phases.ts';

export type ServerErrorVerdict = 'create-room' | 'join-room' | 'ignore' | 'notify' | 'fail';

export function judgeServerError(code: string, phase: SessionStatus['phase'], connecting: 'attempt-under-way' | 'no-attempt'): ServerErrorVerdict {
  // Turned out by the peer before the conversation was secure: there is nothing to wait for.
  if (code === 'evicted' && phase !== 'secure' && phase !== 'reconnecting') return 'fail';
  if (phase === 'reconnecting' || phase === 'secure') {
    if (code === 'room-not-found') return 'create-room';
    if (code === 'room-exists') return 'join-room';
  }
  if (phase === 'reconnecting') return code === 'no-peer' || code === 'already-in-room' ? 'ignore' : 'notify';
  // A signal of an attempt that has just ended reached the server after the peer left
  // (its 'peer-left' came first and we wait again): nobody missed anything.
  if (code === 'no-peer' && phase === 'waiting') return 'ignore';
  if (phase === 'opening' || phase === 'waiting' || (phase === 'connecting' && connecting === 'no-attempt')) return 'fail';
  return 'notify';
}
