import { html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { DuetError, type ErrorCode } from '../core/errors.ts';
import type { PeerIdentity } from '../session/view.ts';
import { describeError, t } from '../i18n/i18n.ts';
import { duetIdentityWarningStyles } from './duet-identity-warning.styles.ts';
import { SessionConsumer } from './session-context.ts';

/** The sentence for each kind of identity the person must decide on. */
const WARNING_CODES: Partial<Record<PeerIdentity['kind'], ErrorCode>> = {
  invalid: 'identity-invalid',
  changed: 'identity-changed',
  unproven: 'identity-changed',
  lookalike: 'identity-lookalike',
};

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
    const error = new DuetError(WARNING_CODES[session.peerIdentity.kind] ?? 'identity-changed');
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
