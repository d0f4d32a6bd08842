/**
 * The timeline the log shows, kept incrementally: the conversation and the file
 * transfers wired to it as Session wires them, with a ManualClock and counted
 * random bytes. What is checked is structure, not time: which items are new
 * objects after a change, their order, and that no array as long as the history
 * is walked, copied or sorted for one message, receipt or typing hint.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Bytes } from '../../../src/core/bytes.ts';
import type { PeerMessage } from '../../../src/core/messages.ts';
import { type ChatMessage, Conversation } from '../../../src/session/conversation.ts';
import type { FileTransfer } from '../../../src/session/file-transfers.ts';
import { Timeline, type TimelineItem } from '../../../src/session/timeline.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

function setup() {
  const clock = new ManualClock();
  const timeline = new Timeline();
  let position = 0;
  let counter = 0;
  const sent: PeerMessage[] = [];
  const notifications: string[] = [];
  const conversation = new Conversation({
    clock,
    random: (length) => {
      const bytes = new Uint8Array(length) as Bytes;
      new DataView(bytes.buffer).setUint32(0, ++counter);
      return bytes;
    },
    send: async (message) => void sent.push(message),
    changed: (change) => {
      notifications.push(change.kind);
      if (change.kind === 'messages') timeline.showMessages(change.messages);
    },
    notify: () => {},
    nextPosition: () => ++position,
    myName: () => 'Alice',
    peerName: () => 'Bruno',
  });
  let peerIds = 0;
  const receive = (text: string) => conversation.receiveChat({ type: 'chat', id: `p${++peerIds}`, text, sentAt: 0 });
  const nextPosition = () => ++position;
  return { clock, timeline, conversation, sent, notifications, receive, nextPosition };
}

function transfer(id: string, position: number, patch: Partial<FileTransfer> = {}): FileTransfer {
  return { id, direction: 'outgoing', position, senderName: 'Alice', name: `${id}.txt`, size: 10, mime: 'text/plain', sentAt: 0, done: 0, status: { stage: 'offered' }, ...patch };
}

function describeItem(item: TimelineItem): string {
  return item.kind === 'message' ? item.message.text : `[${item.transfer.name}]`;
}

function everything(timeline: Timeline): readonly TimelineItem[] {
  return timeline.slice(0);
}

/**
 * Runs `action` while every call of the array methods that walk, copy or sort a whole
 * array (spreads aside: the iterator cannot be spied on) is recorded with the array it was called on; returns the longest such array.
 */
