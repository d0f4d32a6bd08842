import { describeError, errorSentence, t } from '../i18n/i18n.ts';
import type { SessionStatus } from '../session/view.ts';

/** The plain sentence for each phase, in the current language. Never claims "encrypted" before the handshake completed. */
export function statusText(status: SessionStatus, peerName: string): string {
  const name = peerName || t('peer.fallback');
  switch (status.phase) {
    case 'lobby':
      return t('status.lobby');
    case 'opening':
      return t('status.opening');
    case 'waiting':
      return t('status.waiting');
    case 'connecting':
      return t('status.connecting');
    case 'securing':
      return t('status.securing');
    case 'reconnecting':
      return t('status.reconnecting', { name, reason: errorSentence(status.reason.code) });
    case 'secure':
      return t('status.secure', { name });
    case 'ended':
      return status.reason === 'peer-left' ? t('status.peerLeft', { name: peerName || t('peer.fallbackStart') }) : t('status.youLeft');
    case 'failed':
      return describeError(status.error);
  }
}
