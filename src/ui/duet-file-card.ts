import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { type DuetError, toDuetError } from '../core/errors.ts';
import { LARGE_IN_MEMORY_WARNING_BYTES, STREAM_TO_DISK_ABOVE_BYTES, isPreviewable } from '../core/files.ts';
import { currentLocale, describeError, formatTime, t } from '../i18n/i18n.ts';
import type { FileTransfer } from '../session/view.ts';
import { DiskFileSink, MemoryFileSink } from '../storage/file-sinks.ts';
import { formatBytes, formatDuration } from './format.ts';
import { SessionConsumer } from './session-context.ts';
import { duetFileCardStyles } from './duet-file-card.styles.ts';

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

  static override styles = duetFileCardStyles;

  /**
   * A card that leaves the log's window releases its object URL (the image and the Save
   * link it served); one that is put back makes a new one.
   */
  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl.url);
    this.objectUrl = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved rather than made anew: its old URL was revoked, so render one again.
    if (this.hasUpdated) this.requestUpdate();
  }

  override render() {
    const transfer = this.transfer;
    if (!transfer) return nothing;
    const when = new Date(transfer.sentAt);
    const mine = transfer.direction === 'outgoing';
    return html`
      <div class="meta">
        <strong>${mine ? t('chat.you', { name: transfer.senderName }) : transfer.senderName || t('peer.fallbackStart')}</strong>
        <time datetime=${when.toISOString()}>${formatTime(when)}</time>
      </div>
      <p class="name" id="file-name">${transfer.name}</p>
      <div class="meta"><span>${formatBytes(transfer.size, currentLocale())}</span><span>${transfer.mime}</span></div>
      ${this.renderStage(transfer)}
      ${this.actionError ? html`<p class="outcome error" role="alert">${describeError(this.actionError)}</p>` : nothing}
    `;
  }

  private renderStage(transfer: FileTransfer) {
    const status = transfer.status;
    const session = this.session;
    const peer = session?.peerName || t('peer.fallback');
    const cancel = html`<div class="actions">
      <button type="button" class="secondary" aria-describedby="file-name" @click=${() => this.act(() => session!.cancelFile(transfer.id))}>
        ${t('file.cancel')}
      </button>
    </div>`;
    switch (status.stage) {
      case 'offered':
        if (transfer.direction === 'outgoing') return html`${this.renderProgress(transfer, t('file.waitingForPeer', { name: peer }))} ${cancel}`;
        return html`${this.renderProgress(transfer, t('file.waitingForYou'))} ${this.renderSizeWarning(transfer)}
          <div class="actions">
            <button type="button" aria-describedby="file-name" @click=${() => this.act(() => this.accept(transfer))}>${t('file.accept')}</button>
            <button type="button" class="secondary" aria-describedby="file-name" @click=${() => this.act(() => session!.declineFile(transfer.id))}>
              ${t('file.decline')}
            </button>
          </div>`;
      case 'transferring':
      case 'verifying':
        return html`${this.renderProgress(transfer, status.stage === 'verifying' ? t('file.checking') : undefined)} ${cancel}`;
      case 'complete':
        return this.renderComplete(transfer, status.file);
      case 'declined':
        return html`<p class="outcome muted">${status.by === 'me' ? t('file.declinedByMe') : t('file.declinedByPeer', { name: peer })}</p>`;
      case 'cancelled':
        return html`<p class="outcome muted">${status.by === 'me' ? t('file.cancelledByMe') : t('file.cancelledByPeer', { name: peer })}</p>`;
      case 'failed':
        return html`<p class="outcome error">${describeError(status.error)}</p>
          ${transfer.direction === 'outgoing'
            ? html`<div class="actions">
                <button
                  type="button"
                  class="secondary"
                  aria-describedby="file-name"
                  ?disabled=${!session?.canSendFiles}
                  @click=${() => this.act(() => session!.retryFile(transfer.id))}
                >
                  ${t('file.sendAgain')}
                </button>
              </div>`
            : nothing}`;
    }
  }

  private renderProgress(transfer: FileTransfer, caption?: string) {
    const locale = currentLocale();
    const fraction = transfer.size === 0 ? 0 : Math.floor((transfer.done / transfer.size) * 100) / 100;
    const percent = new Intl.NumberFormat(locale, { style: 'percent' }).format(fraction);
    const figures = [percent, t('file.doneOf', { done: formatBytes(transfer.done, locale), total: formatBytes(transfer.size, locale) })];
    if (transfer.bytesPerSecond !== undefined) figures.push(t('file.speed', { size: formatBytes(transfer.bytesPerSecond, locale) }));
    if (transfer.secondsLeft !== undefined) figures.push(t('file.timeLeft', { time: formatDuration(transfer.secondsLeft, locale) }));
    return html`<progress
        max=${Math.max(transfer.size, 1)}
        value=${transfer.done}
        aria-label=${t('file.progress', { name: transfer.name })}
        aria-valuetext=${percent}
      ></progress>
      <p class="figures">${caption ?? figures.join(' · ')}</p>`;
  }

  private renderSizeWarning(transfer: FileTransfer) {
    if (transfer.size < LARGE_IN_MEMORY_WARNING_BYTES || DiskFileSink.supported(window)) return nothing;
    return html`<p class="warning">${t('file.largeWarning', { size: formatBytes(transfer.size, currentLocale()) })}</p>`;
  }

  private renderComplete(transfer: FileTransfer, file: Blob | undefined) {
    if (transfer.direction === 'outgoing') {
      return html`<p class="outcome ok">${t('file.delivered', { name: this.session?.peerName || t('peer.fallback') })}</p>`;
    }
    const checked = html`<span title=${t('file.checksumTitle', { sha256: transfer.sha256 ?? '' })}>${t('file.checksumVerified')}</span>`;
    if (!file) return html`<p class="outcome ok">${checked} ${t('file.savedToDisk')}</p>`;
    const url = this.urlFor(file);
    return html`<div class="actions">
        <a class="save" href=${url} download=${transfer.name} aria-describedby="file-name">${t('file.save')}</a>
        <span class="outcome ok">${checked}</span>
      </div>
      ${isPreviewable(file.type) ? html`<img src=${url} alt=${t('file.preview', { name: transfer.name })} />` : nothing}`;
  }

  private urlFor(file: Blob): string {
    if (this.objectUrl?.file !== file) {
      if (this.objectUrl) URL.revokeObjectURL(this.objectUrl.url);
      this.objectUrl = { file, url: URL.createObjectURL(file) };
    }
    return this.objectUrl.url;
  }

  /** Large files go straight to disk where the browser can; the dialog needs this click's user gesture. */
  private async accept(transfer: FileTransfer): Promise<void> {
    const session = this.session;
    if (!session) return;
    if (transfer.size > STREAM_TO_DISK_ABOVE_BYTES && DiskFileSink.supported(window)) {
      const sink = await DiskFileSink.choose(transfer.name, window);
      if (!sink) return;
      await session.acceptFile(transfer.id, sink);
      return;
    }
    await session.acceptFile(transfer.id, new MemoryFileSink(transfer.mime, transfer.size));
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