function longestArrayWalked(action: () => void): number {
  const methods = ['sort', 'map', 'filter', 'slice', 'concat', 'some', 'every', 'find', 'findIndex', 'indexOf', 'includes', 'forEach', 'reduce'] as const;
  const spies = methods.map((name) => vi.spyOn(Array.prototype, name));
  try {
    action();
    // Read before restoring, which forgets the calls.
    return Math.max(0, ...spies.flatMap((spy) => spy.mock.contexts.map((array) => (array as unknown[]).length)));
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('Timeline: order', () => {
  it('shows messages and files by position, a file offer that came back late in its own place, a retried file in the place of the one it replaces', () => {
    const { timeline, conversation, receive, nextPosition } = setup();
    void conversation.send('one', false);
    // A file offer takes its position now, but shows once its offer has gone out.
    const offerPosition = nextPosition();
    receive('two');
    void conversation.send('three', false);
    const offered = transfer('f1', offerPosition);
    timeline.showFiles([offered]);
    expect(everything(timeline).map(describeItem)).toEqual(['one', '[f1.txt]', 'two', 'three']);

    const failed = { ...offered, status: { stage: 'cancelled', by: 'me' } } as FileTransfer;
    timeline.showFiles([failed]);
    const retried = transfer('f2', offerPosition);
    timeline.showFiles([retried]);
    expect(everything(timeline).map(describeItem)).toEqual(['one', '[f2.txt]', 'two', 'three']);
    expect(everything(timeline)[1]).toMatchObject({ kind: 'file', key: 'file:f2', transfer: retried });
    expect(timeline.length).toBe(4);
  });

  it('keeps a peer message whose id equals one of ours apart from it', () => {
    const { timeline, conversation } = setup();
    void conversation.send('mine', false);
    const ownId = conversation.messages[0]!.id;
    conversation.receiveChat({ type: 'chat', id: ownId, text: 'theirs', sentAt: 0 });
    conversation.receiveReceipt([ownId]);
    expect(everything(timeline).map((item) => (item.kind === 'message' ? `${item.message.text}:${item.message.state}` : ''))).toEqual(['mine:delivered', 'theirs:received']);
  });

  it('a window is a slice of the newest items, oldest first', () => {
    const { timeline, receive } = setup();
    for (let i = 1; i <= 10; i++) receive(`m${i}`);
    expect(timeline.slice(7).map(describeItem)).toEqual(['m8', 'm9', 'm10']);
    expect(timeline.slice(2, 4).map(describeItem)).toEqual(['m3', 'm4']);
  });
});

describe('Timeline: one change, one item', () => {
  it('a receipt replaces exactly the item of the message it acknowledges; every other item is the same object', async () => {
    const { timeline, conversation, sent, receive } = setup();
    for (let i = 0; i < 50; i++) {
      await conversation.send(`mine ${i}`, true);
      receive(`theirs ${i}`);
    }
    const before = everything(timeline);
    const acknowledged = (sent.filter((m) => m.type === 'chat')[20] as { id: string }).id;
    conversation.receiveReceipt([acknowledged]);
    const after = everything(timeline);
    expect(after).toHaveLength(before.length);
    const replaced = after.filter((item, index) => item !== before[index]);
    expect(replaced).toHaveLength(1);
    expect(replaced[0]).toMatchObject({ kind: 'message', message: { id: acknowledged, text: 'mine 20', state: 'delivered' } });
    // The message objects too: the conversation replaced one, and only one.
    expect(conversation.messages.filter((m, index) => m !== (before[index] as { message: ChatMessage }).message)).toHaveLength(1);
  });

  it('a file\'s progress replaces its card\'s item only', () => {
    const { timeline, receive, nextPosition } = setup();
    receive('before');
    const file = transfer('f1', nextPosition());
    timeline.showFiles([file]);
    receive('after');
    const before = everything(timeline);
    timeline.showFiles([{ ...file, done: 5, status: { stage: 'transferring' } }]);
    const after = everything(timeline);
    expect(after.filter((item, index) => item !== before[index]).map(describeItem)).toEqual(['[f1.txt]']);
    // Shown again unchanged: nothing is replaced.
    const same = everything(timeline);
    timeline.showFiles([after[1]!.kind === 'file' ? after[1]!.transfer : file]);
    expect(everything(timeline)).toEqual(same);
    expect(everything(timeline).every((item, index) => item === same[index])).toBe(true);
  });

  it('a typing hint changes no item', () => {
    const { timeline, conversation, receive, notifications } = setup();
    receive('hello');
    const before = everything(timeline);
    conversation.receiveTyping();
    expect(notifications.at(-1)).toBe('typing');
    expect(everything(timeline)[0]).toBe(before[0]);
  });
});

describe('Timeline: the cost of a change does not grow with the conversation', () => {
  it('at 5,000 messages, sending, receiving, a receipt and a typing hint walk no array longer than a handful', async () => {
    const { timeline, conversation, receive, sent } = setup();
    for (let i = 0; i < 2500; i++) {
      await conversation.send(`mine ${i}`, true);
      receive(`theirs ${i}`);
    }
    expect(timeline.length).toBe(5000);
    const firstItem = everything(timeline)[0];
    // Appending does not copy the history (a spread would make a new array).
    const history = conversation.messages;
    const ownIds = sent.filter((m) => m.type === 'chat').map((m) => (m as { id: string }).id);

    expect(longestArrayWalked(() => void conversation.send('one more', false))).toBeLessThan(10);
    expect(longestArrayWalked(() => receive('and another'))).toBeLessThan(10);
    const acknowledged = ownIds.slice(100, 104);
    expect(longestArrayWalked(() => conversation.receiveReceipt(acknowledged))).toBeLessThan(10);
    // A duplicate (a resend after a reconnection) is recognised without a search.
    expect(longestArrayWalked(() => conversation.receiveChat({ type: 'chat', id: 'p7', text: 'theirs 6', sentAt: 0 }))).toBeLessThan(10);
    expect(longestArrayWalked(() => conversation.receiveTyping())).toBeLessThan(10);
    expect(timeline.length).toBe(5002);
    expect(conversation.messages).toBe(history);
    expect(everything(timeline)[0]).toBe(firstItem);
    expect(everything(timeline).slice(-2).map(describeItem)).toEqual(['one more', 'and another']);
  });
});
