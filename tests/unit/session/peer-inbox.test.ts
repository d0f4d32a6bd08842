/**
 * PeerInbox alone: the peer's messages handled one at a time, in order, each routed to
 * the unit that owns it. The conversation, the trust check and the files are recording
 * stand-ins sharing one log, so the order across them shows.
 */
import { describe, expect, it } from 'vitest';
import type { Bytes } from '../../../src/core/bytes.ts';
import { DuetError } from '../../../src/core/errors.ts';
import type { PeerMessage } from '../../../src/core/messages.ts';
import type { Conversation } from '../../../src/session/conversation.ts';
import type { FileTransfers } from '../../../src/session/file-transfers.ts';
import { PeerInbox, type PeerInboxHost } from '../../../src/session/peer-inbox.ts';
import type { PeerIdentity, PeerTrust } from '../../../src/session/peer-trust.ts';
import { settle } from '../helpers/manual-clock.ts';
import { type Call, recordingHost } from '../helpers/recording-host.ts';

const HASH = new Uint8Array(32).fill(3) as Bytes;
const proof = { publicKey: 'public-key', signature: 'signature' };

function setup(behaviour: { checkPeer?: PeerTrust['checkPeer']; receiveChat?: Conversation['receiveChat']; receiveFile?: FileTransfers['receive'] } = {}) {
  const log: Call[] = [];
  const conversation = recordingHost<Conversation>(behaviour.receiveChat ? { receiveChat: behaviour.receiveChat } : {}, log, 'conversation.').host;
  const trust = recordingHost<PeerTrust>(
    { checkPeer: behaviour.checkPeer ?? (async (): Promise<PeerIdentity> => ({ kind: 'none' })) },
    log,
    'trust.',
  ).host;
  const files = recordingHost<FileTransfers>({ receive: behaviour.receiveFile ?? (async () => {}) }, log, 'files.').host;
  const recording = recordingHost<PeerInboxHost>({ conversation, trust, files, transcriptHash: () => HASH }, log);
  const inbox = new PeerInbox(recording.host);
  return { inbox, log, ...recording };
}

/** Gate a promise: it resolves when the test says so. */
function gate<T>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

const chat: PeerMessage = { type: 'chat', id: 'message-id-1', text: 'hi', sentAt: 5 };

describe('PeerInbox', () => {
  it('a chat after the profile waits until the identity check of the profile is done', async () => {
    const check = gate<PeerIdentity>();
    const { inbox, names, argsOf } = setup({ checkPeer: () => check.promise });
    inbox.receive({ type: 'profile', name: 'Bruno', identity: proof });
    inbox.receive(chat);
    await settle();
    expect(names()).toEqual(['setPeerName', 'transcriptHash', 'trust.checkPeer']);
    check.open({ kind: 'new', fingerprint: 'f' });
    await inbox.settled();
    expect(names()).toEqual(['setPeerName', 'transcriptHash', 'trust.checkPeer', 'changed', 'conversation.receiveChat']);
    expect(argsOf('trust.checkPeer')).toEqual([['Bruno', proof, HASH]]);
    expect(argsOf('setPeerName')).toEqual([['Bruno']]);
  });

  it('routes each message to its owner, in the order received', async () => {
    const { inbox, names, argsOf } = setup();
    const messages: PeerMessage[] = [
      { type: 'receipt', ids: ['message-id-1'] },
      { type: 'typing' },
      { type: 'keepalive' },
      { type: 'file-accept', id: 'file-id-0001' },
      chat,
      { type: 'bye' },
    ];
    for (const message of messages) inbox.receive(message);
    await inbox.settled();
    expect(names()).toEqual(['conversation.receiveReceipt', 'conversation.receiveTyping', 'files.receive', 'conversation.receiveChat', 'peerGone']);
    expect(argsOf('conversation.receiveReceipt')).toEqual([[['message-id-1']]]);
    expect(argsOf('files.receive')).toEqual([[{ type: 'file-accept', id: 'file-id-0001' }]]);
    expect(argsOf('conversation.receiveChat')).toEqual([[chat]]);
  });

  it('a message that fails to apply is a notice, and the ones after it are still handled', async () => {
    const { inbox, names, argsOf } = setup({
      checkPeer: () => Promise.reject(new DuetError('storage-unavailable', 'gone')),
      receiveChat: () => {
        throw new Error('not a DuetError');
      },
    });
    inbox.receive({ type: 'profile', name: 'Bruno' });
    inbox.receive(chat);
    inbox.receive({ type: 'typing' });
    await inbox.settled();
    expect(names()).toEqual(['setPeerName', 'transcriptHash', 'trust.checkPeer', 'notify', 'conversation.receiveChat', 'notify', 'conversation.receiveTyping']);
    expect(argsOf('notify').map(([error]) => (error as DuetError).code)).toEqual(['storage-unavailable', 'record-malformed']);
  });

  it('expectIntroduction resolves once the next profile was handled; clearPeer drops the wait', async () => {
    const { inbox } = setup();
    let introduced = 0;
    void inbox.expectIntroduction().then(() => introduced++);
    inbox.receive(chat);
    await inbox.settled();
    await settle();
    expect(introduced).toBe(0);
    inbox.receive({ type: 'profile', name: 'Bruno' });
    await inbox.settled();
    await settle();
    expect(introduced).toBe(1);

    let late = 0;
    void inbox.expectIntroduction().then(() => late++);
    inbox.clearPeer();
    inbox.receive({ type: 'profile', name: 'Carla' });
    await inbox.settled();
    await settle();
    expect(late).toBe(0);
  });

  it('a chat behind 100 file chunks still being written shows at once; the goodbye waits for the file data', async () => {
    const writes = gate<void>();
    const { inbox, names } = setup({ receiveFile: (message) => (message.type === 'file-chunk' ? writes.promise : Promise.resolve()) });
    for (let index = 0; index < 100; index++) inbox.receive({ type: 'file-chunk', id: 'file-id-0001', index, data: new Uint8Array(4) as Bytes });
    inbox.receive(chat);
    inbox.receive({ type: 'bye' });
    await settle();
    // Every chunk was handed on in order, the chat handled though none of them is written yet.
    expect(names()).toEqual([...Array(100).fill('files.receive'), 'conversation.receiveChat']);
    writes.open();
    await inbox.settled();
    expect(names().slice(-2)).toEqual(['conversation.receiveChat', 'peerGone']);
  });
});
