/**
 * Conversation alone: own messages through sending → sent → delivered (or failed and
 * retried), the outbox, receipts in bursts, typing hints, duplicates by id. The host
 * records every record it is asked to send; time is a ManualClock.
 */
import { describe, expect, it } from 'vitest';
import { type Bytes, toBase64Url } from '../../../src/core/bytes.ts';
import { DuetError } from '../../../src/core/errors.ts';
import { MAX_MESSAGE_LENGTH, MAX_RECEIPT_IDS, type PeerMessage } from '../../../src/core/messages.ts';
import { Conversation, type ConversationHost } from '../../../src/session/conversation.ts';
import { ManualClock, settle } from '../helpers/manual-clock.ts';
import { recordingHost } from '../helpers/recording-host.ts';

function setup() {
  const clock = new ManualClock();
  let position = 0;
  let counter = 0;
  /** Whether the channel takes records now. */
  const channel = { up: true };
  const recording = recordingHost<ConversationHost>({
    clock,
    random: (length) => {
      const bytes = new Uint8Array(length);
      bytes[0] = ++counter;
      return bytes as Bytes;
    },
    send: async () => {
      if (!channel.up) throw new DuetError('not-connected');
    },
    nextPosition: () => ++position,
    myName: () => 'Alice',
    peerName: () => 'Bruno',
  });
  const conversation = new Conversation(recording.host);
  const sent = () => recording.argsOf('send').map(([message]) => message as PeerMessage);
  const states = () => conversation.messages.map((m) => `${m.from}:${m.text}:${m.state}`);
  return { clock, channel, conversation, sent, states, ...recording };
}

const chat = (id: string, text: string): Extract<PeerMessage, { type: 'chat' }> => ({ type: 'chat', id, text, sentAt: 1000 });

describe('Conversation: own messages', () => {
  it('a message shows at once as sending, goes on the wire with its id and time, then is sent', async () => {
    const { clock, conversation, sent, states } = setup();
    clock.advance(1234);
    const sending = conversation.send('hello', true);
    expect(states()).toEqual(['me:hello:sending']);
    await sending;
    expect(states()).toEqual(['me:hello:sent']);
    const [message] = conversation.messages;
    expect(message).toMatchObject({ from: 'me', name: 'Alice', sentAt: 1234, position: 1 });
    expect(message!.id).toBe(toBase64Url(Uint8Array.from([1, ...new Array(11).fill(0)])));
    expect(sent()).toEqual([{ type: 'chat', id: message!.id, text: 'hello', sentAt: 1234 }]);
  });

  it('blank text is ignored; text over the limit is refused with message-too-long and nothing shows', async () => {
    const { conversation, sent, names } = setup();
    await conversation.send('  \n\t ', true);
    await expect(conversation.send('x'.repeat(MAX_MESSAGE_LENGTH + 1), true)).rejects.toMatchObject({ code: 'message-too-long' });
    expect(conversation.messages).toEqual([]);
    expect(sent()).toEqual([]);
    expect(names()).toEqual([]);
  });

  it('a message the channel refuses is failed with the error; retry sends it again with the same id', async () => {
    const { channel, conversation, sent, states } = setup();
    channel.up = false;
    await conversation.send('first', true);
    expect(states()).toEqual(['me:first:failed']);
    expect(conversation.messages[0]!.error).toMatchObject({ code: 'not-connected' });
    channel.up = true;
    expect(await conversation.retry('no-such-id')).toBe(false);
    expect(await conversation.retry(conversation.messages[0]!.id)).toBe(true);
    expect(states()).toEqual(['me:first:sent']);
    expect(conversation.messages[0]!.error).toBeUndefined();
    expect(sent().map((m) => (m as { id: string }).id)).toEqual([conversation.messages[0]!.id, conversation.messages[0]!.id]);
    // Only a failed message can be retried.
    expect(await conversation.retry(conversation.messages[0]!.id)).toBe(false);
  });

  it('the outbox: messages written while reconnecting wait, then go again in order with the same ids, with everything not yet delivered', async () => {
    const { conversation, sent, states } = setup();
    await conversation.send('delivered already', true);
    await conversation.send('sent, no receipt', true);
    conversation.receiveReceipt([conversation.messages[0]!.id]);
    await conversation.send('written offline', false);
    expect(states()).toEqual(['me:delivered already:delivered', 'me:sent, no receipt:sent', 'me:written offline:sending']);
    expect(sent()).toHaveLength(2);
    conversation.resendOutbox();
    expect(states()).toEqual(['me:delivered already:delivered', 'me:sent, no receipt:sending', 'me:written offline:sending']);
    await settle();
    expect(states()).toEqual(['me:delivered already:delivered', 'me:sent, no receipt:sent', 'me:written offline:sent']);
    expect(sent().slice(2).map((m) => (m as { text: string }).text)).toEqual(['sent, no receipt', 'written offline']);
    expect(sent()[2]).toMatchObject({ id: conversation.messages[1]!.id });
  });

  it('a receipt marks messages delivered (even failed ones), and only own messages', async () => {
    const { channel, conversation, states } = setup();
    channel.up = false;
    await conversation.send('mine', true);
    conversation.receiveChat(chat('peer-message-1', 'theirs'));
    conversation.receiveReceipt([conversation.messages[0]!.id, 'peer-message-1', 'unknown-id']);
    expect(states()).toEqual(['me:mine:delivered', 'peer:theirs:received']);
    expect(conversation.messages[0]!.error).toBeUndefined();
  });
});

