/**
 * Getting the person's attention while the tab is hidden: a count in the title,
 * a desktop notification (only once they allowed it, and never with the message
 * text, which would show on a locked screen) and an optional sound.
 */
import type { ChatSession } from '../state/chat-session.ts';

const BASE_TITLE = 'Duet';

export class AttentionController {
  private unread = 0;
  private seen = 0;
  soundOn = false;

  constructor(private readonly session: () => ChatSession | undefined) {
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) this.clear();
    });
  }

  /** Call on every session change. */
  update(): void {
    const session = this.session();
    if (!session) return;
    const fromPeer = session.messages.filter((m) => m.from === 'peer');
    const fresh = fromPeer.length - this.seen;
    this.seen = fromPeer.length;
    if (fresh <= 0 || !document.hidden) return;
    this.unread += fresh;
    document.title = `(${this.unread}) ${BASE_TITLE}`;
    const name = fromPeer.at(-1)?.name ?? 'Your peer';
    if (typeof Notification === 'function' && Notification.permission === 'granted') {
      new Notification(`New message from ${name}`, { tag: 'duet-message', body: 'Open Duet to read it.' });
    }
    if (this.soundOn) this.chime();
  }

  /** Restarts counting for a new conversation. */
  reset(): void {
    this.seen = 0;
    this.clear();
  }

  private clear(): void {
    this.unread = 0;
    document.title = BASE_TITLE;
  }

  private chime(): void {
    try {
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.08, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.25);
      tone.onended = () => void audio.close();
    } catch {
      // No audio output: the title and notification still tell.
    }
  }
}

/** Whether to offer "Notify me": supported, not yet decided, and a message has arrived. */
export function canOfferNotifications(session: ChatSession): boolean {
  return typeof Notification === 'function' && Notification.permission === 'default' && session.messages.some((m) => m.from === 'peer');
}
