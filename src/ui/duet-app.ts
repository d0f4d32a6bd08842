import { provide } from '@lit/context';
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { DuetError, toDuetError } from '../core/errors.ts';
import { normaliseName } from '../core/names.ts';
import { describeError, t } from '../i18n/i18n.ts';
import { identityFingerprint } from '../core/identity.ts';
import { loadOrCreateDeviceIdentity } from '../session/peer-trust.ts';
import type { SessionView } from '../session/view.ts';
import type { DeviceStore } from '../storage/device-store.ts';
import type { CreateRoomDetail, JoinRoomDetail } from './duet-lobby.ts';
import { AttentionController, canOfferNotifications, forgetNotificationState } from './attention.ts';
import { duetAppStyles } from './duet-app.styles.ts';
import type { LanguageOutcome } from './duet-preferences.ts';
import { LocaleController } from './locale.ts';
import { sessionContext, SessionController } from './session-context.ts';
import './duet-lobby.ts';
import './duet-preferences.ts';
import './duet-status.ts';

/**
 * The invite and chat screens (with the QR code and file code they pull in) load
 * right after the lobby is shown: the first paint needs neither.
 */
const loadLaterScreens = () => Promise.all([import('./duet-invite.ts'), import('./duet-chat.ts')]);

const NAME_KEY = 'duet.name';
const REMEMBER_KEY = 'duet.remember';

/** Everything the app needs from its surroundings, so the element stays testable. */
export interface AppEnvironment {
  newSession(): SessionView;
  storage: Pick<Storage, 'getItem' | 'setItem'> | undefined;
  /** The invite code from the URL fragment, already removed from the address bar. */
  invitedCode: string;
  /** Where "Remember me on this device" keeps its keys; undefined where storage is unavailable. */
  deviceStore: DeviceStore | undefined;
  /** Keeps this tab's invite (sessionStorage), so a reload can rejoin the same room. */
  rememberInvite(code: string): void;
  forgetInvite(): void;
  /** Something that failed while the page started (the language's messages did not load), shown until resolved. */
  startupError?: DuetError;
}

/**
 * The app shell: the header (preferences, Leave or New conversation), the offer to
 * notify, and the screen for the session's phase (lobby; status with the invite or the
 * chat). It provides the session to the elements below and remembers the person's
 * name and "Remember me on this device" choice.
 */
@customElement('duet-app')
export class DuetApp extends LitElement {
  @property({ attribute: false }) environment: AppEnvironment | undefined;

  @provide({ context: sessionContext })
  @state()
  session: SessionView | undefined;

  @state() private lobbyError: DuetError | undefined;
  @state() private invitedCode = '';
  @state() private remember = false;
  @state() private deviceFingerprint = '';
  @state() private notificationsAsked = false;
  @state() private loadError: DuetError | undefined;
  private readonly attention = new AttentionController(() => this.session);
  private savedName = '';
  private rememberedInvite = '';

  constructor() {
    super();
    new SessionController(this);
    new LocaleController(this);
  }

  static override styles = duetAppStyles;

  override connectedCallback(): void {
    super.connectedCallback();
    const env = this.environment;
    if (!env) return;
    this.session = env.newSession();
    this.loadError = env.startupError;
    this.invitedCode = env.invitedCode;
    this.savedName = env.storage?.getItem(NAME_KEY) ?? '';
    this.remember = env.storage?.getItem(REMEMBER_KEY) === '1';
    void this.showDeviceFingerprint();
    window.addEventListener('pagehide', this.onPageHide);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('pagehide', this.onPageHide);
  }

  private readonly onPageHide = () => this.session?.leave();

  private rememberName(name: string): void {
    try {
      this.environment?.storage?.setItem(NAME_KEY, normaliseName(name));
    } catch {
      // Storage may be full or disabled (private mode): remembering is a convenience.
    }
  }

  private async showDeviceFingerprint(): Promise<void> {
    // Storage is not even opened unless the person opted in on this device.
    if (this.environment?.storage?.getItem(REMEMBER_KEY) !== '1') {
      this.deviceFingerprint = '';
      return;
    }
    const identity = await this.environment.deviceStore?.loadIdentity().catch(() => undefined);
    this.deviceFingerprint = identity ? await identityFingerprint(identity.publicKey) : '';
  }

  private async onForgetDevice(): Promise<void> {
    try {
      await this.environment?.deviceStore?.clear();
      this.environment?.storage?.setItem(REMEMBER_KEY, '0');
      this.remember = false;
      this.deviceFingerprint = '';
      this.lobbyError = undefined;
    } catch (error) {
      this.lobbyError = toDuetError(error, 'storage-unavailable');
    }
  }

  private async onCreate(event: CustomEvent<CreateRoomDetail>): Promise<void> {
    await this.enter(event.detail, (session) => session.createRoom(event.detail.name));
  }

