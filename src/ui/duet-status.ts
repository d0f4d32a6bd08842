import { html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { describeError, t } from '../i18n/i18n.ts';
import type { SessionView } from '../session/view.ts';
import { SessionConsumer } from './session-context.ts';
import { statusText } from './status-text.ts';
import { statusStyles } from './duet-status.styles.ts';
import { baseStyles } from './styles.ts';

const ROUTE_LABELS = { direct: 'status.route.direct', relayed: 'status.route.relayed' } as const;

/** The one connection status line, announced to screen readers as it changes. */
@customElement('duet-status')
export class DuetStatus extends SessionConsumer {
  static override styles = [baseStyles, statusStyles];

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
        <span class="dot" aria-hidden="true"></span><span>${statusText(session.status, session.peerName)}</span>${this.renderRoute(session)}
      </p>
      ${this.renderNotices(session)}`;
  }

  /** How the connection runs, once secure: straight between the browsers, or through a TURN relay. */
  private renderRoute(session: SessionView) {
    const route = session.route;
    if (session.status.phase !== 'secure' || route === 'unknown') return nothing;
    // The leading space keeps the sentence and the route apart in the text read out, too.
    return html`<span class="route" data-route=${route}> · ${t(ROUTE_LABELS[route])}</span>`;
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
