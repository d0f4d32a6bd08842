import { css, html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { describeError, t } from '../i18n/i18n.ts';
import type { SessionView } from '../session/view.ts';
import { SessionConsumer } from './session-context.ts';
import { statusText } from './status-text.ts';
import { baseStyles } from './styles.ts';

/** The one connection status line, announced to screen readers as it changes. */
@customElement('duet-status')
export class DuetStatus extends SessionConsumer {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      p {
        margin: 0;
        padding: 0.5rem 0.75rem;
        border-radius: 8px;
        background: var(--duet-surface);
        border: 1px solid var(--duet-border);
        display: flex;
        gap: 0.5rem;
        align-items: center;
      }
      .dot {
        width: 0.6rem;
        height: 0.6rem;
        border-radius: 50%;
        background: var(--duet-muted);
        flex: none;
      }
      [data-phase='secure'] .dot {
        background: var(--duet-ok);
      }
      [data-phase='failed'] .dot,
      [data-phase='ended'] .dot {
        background: var(--duet-danger);
      }
      [data-phase='failed'] {
        color: var(--duet-danger);
      }
      .notices {
        margin-top: 0.5rem;
        display: grid;
        gap: 0.25rem;
      }
      .notice {
        display: flex;
        justify-content: space-between;
        gap: 0.5rem;
        align-items: center;
        color: var(--duet-danger);
        border: 1px solid var(--duet-danger);
        border-radius: 8px;
        padding: 0.35rem 0.6rem;
      }
      .notice button {
        padding: 0.2rem 0.5rem;
      }
    `,
  ];

  private markedPhase = '';
  private markedPeer = false;

  /**
   * Each status a person sees is also a User Timing mark (`duet:connecting`, …, and
   * `duet:peer-named` once the secure line names the peer): DevTools' Performance panel
   * shows how long each step took, and the bench reads them instead of polling.
   */
  protected override updated(): void {
    const session = this.session;
    if (!session) return;
    const { phase } = session.status;
    if (phase !== this.markedPhase) {
      this.markedPhase = phase;
      performance.mark(`duet:${phase}`);
    }
    const named = phase === 'secure' && session.peerName !== '';
    if (named && !this.markedPeer) performance.mark('duet:peer-named');
    this.markedPeer = named;
  }

  override render() {
    const session = this.session;
    if (!session) return html``;
    return html`<p role="status" data-phase=${session.status.phase}>
        <span class="dot" aria-hidden="true"></span><span>${statusText(session.status, session.peerName)}</span>
      </p>
      ${this.renderNotices(session)}`;
  }

  /** Problems that did not end the conversation: a dropped forged record, a failed join attempt. */
  private renderNotices(session: SessionView) {
    if (session.notices.length === 0) return nothing;
    return html`<div class="notices" role="alert">
      ${session.notices.map(
        (n) => html`<div class="notice">
          <span>${describeError(n.error)}</span>
          <button type="button" class="secondary" aria-label=${t('status.dismiss')} @click=${() => session.dismissNotice(n.id)}>×</button>
        </div>`,
      )}
    </div>`;
  }

}

declare global {
  interface HTMLElementTagNameMap {
    'duet-status': DuetStatus;
  }
}
