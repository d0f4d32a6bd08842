import { type PropertyValues, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { t, tParts } from '../i18n/i18n.ts';
import type { AddressPolicy } from '../session/view.ts';
import { lobbyStyles } from './duet-lobby.styles.ts';
import { SessionConsumer } from './session-context.ts';
import { baseStyles } from './styles.ts';

/** "Hide my IP address from my peer", remembered per device ('1' on). */
export const HIDE_ADDRESS_KEY = 'duet.hideAddress';

export interface CreateRoomDetail {
  name: string;
  remember: boolean;
}
export interface JoinRoomDetail extends CreateRoomDetail {
  code: string;
}

/**
 * The first screen: a name, then either "Create room" or a code and "Join".
 * With an invite link (`invited`), it asks only for the name. "Hide my IP address
 * from my peer" is set on the session the app provides, which says whether its server
 * offers the relay that needs.
 */
@customElement('duet-lobby')
export class DuetLobby extends SessionConsumer {
  @property() name = '';
  /** The code from the invite link's #fragment, if the page was opened from one. */
  @property() invitedCode = '';
  @property() errorText = '';
  @property({ type: Boolean }) busy = false;
  /** "Remember me on this device" is ticked. */
  @property({ type: Boolean }) remember = false;
  /** Fingerprint of this device's remembered identity, if it has one. */
  @property() deviceFingerprint = '';
  /** Where lobby preferences are remembered (localStorage), if anywhere. */
  @property({ attribute: false }) storage: Pick<Storage, 'getItem' | 'setItem'> | undefined;
  @state() private code = '';

  /** Each new session gets the remembered choice, and is asked whether a relay is on offer. */
  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('session') && !changed.has('storage')) return;
    this.session?.setAddressPolicy(this.storage?.getItem(HIDE_ADDRESS_KEY) === '1' ? 'relay-only' : 'any-route');
    this.session?.checkRelay();
  }

  static override styles = [baseStyles, lobbyStyles];

  override render() {
    return html`
      <form @submit=${this.onSubmit} novalidate>
        <div class="card">
          <div>
            <label for="name">${t('lobby.name')}</label>
            <input
              id="name"
              name="name"
              autocomplete="nickname"
              maxlength="40"
              required
              .value=${this.name}
              @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)}
            />
          </div>
          ${this.renderRemember()} ${this.renderHideAddress()}
          ${this.invitedCode ? this.renderInvited() : this.renderChoice()}
        </div>
        ${this.errorText ? html`<p class="error" role="alert">${this.errorText}</p>` : nothing}
      </form>
    `;
  }

  private renderRemember() {
    return html`<div class="remember">
      <label class="check">
        <input
          type="checkbox"
          .checked=${this.remember}
          @change=${(e: Event) => (this.remember = (e.target as HTMLInputElement).checked)}
        />
        ${t('lobby.remember')}
      </label>
      <p class="muted small">${t('lobby.rememberHint')}</p>
      ${this.deviceFingerprint
        ? html`<p class="small">
            ${tParts('lobby.remembered', { fingerprint: html`<code>${this.deviceFingerprint}</code>` })}
            <button type="button" class="link" @click=${this.forget}>${t('lobby.forget')}</button>
          </p>`
        : nothing}
    </div>`;
  }

  /** Disabled where no relay is on offer, unless already on (so it can be turned off). */
  private renderHideAddress() {
    const on = this.session?.addressPolicy === 'relay-only';
    const unavailable = this.session?.relayOffer === 'none';
    return html`<div class="hide-address">
      <label class="check">
        <input
          type="checkbox"
          aria-describedby="hide-address-note"
          .checked=${on}
          ?disabled=${unavailable && !on}
          @change=${(e: Event) => this.setHideAddress((e.target as HTMLInputElement).checked ? 'relay-only' : 'any-route')}
        />
        <span>${t('lobby.hideAddress')}</span>
      </label>
      <p id="hide-address-note" class="muted small">${unavailable ? t('lobby.hideAddressUnavailable') : t('lobby.hideAddressHint')}</p>
    </div>`;
  }

  private setHideAddress(policy: AddressPolicy): void {
    this.session?.setAddressPolicy(policy);
    try {
      this.storage?.setItem(HIDE_ADDRESS_KEY, policy === 'relay-only' ? '1' : '0');
    } catch {
      // Not remembered (storage full or disabled); it applies to this conversation.
    }
  }

  private forget(): void {
    this.dispatchEvent(new CustomEvent('forget-device', { bubbles: true, composed: true }));
  }

  private renderInvited() {
    return html`
      <p class="muted">${t('lobby.invited')}</p>
      <button type="submit" data-action="join" ?disabled=${this.busy}>${t('lobby.join')}</button>
    `;
  }

  private renderChoice() {
    return html`
      <button type="submit" data-action="create" ?disabled=${this.busy}>${t('lobby.create')}</button>
      <div class="or" aria-hidden="true">${t('lobby.or')}</div>
      <div>
        <label for="code">${t('lobby.code')}</label>
        <div class="row">
          <input
            id="code"
            name="code"
            autocomplete="off"
            spellcheck="false"
            placeholder=${t('lobby.codePlaceholder')}
            .value=${this.code}
            @input=${this.onCodeInput}
            @keydown=${this.onCodeKeydown}
          />
          <button type="button" class="secondary" data-action="join" ?disabled=${this.busy} @click=${() => this.join()}>${t('lobby.join')}</button>
        </div>
      </div>
    `;
  }

  private onCodeInput(event: Event): void {
    this.code = (event.target as HTMLInputElement).value;
    // Someone typing or pasting a code is about to join: the connection code loads meanwhile.
    if (this.code.trim()) this.session?.prepareToJoin();
  }

  private onCodeKeydown(event: KeyboardEvent): void {
    // Enter in the code field means Join, not the form's first button (Create room).
    if (event.key === 'Enter') {
      event.preventDefault();
      this.join();
    }
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    if (this.invitedCode) this.join();
    else this.dispatchEvent(new CustomEvent<CreateRoomDetail>('create-room', { detail: { name: this.name, remember: this.remember }, bubbles: true, composed: true }));
  }

  private join(): void {
    const code = this.invitedCode || this.code;
    this.dispatchEvent(new CustomEvent<JoinRoomDetail>('join-room', { detail: { name: this.name, code, remember: this.remember }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'duet-lobby': DuetLobby;
  }
}
