import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { t } from '../i18n/i18n.ts';
import type { Invite, ShortCodeOffer } from '../session/view.ts';
import { LocaleController } from './locale.ts';
import { duetInviteStyles } from './duet-invite.styles.ts';

/**
 * The room link, its code, a "Copy link" button and a QR code made in the browser; a
 * short code to read aloud when asked for (event `request-short-code`).
 */
@customElement('duet-invite')
export class DuetInvite extends LitElement {
  @property({ attribute: false }) invite: Invite | undefined;
  @state() private qrDataUrl = '';
  @state() private copyState: 'idle' | 'copied' | 'failed' = 'idle';
  private qrFor = '';

  constructor() {
    super();
    new LocaleController(this);
  }

  static override styles = duetInviteStyles;

  override willUpdate(): void {
    const link = this.invite?.link;
    if (link && link !== this.qrFor) {
      this.qrFor = link;
      this.qrDataUrl = '';
      void this.renderQr(link);
    }
  }

  private async renderQr(link: string): Promise<void> {
    // Loaded on demand: most people never need the QR encoder before creating a room.
    const { toString } = await import('qrcode');
    // An SVG (one path), not a PNG: drawing and encoding a PNG pixel by pixel took the host's
    // main thread for tens of milliseconds, just when the guest arrives (docs/PERFORMANCE.md).
    const svg = await toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    if (this.qrFor === link) this.qrDataUrl = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  }

  private async copy(): Promise<void> {
    if (!this.invite) return;
    try {
      await navigator.clipboard.writeText(this.invite.link);
      this.copyState = 'copied';
    } catch {
      this.copyState = 'failed';
    }
  }

  private renderShortCode(offer: ShortCodeOffer) {
    switch (offer.state) {
      case 'none':
        return html`<div>
          <button type="button" class="secondary" @click=${() => this.dispatchEvent(new CustomEvent('request-short-code'))}>${t('invite.getShortCode')}</button>
          <span class="muted">${t('invite.getShortCodeHint')}</span>
        </div>`;
      case 'asking':
        return html`<p class="muted">${t('invite.shortCodeAsking')}</p>`;
      case 'ready':
        return html`<div>
          <span class="muted" id="short-label">${t('invite.shortCode')}</span>
          <code class="short" aria-labelledby="short-label">${offer.code}</code>
          <span class="muted">${t('invite.shortCodeHint')}</span>
        </div>`;
    }
  }

  override render() {
    const invite = this.invite;
    if (!invite) return nothing;
    return html`
      <section class="card" aria-labelledby="invite-title">
        <h2 id="invite-title">${t('invite.title')}</h2>
        <p class="muted">${t('invite.hint')}</p>
        <a class="link" href=${invite.link} aria-label=${t('invite.linkName', { link: invite.link })} @click=${(e: Event) => e.preventDefault()}>${invite.link}</a>
        <div><span class="muted" id="code-label">${t('invite.code')}</span> <code aria-labelledby="code-label">${invite.code}</code></div>
        <button type="button" @click=${() => this.copy()}>${t('invite.copy')}</button>
        <span aria-live="polite" class=${this.copyState === 'failed' ? 'error' : 'muted'}>
          ${this.copyState === 'copied' ? t('invite.copied') : this.copyState === 'failed' ? t('invite.copyFailed') : ''}
        </span>
        ${this.qrDataUrl ? html`<img src=${this.qrDataUrl} alt=${t('invite.qr')} />` : html`<p class="muted">${t('invite.qrMaking')}</p>`}
        <div class="short-code" aria-live="polite">${this.renderShortCode(invite.shortCode)}</div>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'duet-invite': DuetInvite;
  }
  interface HTMLElementEventMap {
    'request-short-code': CustomEvent<undefined>;
  }
}
