import { html, nothing } from 'lit';
import { customElement, query } from 'lit/decorators.js';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { toDuetError } from '../core/errors.ts';
import { currentLocale, formatTime, t } from '../i18n/i18n.ts';
import type { ChatMessage, FileTransfer, TimelineItem } from '../session/view.ts';
import { sendReport } from './chat-events.ts';
import './duet-file-card.ts';
import { duetMessageListStyles } from './duet-message-list.styles.ts';
import { LogWindow } from './log-window.ts';
import { SessionConsumer } from './session-context.ts';

/**
 * The conversation's log: messages and file cards in the order they happened, with
 * each own message's delivery state. Peer text is only ever rendered as text.
 *
 * A long conversation costs what its last few hundred items cost: only a window of the
 * timeline is rendered (LogWindow), each item keyed so Lit moves nothing, and a message
 * whose object did not change is not even re-evaluated. Earlier items come back with
 * "Show earlier messages". The log follows the newest item only while the reader is at
 * the bottom, which an IntersectionObserver on a sentinel there tells without any layout
 * read per message; otherwise "New messages" appears. Scrolling to the bottom is done at
 * most once per frame.
 * A failed retry is reported to duet-chat as a `send-report` event.
 */
@customElement('duet-message-list')
export class DuetMessageList extends SessionConsumer {
  @query('.log') private log!: HTMLDivElement;
  @query('.end') private sentinel!: HTMLDivElement;
  private readonly window = new LogWindow();
  private observer: IntersectionObserver | undefined;
  /** The sentinel the observer watches (a new log, for another session, has a new one). */
  private observed: HTMLDivElement | undefined;
  private scrollFrame: number | undefined;
  /** Earlier items are being added: the live region should not read them out as news. */
  private addingEarlier = false;

  static override styles = duetMessageListStyles;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
    this.observer = undefined;
    this.observed = undefined;
    if (this.scrollFrame !== undefined) cancelAnimationFrame(this.scrollFrame);
    this.scrollFrame = undefined;
  }

  protected override willUpdate(): void {
    const timeline = this.session?.timeline;
    if (!timeline) return;
    const newest = timeline.length > 0 ? timeline.slice(timeline.length - 1)[0] : undefined;
    if (this.window.update(timeline.length, newest && isOwn(newest) ? 'own' : 'peer')) this.scrollToNewest();
  }

  protected override updated(): void {
    if (this.sentinel && this.sentinel !== this.observed) {
      // "At the bottom" with some slack, so a reader a few pixels up still follows.
      this.observer?.disconnect();
      this.observer = new IntersectionObserver((entries) => this.onSentinel(entries), { root: this.log, rootMargin: '0px 0px 64px 0px' });
      this.observer.observe(this.sentinel);
      this.observed = this.sentinel;
    }
    if (this.addingEarlier) {
      requestAnimationFrame(() => {
        this.addingEarlier = false;
        this.requestUpdate();
      });
    }
  }

  override render() {
    const session = this.session;
    if (!session) return nothing;
    const timeline = session.timeline;
    const locale = currentLocale();
    const canSend = session.canSend;
    return html`<div class="log" role="log" aria-label=${t('chat.messages')} aria-live="polite" aria-busy=${this.addingEarlier ? 'true' : 'false'} tabindex="0">
        ${this.window.hasEarlier
          ? html`<button type="button" class="secondary earlier" @click=${this.showEarlier}>${t('chat.showEarlier')}</button>`
          : nothing}
        ${timeline.length === 0 ? html`<p class="empty">${t('chat.empty')}</p>` : nothing}
        <ol>
          ${repeat(
            timeline.slice(this.window.start),
            (item) => item.key,
            (item) =>
              item.kind === 'message' ? guard([item, locale, canSend], () => this.renderMessage(item.message)) : this.renderTransfer(item.transfer),
          )}
        </ol>
        <div class="end"></div>
      </div>
      ${this.window.unseen ? html`<button type="button" class="newer" @click=${this.jumpToNewest}>${t('chat.newMessages')}</button>` : nothing}`;
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

  private readonly showEarlier = (): void => {
    this.window.showEarlier();
    this.addingEarlier = true;
    this.requestUpdate();
  };

  private readonly jumpToNewest = (): void => {
    this.window.jumpToNewest();
    this.scrollToNewest();
    this.requestUpdate();
  };

  private onSentinel(entries: IntersectionObserverEntry[]): void {
    const atBottom = entries.at(-1)?.isIntersecting ?? false;
    const unseen = this.window.unseen;
    this.window.atBottom(atBottom);
    if (unseen !== this.window.unseen) this.requestUpdate();
  }

  /** Scrolls to the bottom in the next frame, where layout is done anyway: one layout read per frame however many messages came. */
  private scrollToNewest(): void {
    if (this.scrollFrame !== undefined) return;
    this.scrollFrame = requestAnimationFrame(() => {
      this.scrollFrame = undefined;
      this.log?.scrollTo({ top: this.log.scrollHeight });
    });
  }

  private async retry(id: string): Promise<void> {
    try {
      await this.session?.retry(id);
    } catch (error) {
      this.dispatchEvent(sendReport({ kind: 'failed', error: toDuetError(error, 'not-connected') }));
    }
  }
}

/** Written on this side: sending something takes the reader to it. */
function isOwn(item: TimelineItem): boolean {
  return item.kind === 'message' ? item.message.from === 'me' : item.transfer.direction === 'outgoing';
}

declare global {
  interface HTMLElementTagNameMap {
    'duet-message-list': DuetMessageList;
  }
}