  private async onJoin(event: CustomEvent<JoinRoomDetail>): Promise<void> {
    await this.enter(event.detail, (session) => session.joinRoom(event.detail.name, event.detail.code));
  }

  private async enter(detail: CreateRoomDetail, action: (session: SessionView) => Promise<void>): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.lobbyError = undefined;
    try {
      this.environment?.storage?.setItem(REMEMBER_KEY, detail.remember ? '1' : '0');
      this.remember = detail.remember;
      if (detail.remember) {
        const store = this.environment?.deviceStore;
        if (!store) throw new DuetError('storage-unavailable');
        session.useDevice(await loadOrCreateDeviceIdentity(store).catch((e: unknown) => Promise.reject(toDuetError(e, 'storage-unavailable'))), store);
      }
      await action(session);
      this.rememberName(detail.name);
    } catch (error) {
      this.lobbyError = toDuetError(error, 'server-error');
    }
  }

  override willUpdate(): void {
    this.attention.update();
    // The creator's own invite is kept for this tab too: after a reload it rejoins.
    const code = this.session?.invite?.code;
    if (code && code !== this.rememberedInvite) {
      this.rememberedInvite = code;
      this.environment?.rememberInvite(code);
    }
  }

  private startOver(): void {
    this.session?.leave();
    this.environment?.forgetInvite();
    this.rememberedInvite = '';
    this.invitedCode = '';
    this.lobbyError = undefined;
    this.session = this.environment?.newSession();
    this.attention.reset();
    void this.showDeviceFingerprint();
  }

  private onLanguageChange(event: CustomEvent<LanguageOutcome>): void {
    const outcome = event.detail;
    this.loadError = outcome.kind === 'failed' ? outcome.error : undefined;
  }

  private async askForNotifications(): Promise<void> {
    this.notificationsAsked = true;
    await Notification.requestPermission();
    forgetNotificationState();
    this.requestUpdate();
  }

  protected override firstUpdated(): void {
    loadLaterScreens().catch((error: unknown) => {
      this.loadError = new DuetError('app-load-failed', undefined, { cause: error });
    });
  }

  override render() {
    const session = this.session;
    return html`
      <main>
        <header>
          <div>
            <h1>${t('app.name')}</h1>
            <p class="tagline">${t('app.tagline')}</p>
          </div>
          <div class="actions">
            <duet-preferences .storage=${this.environment?.storage} .attention=${this.attention} @language-change=${this.onLanguageChange}></duet-preferences>
            ${session && session.status.phase !== 'lobby' ? this.renderLeave(session) : nothing}
          </div>
        </header>
        ${session && !this.notificationsAsked && canOfferNotifications(this.attention)
          ? html`<p class="offer">
              ${t('app.notify.offer')}
              <button type="button" class="secondary small" @click=${() => void this.askForNotifications()}>${t('app.notify.button')}</button>
            </p>`
          : nothing}
        ${this.loadError ? html`<p class="error" role="alert">${describeError(this.loadError)}</p>` : nothing}
        ${session ? this.renderScreen(session) : nothing}
      </main>
    `;
  }

  private renderLeave(session: SessionView) {
    const over = session.status.phase === 'ended' || session.status.phase === 'failed';
    return over
      ? html`<button type="button" @click=${() => this.startOver()}>${t('app.newConversation')}</button>`
      : html`<button type="button" class="secondary" @click=${() => this.leave(session)}>${t('app.leave')}</button>`;
  }

  /** The person left on purpose: a reload must not offer the room again (a closed tab or a reload still can, through pagehide). */
  private leave(session: SessionView): void {
    session.leave();
    this.environment?.forgetInvite();
  }

  private renderScreen(session: SessionView) {
    const status = session.status;
    if (status.phase === 'lobby') {
      return html`<duet-lobby
        .name=${this.savedName}
        .invitedCode=${this.invitedCode}
        .errorText=${this.lobbyError ? describeError(this.lobbyError) : ''}
        .remember=${this.remember}
        .deviceFingerprint=${this.deviceFingerprint}
        .storage=${this.environment?.storage}
        @forget-device=${this.onForgetDevice}
        @create-room=${this.onCreate}
        @join-room=${this.onJoin}
      ></duet-lobby>`;
    }
    return html`
      <duet-status></duet-status>
      ${status.phase === 'waiting' ? html`<duet-invite .invite=${status.invite} @request-short-code=${() => session.requestShortCode()}></duet-invite>` : nothing}
      ${status.phase === 'opening' || status.phase === 'waiting' || (status.phase === 'failed' && session.messages.length === 0)
        ? nothing
        : html`<duet-chat></duet-chat>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'duet-app': DuetApp;
  }
}
