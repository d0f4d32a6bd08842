/**
 * Getting the person's attention while the tab is hidden: a count in the title,
 * a desktop notification (only once they allowed it, and never with the message
 * text, which would show on a locked screen) and an optional sound.
 * The browser is reached only through an AttentionHost, so the logic runs in Node tests.
 */
import { t, tPlural } from '../i18n/i18n.ts';
import type { SessionView } from '../session/view.ts';

export type NotificationState = NotificationPermission | 'unsupported';

/** What the controller needs from the page. */
export interface AttentionHost {
  isHidden(): boolean;
  /** Calls `listener` whenever the tab becomes visible again. */
  onVisible(listener: () => void): void;
  setTitle(title: string): void;
  notificationPermission(): NotificationState;
  notify(title: string, options: NotificationOptions): void;
  chime(): void;
}

/** The document title: the app's name, with the unread count in front while there is one. */
export function unreadTitle(unread: number): string {
  return unread > 0 ? t('attention.titleUnread', { count: unread }) : t('app.name');
}

/** The desktop notification for `unread` messages from `peerName`: who, how many, never what. */
export function unreadNotification(peerName: string, unread: number): { title: string; options: NotificationOptions } {
  const name = peerName || t('peer.fallback');
  return {
    title: tPlural('attention.notification', unread, { name }),
    options: { tag: 'duet-message', body: tPlural('attention.body', unread, {}) },
  };
}

export class AttentionController {
  private unread = 0;
  private seen = 0;
  /** Messages already looked at (the list only grows), and how many of them came from the peer: a change costs the same at any length. */
  private scanned = 0;
  private fromPeer = 0;
  private lastPeerName = '';
  soundOn = false;

  constructor(
    private readonly session: () => (Pick<SessionView, 'messages'> & Partial<Pick<SessionView, 'transfers'>>) | undefined,
    private readonly host: AttentionHost = browserAttentionHost(),
  ) {
    host.onVisible(() => this.clear());
  }

  /** Call on every session change (and language switch: the title follows it). */
  update(): void {
    const session = this.session();
    if (!session) return;
    const messages = session.messages;
    for (; this.scanned < messages.length; this.scanned++) {
      const message = messages[this.scanned]!;
      if (message.from !== 'peer') continue;
      this.fromPeer += 1;
      this.lastPeerName = message.name;
    }
    // A file offered by the peer wants attention like a message does (files are few: they are counted afresh).
    const offers = (session.transfers ?? []).filter((transfer) => transfer.direction === 'incoming');
    const fresh = this.fromPeer + offers.length - this.seen;
    this.seen = this.fromPeer + offers.length;
    if (fresh <= 0 || !this.host.isHidden()) {
      this.host.setTitle(unreadTitle(this.unread));
      return;
    }
    this.unread += fresh;
    this.host.setTitle(unreadTitle(this.unread));
    if (this.host.notificationPermission() === 'granted') {
      const { title, options } = unreadNotification(this.lastPeerName || offers.at(-1)?.senderName || '', this.unread);
      this.host.notify(title, options);
    }
    if (this.soundOn) this.host.chime();
  }

  /** A message from the peer has arrived in this conversation (as of the last update()). */
  get heardFromPeer(): boolean {
    return this.fromPeer > 0;
  }

  /** Restarts counting for a new conversation. */
  reset(): void {
    this.seen = 0;
    this.scanned = 0;
    this.fromPeer = 0;
    this.lastPeerName = '';
    this.clear();
  }

  private clear(): void {
    this.unread = 0;
    this.host.setTitle(unreadTitle(0));
  }
}

function notificationState(): NotificationState {
  return typeof Notification === 'function' ? Notification.permission : 'unsupported';
}

let knownPermission: NotificationState | undefined;

/**
 * The permission as last read. Reading `Notification.permission` is a synchronous
 * round trip to the browser process (milliseconds, measured in Chromium), too slow
 * for every render; forgetNotificationState() makes the next call read it again.
 */
function rememberedNotificationState(): NotificationState {
  return (knownPermission ??= notificationState());
}

/** After asking for the permission (or anything else that may have changed it). */
export function forgetNotificationState(): void {
  knownPermission = undefined;
}

/** The real page: document visibility and title, the Notification API, a short tone. */
export function browserAttentionHost(): AttentionHost {
  return {
    isHidden: () => document.hidden,
    onVisible: (listener) =>
      document.addEventListener('visibilitychange', () => {
        if (!document.hidden) listener();
      }),
    setTitle: (title) => {
      if (document.title !== title) document.title = title;
    },
    notificationPermission: notificationState,
    notify: (title, options) => void new Notification(title, options),
    chime,
  };
}

function chime(): void {
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

/** Whether to offer "Notify me": supported, not yet decided, and a message has arrived. */
export function canOfferNotifications(attention: Pick<AttentionController, 'heardFromPeer'>, permission?: NotificationState): boolean {
  if (!attention.heardFromPeer) return false;
  return (permission ?? rememberedNotificationState()) === 'default';
}
