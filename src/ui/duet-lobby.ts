import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { t, tParts } from '../i18n/i18n.ts';
import { LocaleController } from './locale.ts';
import { baseStyles } from './styles.ts';

export interface CreateRoomDetail {
  name: string;
  remember: boolean;
}
export interface JoinRoomDetail extends CreateRoomDetail {
  code: string;
}

/**
 * The first screen: a name, then either "Create room" or a code and "Join".
 * With an invite link (`invited`), it asks only for the name.
 */
@customElement('duet-lobby')
export class DuetLobby extends LitElement {
  @property() name = '';
  /** The code from the invite link's #fragment, if the page was opened from one. */
  @property() invitedCode = '';
  @property() errorText = '';
  @property({ type: Boolean }) busy = false;
  /** "Remember me on this device" is ticked. */
  @property({ type: Boolean }) remember = false;
  /** Fingerprint of this device's remembered identity, if it has one. */
  @property() deviceFingerprint = '';
  @state() private code = '';

  constructor() {
    super();
    new LocaleController(this);
  }

  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        gap: 1rem;
      }
      .or {
        text-align: center;
        color: var(--duet-muted);
      }
      .row {
        display: flex;
        gap: 0.5rem;
      }
      .row input {
        flex: 1;
      }
      h2 {
        margin: 0;
        font-size: 1.1rem;
      }
      label.check {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        font-weight: 500;
        margin: 0;
      }
      label.check input {
        width: auto;
      }
      .small {
        font-size: 0.85rem;
        margin: 0.25rem 0 0;
      }
      button.link {
        background: none;
        border: none;
        color: var(--duet-accent);
        padding: 0;
        text-decoration: underline;
        font-weight: 500;
      }
    `,
  ];

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
          ${this.renderRemember()}
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
            @input=${(e: Event) => (this.code = (e.target as HTMLInputElement).value)}
            @keydown=${this.onCodeKeydown}
          />
          <button type="button" class="secondary" data-action="join" ?disabled=${this.busy} @click=${() => this.join()}>${t('lobby.join')}</button>
        </div>
      </div>
    `;
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
