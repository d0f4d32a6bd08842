import { html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { type DuetError, toDuetError } from '../core/errors.ts';
import { describeError } from '../i18n/i18n.ts';
import type { SendReport } from './chat-events.ts';
import { duetChatStyles } from './duet-chat.styles.ts';
import './duet-composer.ts';
import './duet-identity-warning.ts';
import './duet-message-list.ts';
import './duet-safety-code.ts';
import { SessionConsumer } from './session-context.ts';

/**
 * The conversation: safety code, message log (or the identity warning in its place)
 * and composer. It is the drop target for files, and shows the one sending error
 * its parts report.
 */
@customElement('duet-chat')
export class DuetChat extends SessionConsumer {
  @state() private sendError: DuetError | undefined;

  static override styles = duetChatStyles;

  override render() {
    const session = this.session;
    if (!session) return nothing;
    return html`
      <duet-safety-code></duet-safety-code>
      ${session.identityWarningPending
        ? html`<duet-identity-warning></duet-identity-warning>`
        : html`<duet-message-list @send-report=${this.onSendReport}></duet-message-list>`}
      <div>
        <duet-composer @send-report=${this.onSendReport} @files-chosen=${(e: CustomEvent<File[]>) => void this.sendFiles(e.detail)}></duet-composer>
        ${this.sendError ? html`<p class="error" role="alert">${describeError(this.sendError)}</p>` : nothing}
      </div>
    `;
  }

  private onSendReport(event: CustomEvent<SendReport>): void {
    const report = event.detail;
    this.sendError = report.kind === 'failed' ? report.error : undefined;
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
}

declare global {
  interface HTMLElementTagNameMap {
    'duet-chat': DuetChat;
  }
}
