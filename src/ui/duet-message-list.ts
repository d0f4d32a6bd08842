import { html, nothing, type PropertyValues } from 'lit';
import { customElement, query } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { toDuetError } from '../core/errors.ts';
import { formatTime, t } from '../i18n/i18n.ts';
import type { ChatMessage, FileTransfer, SessionView } from '../session/view.ts';
import { sendReport } from './chat-events.ts';
import './duet-file-card.ts';
import { duetMessageListStyles } from './duet-message-list.styles.ts';
import { SessionConsumer } from './session-context.ts';

/**
 * The conversation's log: messages and file cards in the order they happened, with
 * each own message's delivery state. Peer text is only ever rendered as text.
 * A failed retry is reported to duet-chat as a `send-report` event.
 */
@customElement('duet-message-list')
export class DuetMessageList extends SessionConsumer {
  @query('.log') private log!: HTMLDivElement;
  private renderedCount = 0;

  static override styles = duetMessageListStyles;

  /** Follows the newest entry: scrolls to the bottom whenever one is added. */
  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    const count = (this.session?.messages.length ?? 0) + (this.session?.transfers.length ?? 0);
    if (count !== this.renderedCount && this.log) {
      this.renderedCount = count;
      this.log.scrollTop = this.log.scrollHeight;
    }
  }

  override render() {
    const session = this.session;
    if (!session) return nothing;
    return html`<div class="log" role="log" aria-label=${t('chat.messages')} aria-live="polite">
      ${session.messages.length === 0 && session.transfers.length === 0 ? html`<p class="empty">${t('chat.empty')}</p>` : nothing}
      <ol>
        ${repeat(
          timeline(session),
          (item) => (item.kind === 'message' ? `${item.message.from}:${item.message.id}` : `file:${item.transfer.id}`),
          (item) => (item.kind === 'message' ? this.renderMessage(item.message) : this.renderTransfer(item.transfer)),
        )}
      </ol>
    </div>`;
  }

  private renderMessage(message: ChatMessage) {
    const when = new Date(message.sentAt);
    return html`<li class=${message.from} data-state=${message.state}>
      <div class="meta"><strong>${message.from === 'me' ? t('chat.you', { name: message.name }) : message.name || t('peer.fallbackStart')}</strong><time datetime=${when.toISOString()}>${formatTime(when)}</time></div>
      <p class="text">${message.text}</p>
      ${message.from === 'me' ? this.renderDelivery(message) : nothing}
    </li>`;
  }

  private renderTransfer(transfer: FileTransfer) {
    return html`<li class="file ${transfer.direction === 'outgoing' ? 'me' : 'peer'}" data-state=${transfer.status.stage}>
      <duet-file-card .transfer=${transfer}></duet-file-card>
    </li>`;
  }

  private renderDelivery(message: ChatMessage) {
    switch (message.state) {
      case 'sending':
        return html`<span class="delivery">${t('chat.sending')}</span>`;
      case 'sent':
        return html`<span class="delivery">${t('chat.sent')}</span>`;
      case 'delivered':
        return html`<span class="delivery">${t('chat.delivered')}</span>`;
      case 'failed':
        return html`<span class="delivery error"
          >${t('chat.notSent')}${message.error ? ` [${message.error.code}]` : ''}
          <button type="button" class="secondary retry" ?disabled=${!this.session?.canSend} @click=${() => void this.retry(message.id)}>${t('chat.retry')}</button></span
        >`;
      default:
        return nothing;
    }
  }

  private async retry(id: string): Promise<void> {
    try {
      await this.session?.retry(id);
    } catch (error) {
      this.dispatchEvent(sendReport({ kind: 'failed', error: toDuetError(error, 'not-connected') }));
    }
  }
}

type TimelineItem = { kind: 'message'; position: number; message: ChatMessage } | { kind: 'file'; position: number; transfer: FileTransfer };

/** Messages and files in the order they happened here. */
function timeline(session: SessionView): TimelineItem[] {
  const items: TimelineItem[] = [
    ...session.messages.map((message): TimelineItem => ({ kind: 'message', position: message.position, message })),
    ...session.transfers.map((transfer): TimelineItem => ({ kind: 'file', position: transfer.position, transfer })),
  ];
  return items.sort((a, b) => a.position - b.position);
}

declare global {
  interface HTMLElementTagNameMap {
    'duet-message-list': DuetMessageList;
  }
}
