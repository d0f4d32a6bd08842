import { html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { toDuetError } from '../core/errors.ts';
import { t } from '../i18n/i18n.ts';
import { filesChosen, sendReport } from './chat-events.ts';
import { duetComposerStyles } from './duet-composer.styles.ts';
import { SessionConsumer } from './session-context.ts';

/**
 * Writing and sending: the peer's typing line, the "Message" box (Enter sends,
 * Shift+Enter is a new line), "Send" and "Attach file". Outcomes go to duet-chat as
 * `send-report` events; attached files as a `files-chosen` event.
 */
@customElement('duet-composer')
export class DuetComposer extends SessionConsumer {
  @state() private draft = '';
  @query('#attach-input') private fileInput!: HTMLInputElement;

  static override styles = duetComposerStyles;

  override render() {
    const session = this.session;
    if (!session) return nothing;
    return html`
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
            this.dispatchEvent(filesChosen([...(input.files ?? [])]));
            input.value = '';
          }}
        />
      </form>
      ${session.canSendFiles ? html`<p class="drop-hint">${t('chat.dropHint')}</p>` : nothing}
    `;
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
    this.dispatchEvent(sendReport({ kind: 'started' }));
    try {
      await session.send(text);
      if (this.draft === text) this.draft = '';
    } catch (error) {
      this.dispatchEvent(sendReport({ kind: 'failed', error: toDuetError(error, 'not-connected') }));
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'duet-composer': DuetComposer;
  }
}
