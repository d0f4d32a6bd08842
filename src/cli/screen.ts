/**
 * What the terminal shows: the session's state turned into lines, each printed once
 * when it first becomes true (a new status, the safety code, a message, its receipt,
 * a file's progress). The session calls back after every change; this keeps what it
 * has already said so it never repeats itself.
 *
 * Everything the peer or the server chose (names, messages, file names) goes through
 * printable(), so no one can move the cursor, clear the screen or retitle the
 * terminal with an escape sequence.
 */
import { DuetError } from '../core/errors.ts';
import { describeError, formatTime, t } from '../i18n/i18n.ts';
import { IDENTITY_WARNING_CODES } from '../session/peer-trust.ts';
import type { ChatMessage, FileTransfer, PeerIdentity, SessionView } from '../session/view.ts';
import { formatBytes } from '../ui/format.ts';
import { statusText } from '../ui/status-text.ts';

/** Without control characters (C0, DEL, C1) and bidirectional overrides: text only. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').replace(/\n/g, '\n    ');
}

const DELIVERY_LABEL = { sent: 'chat.sent', delivered: 'chat.delivered', failed: 'chat.notSent' } as const;

export class Screen {
  private lastStatus = '';
  private safetyCodeShown = '';
  private verifiedShown = false;
  private typingShown = false;
  private shortCodeShown = '';
  private identityShown = '';
  private readonly messageStates = new Map<string, ChatMessage['state']>();
  private readonly transferSeen = new Map<string, string>();
  private readonly noticesShown = new Set<number>();
  /** Files are numbered in the order they appear, so a person can type /accept 2. */
  private readonly fileNumbers = new Map<string, number>();

  constructor(private readonly session: SessionView, private readonly print: (line: string) => void, private readonly savedPathOf: (id: string) => string | undefined) {}

  fileNumber(id: string): number {
    let n = this.fileNumbers.get(id);
    if (n === undefined) this.fileNumbers.set(id, (n = this.fileNumbers.size + 1));
    return n;
  }

  transferByNumber(n: number): FileTransfer | undefined {
    for (const [id, number] of this.fileNumbers) if (number === n) return this.session.transfers.find((f) => f.id === id);
    return undefined;
  }

  render(): void {
    const session = this.session;
    const peer = printable(session.peerName);
    const status = session.status;
    const text = printable(statusText(status, session.peerName));
    if (text !== this.lastStatus && status.phase !== 'lobby' && status.phase !== 'opening') {
      this.lastStatus = text;
      this.print(`* ${text}`);
      if (status.phase === 'waiting') this.printInvite();
    }
    this.printShortCode();
    if (status.phase === 'secure' && status.safetyCode !== this.safetyCodeShown) {
      this.safetyCodeShown = status.safetyCode;
      this.print(`* ${t('cli.safetyCode', { code: status.safetyCode })}`);
      this.print(`  ${t('cli.safetyHint', { name: peer })}`);
    }
    if (status.phase === 'secure' || status.phase === 'reconnecting') this.renderIdentity(session.peerIdentity, peer);
    if (session.verified && !this.verifiedShown) {
      this.verifiedShown = true;
      this.print(`* ${t('cli.verified')}`);
    }
    if (session.peerTyping !== this.typingShown) {
      this.typingShown = session.peerTyping;
      if (session.peerTyping) this.print(`  ${t('chat.typing', { name: peer })}`);
    }
    // As in the page: nothing from a peer whose identity is in doubt shows until the person chooses (/trust).
    if (!session.identityWarningPending) {
      for (const message of session.messages) this.renderMessage(message);
      for (const transfer of session.transfers) this.renderTransfer(transfer);
    }
    for (const notice of session.notices) {
      if (this.noticesShown.has(notice.id)) continue;
      this.noticesShown.add(notice.id);
      this.print(`! ${describeError(notice.error)}`);
    }
  }

  /** What this device knows of the peer's identity key (--remember), said once per change. */
  private renderIdentity(identity: PeerIdentity, peer: string): void {
    const key = JSON.stringify(identity);
    if (identity.kind === 'none' || key === this.identityShown) return;
    const before = this.identityShown;
    this.identityShown = key;
    const name = peer || t('peer.fallback');
    switch (identity.kind) {
      // Known from now on because of /verify or /trust in this session: "Verified" said it already.
      case 'known':
        if (before !== '') return;
        this.print(`* ${t(identity.verified ? 'chat.identity.knownVerified' : 'chat.identity.known', { name, fingerprint: identity.fingerprint })}`);
        return;
      case 'unchecked':
        this.print(`  ${t('chat.identity.unchecked', { name, fingerprint: identity.fingerprint })}`);
        return;
      case 'new':
        this.print(`* ${t('chat.identity.new', { name, fingerprint: identity.fingerprint })}`);
        return;
      default:
        if (identity.acknowledged) {
          if (identity.kind === 'changed') this.print(`! ${t('chat.identity.changed', { name, fingerprint: identity.fingerprint })}`);
          return;
        }
        this.print(`! ${describeError(new DuetError(IDENTITY_WARNING_CODES[identity.kind]))}`);
        this.print(`  ${t('cli.identityHeld', { name })}`);
    }
  }

  private printInvite(): void {
    const invite = this.session.invite;
    if (!invite) return;
    this.print(`  ${t('cli.link', { link: invite.link })}`);
    this.print(`  ${t('cli.code', { code: invite.code })}`);
  }

  /** The short code once the server gives one, and again each time a new one replaces it. */
  private printShortCode(): void {
    const offer = this.session.status.phase === 'waiting' ? this.session.invite?.shortCode : undefined;
    if (offer?.state !== 'ready' || offer.code === this.shortCodeShown) return;
    this.shortCodeShown = offer.code;
    this.print(`  ${t('cli.shortCode', { code: offer.code })}`);
  }

  private renderMessage(message: ChatMessage): void {
    const before = this.messageStates.get(message.id);
    if (before === message.state) return;
    this.messageStates.set(message.id, message.state);
    const text = printable(message.text);
    if (before === undefined) {
      const name = message.from === 'me' ? t('chat.you', { name: printable(message.name) }) : printable(message.name);
      this.print(`[${formatTime(new Date(message.sentAt))}] ${name}: ${text}`);
    }
    if (message.state === 'sent' || message.state === 'delivered' || message.state === 'failed') {
      const reason = message.state === 'failed' && message.error ? ` ${describeError(message.error)}` : '';
      this.print(`  ${message.state === 'delivered' ? '✓✓' : message.state === 'sent' ? '✓' : '✗'} ${t(DELIVERY_LABEL[message.state])}: ${text}${reason}`);
    }
  }

  private renderTransfer(transfer: FileTransfer): void {
    const n = this.fileNumber(transfer.id);
    const file = printable(transfer.name);
    const peer = printable(this.session.peerName);
    const percent = transfer.size === 0 ? 100 : Math.floor((transfer.done / transfer.size) * 100);
    // Progress is said every 10 %, not on each of the thousands of redraws.
    const key = `${transfer.status.stage}:${transfer.status.stage === 'transferring' ? Math.floor(percent / 10) : ''}`;
    if (this.transferSeen.get(transfer.id) === key) return;
    this.transferSeen.set(transfer.id, key);
    const size = formatBytes(transfer.size);
    const status = transfer.status;
    switch (status.stage) {
      case 'offered':
        this.print(
          transfer.direction === 'incoming'
            ? `* ${t('cli.fileOffered', { number: n, name: printable(transfer.senderName), file, size })}`
            : `* ${t('cli.fileOffering', { number: n, file, size, name: peer })}`,
        );
        return;
      case 'transferring': {
        const rate = transfer.bytesPerSecond ? ` ${t('file.speed', { size: formatBytes(transfer.bytesPerSecond) })}` : '';
        this.print(`  ${t('cli.fileProgress', { number: n, file, percent, done: formatBytes(transfer.done), total: size })}${rate}`);
        return;
      }
      case 'verifying':
        this.print(`  ${t('file.checking')}`);
        return;
      case 'complete':
        this.print(
          transfer.direction === 'incoming'
            ? `* ${t('cli.fileSaved', { number: n, path: this.savedPathOf(transfer.id) ?? file, sha256: transfer.sha256 ?? '' })}`
            : `* ${t('cli.fileDelivered', { number: n, name: peer })}`,
        );
        return;
      case 'declined':
        this.print(`* ${t('cli.fileStopped', { number: n, reason: status.by === 'me' ? t('file.declinedByMe') : t('file.declinedByPeer', { name: peer }) })}`);
        return;
      case 'cancelled':
        this.print(`* ${t('cli.fileStopped', { number: n, reason: status.by === 'me' ? t('file.cancelledByMe') : t('file.cancelledByPeer', { name: peer }) })}`);
        return;
      case 'failed':
        this.print(`! ${t('cli.fileStopped', { number: n, reason: describeError(status.error) })}`);
        return;
    }
  }
}