describe('Conversation: the peer\'s messages', () => {
  it('arrive with the peer\'s name and a position; a duplicate id shows once but is receipted again', async () => {
    const { conversation, sent, states } = setup();
    conversation.receiveChat(chat('peer-message-1', 'hi'));
    await settle();
    conversation.receiveChat(chat('peer-message-1', 'hi'));
    await settle();
    expect(states()).toEqual(['peer:hi:received']);
    expect(conversation.messages[0]).toMatchObject({ name: 'Bruno', position: 1, sentAt: 1000 });
    expect(sent()).toEqual([
      { type: 'receipt', ids: ['peer-message-1'] },
      { type: 'receipt', ids: ['peer-message-1'] },
    ]);
  });

  it('a burst of messages is acknowledged by one receipt, split at the receipt limit', async () => {
    const { conversation, sent } = setup();
    const count = MAX_RECEIPT_IDS + 3;
    for (let i = 0; i < count; i++) conversation.receiveChat(chat(`peer-message-${i}`, `m${i}`));
    expect(sent()).toEqual([]);
    await settle();
    const receipts = sent() as Extract<PeerMessage, { type: 'receipt' }>[];
    expect(receipts.map((r) => r.ids.length)).toEqual([MAX_RECEIPT_IDS, 3]);
    expect(receipts.flatMap((r) => r.ids)).toEqual(Array.from({ length: count }, (_, i) => `peer-message-${i}`));
  });

  it('a receipt that cannot be sent is a notice', async () => {
    const { channel, conversation, argsOf } = setup();
    channel.up = false;
    conversation.receiveChat(chat('peer-message-1', 'hi'));
    await settle();
    expect(argsOf('notify')).toEqual([[expect.objectContaining({ code: 'not-connected' })]]);
  });
});

describe('Conversation: typing', () => {
  it('the peer typing shows for 5 s, is renewed by another hint, and cleared by their message', () => {
    const { clock, conversation } = setup();
    conversation.receiveTyping();
    expect(conversation.peerTyping).toBe(true);
    clock.advance(4000);
    conversation.receiveTyping();
    clock.advance(4000);
    expect(conversation.peerTyping).toBe(true);
    clock.advance(1000);
    expect(conversation.peerTyping).toBe(false);
    conversation.receiveTyping();
    conversation.receiveChat(chat('peer-message-1', 'done typing'));
    expect(conversation.peerTyping).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('this side says it is typing at most once every 3 s, and again at once after sending a message', async () => {
    const { clock, conversation, sent } = setup();
    const typing = () => sent().filter((m) => m.type === 'typing').length;
    conversation.notifyTyping();
    conversation.notifyTyping();
    clock.advance(2999);
    conversation.notifyTyping();
    expect(typing()).toBe(1);
    clock.advance(1);
    conversation.notifyTyping();
    expect(typing()).toBe(2);
    await conversation.send('sent', true);
    conversation.notifyTyping();
    expect(typing()).toBe(3);
  });

  it('a typing hint that cannot be sent is not even a notice', async () => {
    const { channel, conversation, names } = setup();
    channel.up = false;
    conversation.notifyTyping();
    await settle();
    expect(names()).toEqual(['send']);
  });
});

describe('Conversation: clearPeer', () => {
  it('owes no receipts, shows nobody typing, and keeps the history', async () => {
    const { clock, conversation, sent } = setup();
    await conversation.send('mine', true);
    conversation.receiveTyping();
    conversation.receiveChat(chat('peer-message-1', 'theirs'));
    conversation.receiveTyping();
    conversation.clearPeer();
    await settle();
    expect(sent().filter((m) => m.type === 'receipt')).toEqual([]);
    expect(conversation.peerTyping).toBe(false);
    expect(clock.pending).toBe(0);
    expect(conversation.messages.map((m) => m.text)).toEqual(['mine', 'theirs']);
  });
});
