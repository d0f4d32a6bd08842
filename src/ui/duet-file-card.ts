import { css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { type DuetError, toDuetError } from '../core/errors.ts';
import { LARGE_IN_MEMORY_WARNING_BYTES, STREAM_TO_DISK_ABOVE_BYTES, isPreviewable } from '../core/files.ts';
import type { FileTransfer } from '../state/file-transfers.ts';
import { DiskFileSink, MemoryFileSink } from '../storage/file-sinks.ts';
import { formatBytes, formatDuration } from './format.ts';
import { SessionConsumer } from './session-context.ts';
import { baseStyles } from './styles.ts';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * One file transfer in the conversation: the offer (Accept / Decline), progress
 * with speed and time left, and the result (a Save link and an image preview,
 * or why it stopped). File names from the peer are only ever rendered as text.
 */
@customElement('duet-file-card')
export class DuetFileCard extends SessionConsumer {
  @property({ attribute: false }) transfer: FileTransfer | undefined;
  @state() private actionError: DuetError | undefined;
  /** The object URL of a received file, made once and revoked when the card goes. */
  private objectUrl: { file: Blob; url: string } | undefined;

  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      .name {
        font-weight: 600;
        overflow-wrap: anywhere;
        margin: 0.15rem 0;
      }
      .meta {
        font-size: 0.8rem;
        color: var(--duet-muted);
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      .meta strong {
        color: var(--duet-text);
      }
      progress {
        width: 100%;
        height: 0.6rem;
        accent-color: var(--duet-accent);
      }
      .figures {
        font-size: 0.8rem;
        color: var(--duet-muted);
        margin: 0.1rem 0 0.3rem;
      }
      .actions {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
        align-items: center;
        margin-top: 0.35rem;
      }
      .actions button,
      .actions a {
        padding: 0.3rem 0.8rem;
        font-size: 0.9rem;
      }
      /* On the tinted message bubble the outline style lacks contrast: give it the page surface. */
      .actions button.secondary {
        background: var(--duet-surface);
      }
      a.save {
        display: inline-block;
        border-radius: 8px;
        background: var(--duet-accent);
        color: var(--duet-accent-text);
        font-weight: 600;
        text-decoration: none;
      }
      .outcome {
        font-size: 0.85rem;
        margin: 0.2rem 0 0;
      }
      .outcome.ok {
        color: var(--duet-ok);
      }
      .warning {
        font-size: 0.85rem;
        color: var(--duet-danger);
        margin: 0.2rem 0;
      }
      img {
        display: block;
        max-width: min(100%, 320px);
        max-height: 240px;
        border-radius: 8px;
        margin-top: 0.4rem;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl.url);
    this.objectUrl = undefined;
  }

  override render() {
    const t = this.transfer;
    if (!t) return nothing;
    const when = new Date(t.sentAt);
    const mine = t.direction === 'outgoing';
    return html`
      <div class="meta">
        <strong>${mine ? `${t.senderName} (you)` : t.senderName}</strong>
        <time datetime=${when.toISOString()}>${timeFormat.format(when)}</time>
      </div>
      <p class="name" id="file-name">${t.name}</p>
      <div class="meta"><span>${formatBytes(t.size)}</span><span>${t.mime}</span></div>
      ${this.renderStage(t)}
      ${this.actionError ? html`<p class="outcome error" role="alert">${this.actionError.userMessage} [${this.actionError.code}]</p>` : nothing}
    `;
  }

  private renderStage(t: FileTransfer) {
    const status = t.status;
    const peer = this.session?.peerName || 'your peer';
    switch (status.stage) {
      case 'offered':
        if (t.direction === 'outgoing') {
          return html`${this.renderProgress(t, `Waiting for ${peer} to accept…`)}
            <div class="actions"><button type="button" aria-describedby="file-name" class="secondary" @click=${() => this.act(() => this.session!.cancelFile(t.id))}>Cancel</button></div>`;
        }
        return html`${this.renderProgress(t, 'Waiting for you to accept')} ${this.renderSizeWarning(t)}
          <div class="actions">
            <button type="button" aria-describedby="file-name" @click=${() => this.act(() => this.accept(t))}>Accept</button>
            <button type="button" aria-describedby="file-name" class="secondary" @click=${() => this.act(() => this.session!.declineFile(t.id))}>Decline</button>
          </div>`;
      case 'transferring':
      case 'verifying':
        return html`${this.renderProgress(t, status.stage === 'verifying' ? 'Checking…' : undefined)}
          <div class="actions"><button type="button" aria-describedby="file-name" class="secondary" @click=${() => this.act(() => this.session!.cancelFile(t.id))}>Cancel</button></div>`;
      case 'complete':
        return this.renderComplete(t, status.file);
      case 'declined':
        return html`<p class="outcome muted">${status.by === 'me' ? 'You declined this file.' : `${peer} declined this file.`}</p>`;
      case 'cancelled':
        return html`<p class="outcome muted">${status.by === 'me' ? 'You cancelled this transfer.' : `${peer} cancelled this transfer.`}</p>`;
      case 'failed':
        return html`<p class="outcome error">${status.error.userMessage} [${status.error.code}]</p>
          ${t.direction === 'outgoing'
            ? html`<div class="actions">
                <button type="button" aria-describedby="file-name" class="secondary" ?disabled=${!this.session?.canSendFiles} @click=${() => this.act(() => this.session!.retryFile(t.id))}>
                  Send again
                </button>
              </div>`
            : nothing}`;
    }
  }

  private renderProgress(t: FileTransfer, caption?: string) {
    const percent = t.size === 0 ? 0 : Math.floor((t.done / t.size) * 100);
    const figures = [`${percent}%`, `${formatBytes(t.done)} of ${formatBytes(t.size)}`];
    if (t.bytesPerSecond !== undefined) figures.push(`${formatBytes(t.bytesPerSecond)}/s`);
    if (t.secondsLeft !== undefined) figures.push(`${formatDuration(t.secondsLeft)} left`);
    return html`<progress max=${Math.max(t.size, 1)} value=${t.done} aria-label=${`Transfer of ${t.name}`} aria-valuetext=${`${percent}%`}></progress>
      <p class="figures">${caption ?? figures.join(' · ')}</p>`;
  }

  private renderSizeWarning(t: FileTransfer) {
    if (t.size < LARGE_IN_MEMORY_WARNING_BYTES || DiskFileSink.supported(window)) return nothing;
    return html`<p class="warning">
      This file is large (${formatBytes(t.size)}). Your browser cannot write it to disk as it arrives, so it is kept in memory until you save it.
    </p>`;
  }

  private renderComplete(t: FileTransfer, file: Blob | undefined) {
    if (t.direction === 'outgoing') {
      return html`<p class="outcome ok">✓ Delivered; ${this.session?.peerName || 'your peer'} checked it arrived intact.</p>`;
    }
    const checked = html`<span title=${`SHA-256 ${t.sha256 ?? ''}`}>✓ Checksum verified</span>`;
    if (!file) return html`<p class="outcome ok">${checked}. Saved to the file you chose.</p>`;
    const url = this.urlFor(file);
    return html`<div class="actions">
        <a class="save" href=${url} download=${t.name} aria-describedby="file-name">Save</a>
        <span class="outcome ok">${checked}</span>
      </div>
      ${isPreviewable(file.type) ? html`<img src=${url} alt=${`Preview of ${t.name}`} />` : nothing}`;
  }

  private urlFor(file: Blob): string {
    if (this.objectUrl?.file !== file) {
      if (this.objectUrl) URL.revokeObjectURL(this.objectUrl.url);
      this.objectUrl = { file, url: URL.createObjectURL(file) };
    }
    return this.objectUrl.url;
  }

  /** Large files go straight to disk where the browser can; the dialog needs this click's user gesture. */
  private async accept(t: FileTransfer): Promise<void> {
    const session = this.session;
    if (!session) return;
    if (t.size > STREAM_TO_DISK_ABOVE_BYTES && DiskFileSink.supported(window)) {
      const sink = await DiskFileSink.choose(t.name, window);
      if (!sink) return;
      await session.acceptFile(t.id, sink);
      return;
    }
    await session.acceptFile(t.id, new MemoryFileSink(t.mime));
  }

  private async act(action: () => Promise<void>): Promise<void> {
    this.actionError = undefined;
    try {
      await action();
    } catch (error) {
      this.actionError = toDuetError(error, 'not-connected');
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'duet-file-card': DuetFileCard;
  }
}
