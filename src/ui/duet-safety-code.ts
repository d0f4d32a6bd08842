import { html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { t, tParts } from '../i18n/i18n.ts';
import type { SessionView } from '../session/view.ts';
import { duetSafetyCodeStyles } from './duet-safety-code.styles.ts';
import { SessionConsumer } from './session-context.ts';

/**
 * The safety code both people compare, what this device knows of the peer's key,
 * and "Mark as verified". Empty until the connection is secure.
 */
@customElement('duet-safety-code')
export class DuetSafetyCode extends SessionConsumer {
  static override styles = duetSafetyCodeStyles;

  override render() {
    const session = this.session;
    const status = session?.status;
    if (!session || (status?.phase !== 'secure' && status?.phase !== 'reconnecting')) return nothing;
    return html`<section class="safety">
      <span id="safety-label">${t('chat.safetyCode')}</span>
      <code aria-labelledby="safety-label">${status.safetyCode}</code>
      <span class="muted">${t('chat.safetyHint', { name: session.peerName || t('peer.fallback') })}</span>
      ${this.renderIdentity(session)}
      <div class="verify">
        ${session.verified
          ? html`<span class="verified">${t('chat.verified')}</span>`
          : html`<button type="button" class="secondary" @click=${() => session.markVerified()}>${t('chat.markVerified')}</button>`}
      </div>
    </section>`;
  }

  private renderIdentity(session: SessionView) {
    const identity = session.peerIdentity;
    const name = session.peerName || t('peer.fallback');
    // The warnings (invalid, unproven, look-alike) are shown in place of the log instead.
    if (identity.kind === 'none' || identity.kind === 'invalid' || identity.kind === 'unproven' || identity.kind === 'lookalike') return nothing;
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
}

declare global {
  interface HTMLElementTagNameMap {
    'duet-safety-code': DuetSafetyCode;
  }
}
