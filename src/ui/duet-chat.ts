import { css, html, nothing, type PropertyValues } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { DuetError, toDuetError } from '../core/errors.ts';
import { describeError, formatTime, t, tParts } from '../i18n/i18n.ts';
import type { ChatMessage, SessionView } from '../session/view.ts';
import type { FileTransfer } from '../session/view.ts';
import './duet-file-card.ts';
import { SessionConsumer } from './session-context.ts';
import { baseStyles } from './styles.ts';

/** The conversation: safety code, message log and composer. Peer text is only ever rendered as text. */
@customElement('duet-chat')
export class DuetChat extends SessionConsumer {
  @state() private draft = '';
  @state() private sendError: DuetError | undefined;
  @query('.log') private log!: HTMLDivElement;
  @query('#attach-input') private fileInput!: HTMLInputElement;
  private renderedCount = 0;

  static override styles = [
    baseStyles,
    css`
      :host {
        display: grid;
        grid-template-rows: auto 1fr auto;
        gap: 0.75rem;
        min-height: 0;
      }
      .safety {
        background: var(--duet-surface);
        border: 1px solid var(--duet-border);
        border-radius: 12px;
        padding: 0.75rem 1rem;
      }
      .identity {
        margin: 0.4rem 0 0;
        font-size: 0.9rem;
      }
      .identity.ok {
        color: var(--duet-ok);
      }
      .warning {
        border: 2px solid var(--duet-danger);
        border-radius: 12px;
        padding: 1rem;
        background: var(--duet-surface);
      }
      .warning h2 {
        margin: 0 0 0.5rem;
        font-size: 1.1rem;
        color: var(--duet-danger);
      }
      .warning .actions {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      .verify {
        margin-top: 0.5rem;
      }
      .verified {
        color: var(--duet-ok);
        font-weight: 600;
      }
      .safety code {
        font-size: 1.1rem;
        letter-spacing: 0.05em;
        display: block;
        margin: 0.25rem 0;
        word-spacing: 0.3em;
      }
      .log {
        padding: 0.75rem;
        overflow-y: auto;
        min-height: 12rem;
        max-height: 60vh;
        background: var(--duet-surface);
        border: 1px solid var(--duet-border);
        border-radius: 12px;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
      }
      li {
        max-width: 85%;
        padding: 0.45rem 0.7rem;
        border-radius: 12px;
        background: var(--duet-theirs);
        align-self: flex-start;
      }
      li.me {
        background: var(--duet-mine);
        align-self: flex-end;
      }
      .meta {
        font-size: 0.8rem;
        color: var(--duet-muted);
        display: flex;
        gap: 0.5rem;
      }
      .meta strong {
        color: var(--duet-text);
      }
      .text {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        margin: 0.1rem 0 0;
      }
      li.file {
        min-width: min(22rem, 85%);
      }
      :host(.dropping) .log {
        outline: 3px dashed var(--duet-accent);
        outline-offset: -6px;
      }
      .drop-hint {
        font-size: 0.85rem;
        color: var(--duet-muted);
        margin: 0.25rem 0 0;
      }
      form {
        display: grid;
        grid-template-columns: 1fr auto auto;
        gap: 0.5rem;
        align-items: end;
      }
      form label {
        grid-column: 1 / -1;
      }
      textarea {
        resize: vertical;
        min-height: 2.75rem;
        max-height: 12rem;
      }
      .delivery {
        display: block;
        text-align: right;
        font-size: 0.75rem;
        color: var(--duet-muted);
      }
      .delivery.error {
        color: var(--duet-danger);
      }
      .retry {
        padding: 0.1rem 0.5rem;
        margin-left: 0.4rem;
        font-size: 0.75rem;
      }
      .typing {
        min-height: 1.2rem;
        margin: 0 0 0.25rem;
        font-size: 0.85rem;
        color: var(--duet-muted);
        font-style: italic;
      }
      .empty {
        color: var(--duet-muted);
        text-align: center;
        margin: 0;
      }
    `,
  ];

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
    const status = session.status;
    return html`
      ${status.phase === 'secure' || status.phase === 'reconnecting'
        ? html`<section class="safety">
            <span id="safety-label">${t('chat.safetyCode')}</span>
            <code aria-labelledby="safety-label">${status.safetyCode}</code>
            <span class="muted">${t('chat.safetyHint', { name: session.peerName || t('peer.fallback') })}</span>
            ${this.renderIdentity(session)}
            <div class="verify">
              ${session.verified
                ? html`<span class="verified">${t('chat.verified')}</span>`
                : html`<button type="button" class="secondary" @click=${() => session.markVerified()}>${t('chat.markVerified')}</button>`}
            </div>
          </section>`
        : html`<div></div>`}
      ${session.identityWarningPending
        ? this.renderIdentityWarning(session)
        : html`<div class="log" role="log" aria-label=${t('chat.messages')} aria-live="polite">
            ${session.messages.length === 0 && session.transfers.length === 0 ? html`<p class="empty">${t('chat.empty')}</p>` : nothing}
            <ol>
              ${repeat(
                timeline(session),
                (item) => (item.kind === 'message' ? `${item.message.from}:${item.message.id}` : `file:${item.transfer.id}`),
                (item) => (item.kind === 'message' ? this.renderMessage(item.message) : this.renderTransfer(item.transfer)),
              )}
            </ol>
          </div>`}
      <div>
        <p class="typing" aria-hidden=${session.peerTyping ? 'false' : 'true'}>${session.peerTyping ? t('chat.typing', { name: session.peerName || t('peer.fallbackStart') }) : ''}</p>
        <form @submit=${this.onSubmit}>
          <label for="message">${t('chat.message')}</label>
          <textarea
            id="message"
            rows="2"
            placeholder=${session.canSend ? t('chat.placeholder') : t('chat.placeholderDisabled')}
            ?disabled=${!session.canSend}
            .value=${this.draft}
            @input=${(e: Event) => {
              this.draft = (e.target as HTMLTextAreaElement).value;
              if (this.draft.trim()) session.notifyTyping();
            }}
            @keydown=${this.onKeydown}
          ></textarea>
          <button type="submit" ?disabled=${!session.canSend}>${t('chat.send')}</button>
          <button type="button" class="secondary" ?disabled=${!session.canSendFiles} @click=${() => this.fileInput.click()}>${t('chat.attach')}</button>
          <input
            id="attach-input"
            type="file"
            multiple
            hidden
            tabindex="-1"
            aria-hidden="true"
            @change=${(e: Event) => {
              const input = e.target as HTMLInputElement;
              void this.sendFiles([...(input.files ?? [])]);
              input.value = '';
            }}
          />
        </form>
        ${session.canSendFiles ? html`<p class="drop-hint">${t('chat.dropHint')}</p>` : nothing}
        ${this.sendError ? html`<p class="error" role="alert">${describeError(this.sendError)}</p>` : nothing}
      </div>
    `;
  }

  private renderIdentity(session: SessionView) {
    const identity = session.peerIdentity;
    const name = session.peerName || t('peer.fallback');
    if (identity.kind === 'none' || identity.kind === 'invalid') return nothing;
    const fingerprint = html`<code>${identity.fingerprint}</code>`;
    switch (identity.kind) {
      case 'unchecked':
        return html`<p class="identity muted">${tParts('chat.identity.unchecked', { name, fingerprint })}</p>`;
      case 'new':
        return html`<p class="identity">${tParts('chat.identity.new', { name, fingerprint })}</p>`;
      case 'known':
        return html`<p class="identity ok">
          ${tParts(identity.verified ? 'chat.identity.knownVerified' : 'chat.identity.known', { name, fingerprint })}
        </p>`;
      case 'changed':
        return html`<p class="identity error">${tParts('chat.identity.changed', { name, fingerprint })}</p>`;
    }
  }

  private renderIdentityWarning(session: SessionView) {
    const code = session.peerIdentity.kind === 'invalid' ? 'identity-invalid' : 'identity-changed';
    const error = new DuetError(code);
    return html`<section class="warning" role="alert" aria-labelledby="warning-title">
      <h2 id="warning-title">${t('chat.warning.title')}</h2>
      <p>${describeError(error)}</p>
      <div class="actions">
        <button type="button" @click=${() => void session.acknowledgeIdentityWarning()}>${t('chat.warning.show')}</button>
        <button type="button" class="secondary" @click=${() => session.leave()}>${t('chat.warning.leave')}</button>
      </div>
    </section>`;
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

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('dragover', this.onDragOver);
    this.addEventListener('dragleave', this.onDragLeave);
    this.addEventListener('drop', this.onDrop);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('dragover', this.onDragOver);
    this.removeEventListener('dragleave', this.onDragLeave);
    this.removeEventListener('drop', this.onDrop);
  }

  private readonly onDragOver = (event: DragEvent): void => {
    if (!this.session?.canSendFiles || !event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    this.setDropping(true);
  };

  private readonly onDragLeave = (event: DragEvent): void => {
    // Leaving for one of our own children is not leaving.
    if (event.relatedTarget instanceof Node && this.shadowRoot?.contains(event.relatedTarget)) return;
    this.setDropping(false);
  };

  private readonly onDrop = (event: DragEvent): void => {
    this.setDropping(false);
    if (!event.dataTransfer?.files.length) return;
    event.preventDefault();
    void this.sendFiles([...event.dataTransfer.files]);
  };

  /** A class on the host, not state: the outline is pure styling and needs no re-render. */
  private setDropping(dropping: boolean): void {
    this.classList.toggle('dropping', dropping);
  }

  private async sendFiles(files: File[]): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.sendError = undefined;
    for (const file of files) {
      try {
        await session.sendFile(file);
      } catch (error) {
        this.sendError = toDuetError(error, 'not-connected');
        return;
      }
    }
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
      this.sendError = toDuetError(error, 'not-connected');
    }
  }

  private onKeydown(event: KeyboardEvent): void {
    // Enter sends; Shift+Enter is a new line; never send mid-composition (IME input).
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void this.sendDraft();
    }
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    void this.sendDraft();
  }

  private async sendDraft(): Promise<void> {
    const session = this.session;
    const text = this.draft;
    if (!session || text.trim().length === 0) return;
    this.sendError = undefined;
    try {
      await session.send(text);
      if (this.draft === text) this.draft = '';
    } catch (error) {
      this.sendError = toDuetError(error, 'not-connected');
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
    'duet-chat': DuetChat;
  }
}
