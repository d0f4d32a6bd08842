import type { SessionStatus } from '../state/chat-session.ts';

/** The plain sentence for each phase. Never claims "encrypted" before the handshake completed. */
export function statusText(status: SessionStatus, peerName: string): string {
  switch (status.phase) {
    case 'lobby':
      return 'Not connected';
    case 'opening':
      return 'Opening the room…';
    case 'waiting':
      return 'Waiting for your peer to join…';
    case 'connecting':
      return 'Connecting to your peer…';
    case 'securing':
      return 'Securing the connection…';
    case 'reconnecting':
      return `Reconnecting to ${peerName || 'your peer'}… (${status.reason.userMessage}) Messages you write now are sent once reconnected.`;
    case 'secure':
      return `Secure: end-to-end encrypted with ${peerName || 'your peer'}`;
    case 'ended':
      return status.reason === 'peer-left' ? `${peerName || 'Your peer'} left` : 'You left the conversation';
    case 'failed':
      return `${status.error.userMessage} [${status.error.code}]`;
  }
}
