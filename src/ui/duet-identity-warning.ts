import { html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { DuetError } from '../core/errors.ts';
import { IDENTITY_WARNING_CODES } from '../session/peer-trust.ts';
import { describeError, t } from '../i18n/i18n.ts';
import { duetIdentityWarningStyles } from './duet-identity-warning.styles.ts';
import { SessionConsumer } from './session-context.ts';

/**
 * Shown instead of the conversation when the peer's device key is not the one this
 * device remembers, is missing, comes under a look-alike name, or is invalid:
 * nothing is shown until the person chooses.
 */
@customElement('duet-identity-warning')
export class DuetIdentityWarning extends SessionConsumer {
  static override styles = duetIdentityWarningStyles;

  override render() {
    const session = this.session;
    if (!session) return nothing;
    const identity = session.peerIdentity;
    const error = new DuetError('acknowledged' in identity ? IDENTITY_WARNING_CODES[identity.kind] : 'identity-changed');
    return html`<section class="warning" role="alert" aria-labelledby="warning-title">
      <h2 id="warning-title">${t('chat.warning.title')}</h2>
      <p>${describeError(error)}</p>
      <div class="actions">
        <button type="button" @click=${() => void session.acknowledgeIdentityWarning()}>${t('chat.warning.show')}</button>
        <button type="button" class="secondary" @click=${() => session.leave()}>${t('chat.warning.leave')}</button>
      </div>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'duet-identity-warning': DuetIdentityWarning;
  }
}
