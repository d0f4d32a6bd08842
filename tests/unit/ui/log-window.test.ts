import { describe, expect, it } from 'vitest';
import { LogWindow } from '../../../src/ui/log-window.ts';

describe('LogWindow', () => {
  it('renders only the newest items while following, sliding as they come', () => {
    const window = new LogWindow(300, 200);
    expect(window.update(10, 'peer')).toBe(true);
    expect(window.start).toBe(0);
    expect(window.hasEarlier).toBe(false);
    expect(window.update(3000, 'peer')).toBe(true);
    expect(window.start).toBe(2700);
    expect(window.update(3001, 'peer')).toBe(true);
    expect(window.start).toBe(2701);
    expect(window.hasEarlier).toBe(true);
    // Nothing new (a receipt replaced an item): no scroll.
    expect(window.update(3001, 'peer')).toBe(false);
  });

  it('brings earlier items back a page at a time, down to the first', () => {
    const window = new LogWindow(300, 200);
    window.update(650, 'peer');
    expect(window.start).toBe(350);
    window.atBottom(false);
    window.showEarlier();
    expect(window.start).toBe(150);
    window.showEarlier();
    expect(window.start).toBe(0);
    expect(window.hasEarlier).toBe(false);
    // New items while reading up there do not take the earlier ones away.
    window.update(651, 'peer');
    expect(window.start).toBe(0);
  });

  it('while the reader is up the log, a peer\'s message does not move them: "New messages" instead, until they are back or jump', () => {
    const window = new LogWindow(300, 200);
    window.update(400, 'peer');
    window.atBottom(false);
    expect(window.update(401, 'peer')).toBe(false);
    expect(window.unseen).toBe(true);
    expect(window.start).toBe(100);
    window.atBottom(true);
    expect(window.unseen).toBe(false);

    window.atBottom(false);
    window.update(402, 'peer');
    expect(window.unseen).toBe(true);
    window.jumpToNewest();
    expect(window.unseen).toBe(false);
    expect(window.start).toBe(102);
    expect(window.update(403, 'peer')).toBe(true);
  });

  it('sending something takes the reader to it', () => {
    const window = new LogWindow(300, 200);
    window.update(20, 'peer');
    window.atBottom(false);
    expect(window.update(21, 'own')).toBe(true);
    expect(window.unseen).toBe(false);
  });

  it('starts again at the end of another conversation', () => {
    const window = new LogWindow(300, 200);
    window.update(1000, 'peer');
    window.atBottom(false);
    window.update(1001, 'peer');
    expect(window.update(0, 'peer')).toBe(false);
    expect(window.start).toBe(0);
    expect(window.unseen).toBe(false);
    expect(window.update(1, 'peer')).toBe(true);
  });
});
