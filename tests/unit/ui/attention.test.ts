import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadLocale, setLocale } from '../../../src/i18n/i18n.ts';
import type { FileTransfer } from '../../../src/session/view.ts';
import type { ChatMessage } from '../../../src/session/view.ts';
import {
  AttentionController,
  type AttentionHost,
  type NotificationState,
  canOfferNotifications,
  forgetNotificationState,
  unreadTitle,
} from '../../../src/ui/attention.ts';

beforeAll(() => loadLocale('pt-BR'));
afterEach(() => setLocale('en'));

/** The page as the controller sees it, with everything it did recorded. */
class FakePage implements AttentionHost {
  hidden = false;
  title = 'Duet';
  permission: NotificationState = 'granted';
  notifications: { title: string; options: NotificationOptions }[] = [];
  chimes = 0;
  private visibleListeners: (() => void)[] = [];

  isHidden = () => this.hidden;
  onVisible = (listener: () => void) => void this.visibleListeners.push(listener);
  setTitle = (title: string) => void (this.title = title);
  notificationPermission = () => this.permission;
  notify = (title: string, options: NotificationOptions) => void this.notifications.push({ title, options });
  chime = () => void this.chimes++;

  show(): void {
    this.hidden = false;
    for (const listener of this.visibleListeners) listener();
  }
}

let nextId = 0;
function message(from: 'me' | 'peer', text: string, name = from === 'me' ? 'Alice' : 'Bruno'): ChatMessage {
  const id = nextId++;
  return { id: String(id), from, name, text, sentAt: 0, position: id, state: from === 'me' ? 'sent' : 'received' };
}

function setup() {
  const page = new FakePage();
  const session = { messages: [] as ChatMessage[] };
  const attention = new AttentionController(() => session, page);
  const receive = (...texts: string[]) => {
    session.messages = [...session.messages, ...texts.map((text) => message('peer', text))];
    attention.update();
  };
  return { page, session, attention, receive };
}

describe('title badge', () => {
  it('counts messages from the peer that arrive while the tab is hidden, and clears when it is shown', () => {
    const { page, session, attention, receive } = setup();
    receive('seen at once');
    expect(page.title).toBe('Duet');

    page.hidden = true;
    receive('one');
    expect(page.title).toBe('(1) Duet');
    receive('two', 'three');
    expect(page.title).toBe('(3) Duet');
    // The person's own messages (sent from another window, say) never count.
    session.messages = [...session.messages, message('me', 'mine')];
    attention.update();
    expect(page.title).toBe('(3) Duet');

    page.show();
    expect(page.title).toBe('Duet');
    page.hidden = true;
    receive('four');
    expect(page.title).toBe('(1) Duet');
  });

  it('a file offered by the peer counts like a message; the person’s own files do not', () => {
    const page = new FakePage();
    const transfers: Pick<FileTransfer, 'direction' | 'senderName'>[] = [];
    const session = { messages: [] as ChatMessage[], transfers: transfers as FileTransfer[] };
    page.permission = 'granted';
    const attention = new AttentionController(() => session, page);
    page.hidden = true;
    transfers.push({ direction: 'outgoing', senderName: 'Alice' });
    attention.update();
    expect(page.title).toBe('Duet');
    transfers.push({ direction: 'incoming', senderName: 'Bruno' });
    attention.update();
    expect(page.title).toBe('(1) Duet');
    expect(page.notifications.at(-1)?.title).toBe('New message from Bruno');
  });

  it('follows the language, and starts over for a new conversation', () => {
    const { page, session, attention, receive } = setup();
    page.hidden = true;
    receive('a', 'b');
    setLocale('pt-BR');
    attention.update();
    expect(page.title).toBe('(2) Duet');
    expect(unreadTitle(1200)).toBe('(1.200) Duet');

    session.messages = [];
    attention.reset();
    expect(page.title).toBe('Duet');
    receive('new conversation');
    expect(page.title).toBe('(1) Duet');
  });
});

describe('notifications and sound', () => {
  it('a notification says who and how many, never the text', () => {
    const { page, receive } = setup();
    page.hidden = true;
    receive('the secret plan');
    receive('more secrets', 'even more');
    expect(page.notifications).toEqual([
      { title: 'New message from Bruno', options: { tag: 'duet-message', body: 'Open Duet to read it.' } },
      { title: '3 new messages from Bruno', options: { tag: 'duet-message', body: 'Open Duet to read them.' } },
    ]);
    expect(JSON.stringify(page.notifications)).not.toMatch(/secret/);
  });

  it('in Portuguese', () => {
    const { page, receive } = setup();
    setLocale('pt-BR');
    page.hidden = true;
    receive('oi');
    expect(page.notifications).toEqual([{ title: 'Nova mensagem de Bruno', options: { tag: 'duet-message', body: 'Abra o Duet para lê-la.' } }]);
  });

  it('nothing while the tab is visible, nor without permission; the sound only when switched on', () => {
    const { page, attention, receive } = setup();
    receive('visible');
    expect(page.notifications).toEqual([]);
    for (const permission of ['default', 'denied', 'unsupported'] as const) {
      page.permission = permission;
      page.hidden = true;
      receive(permission);
      expect(page.notifications, permission).toEqual([]);
    }
    expect(page.chimes).toBe(0);
    attention.soundOn = true;
    receive('ding');
    expect(page.chimes).toBe(1);
    page.show();
    receive('visible again');
    expect(page.chimes).toBe(1);
  });
});

describe('offering notifications', () => {
  it('only once a message from the peer has arrived and the person has not decided yet', () => {
    const heard = (messages: ChatMessage[]) => {
      const attention = new AttentionController(() => ({ messages }), new FakePage());
      attention.update();
      return attention;
    };
    const none = heard([]);
    const ownOnly = heard([message('me', 'hi')]);
    const received = heard([message('me', 'hi'), message('peer', 'hello')]);
    expect(canOfferNotifications(none, 'default')).toBe(false);
    expect(canOfferNotifications(ownOnly, 'default')).toBe(false);
    expect(canOfferNotifications(received, 'default')).toBe(true);
    expect(canOfferNotifications(received, 'granted')).toBe(false);
    expect(canOfferNotifications(received, 'denied')).toBe(false);
    expect(canOfferNotifications(received, 'unsupported')).toBe(false);
  });

  it('reads the browser\'s permission (a synchronous trip to its process) once, not on every render', () => {
    let reads = 0;
    let permission: NotificationPermission = 'default';
    const fake = function Notification() {} as unknown as { permission: NotificationPermission };
    Object.defineProperty(fake, 'permission', { get: () => (reads++, permission) });
    vi.stubGlobal('Notification', fake);
    try {
      forgetNotificationState();
      const none = { heardFromPeer: false };
      const received = { heardFromPeer: true };
      for (let i = 0; i < 5; i++) expect(canOfferNotifications(none)).toBe(false);
      expect(reads).toBe(0);
      for (let i = 0; i < 5; i++) expect(canOfferNotifications(received)).toBe(true);
      expect(reads).toBe(1);
      // After asking, the answer is read again.
      permission = 'granted';
      forgetNotificationState();
      expect(canOfferNotifications(received)).toBe(false);
      expect(reads).toBe(2);
    } finally {
      vi.unstubAllGlobals();
      forgetNotificationState();
    }
  });
});
