import { LitElement, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { DuetError } from '../core/errors.ts';
import { LANGUAGE_NAMES, LOCALES, type Locale, type MessageKey, currentLocale, parseLocale, t } from '../i18n/i18n.ts';
import type { AttentionController } from './attention.ts';
import { duetPreferencesStyles } from './duet-preferences.styles.ts';
import { LocaleController, applyLocale } from './locale.ts';
import { type ThemeChoice, applyTheme, followSystemTheme, nextTheme, savedTheme } from './theme.ts';

const SOUND_KEY = 'duet.sound';
const THEME_LABELS = { system: 'app.theme.system', light: 'app.theme.light', dark: 'app.theme.dark' } as const satisfies Record<ThemeChoice, MessageKey>;

/** Whether the language the person picked could be loaded (its chunk may not be cached offline). */
export type LanguageOutcome = { kind: 'applied' } | { kind: 'failed'; error: DuetError };

/**
 * The header's preferences, each remembered in `storage`: the language, the theme
 * (system, light, dark) and the chime for messages that arrive while the tab is hidden.
 * Reports a language switch as a `language-change` event.
 */
@customElement('duet-preferences')
export class DuetPreferences extends LitElement {
  @property({ attribute: false }) storage: Pick<Storage, 'getItem' | 'setItem'> | undefined;
  /** Plays the chime when `soundOn`. */
  @property({ attribute: false }) attention: Pick<AttentionController, 'soundOn'> | undefined;
  @state() private theme: ThemeChoice = 'system';
  @state() private soundOn = false;

  static override styles = duetPreferencesStyles;

  constructor() {
    super();
    new LocaleController(this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.theme = savedTheme(this.storage);
    applyTheme(this.theme);
    followSystemTheme(() => this.theme);
    this.soundOn = this.storage?.getItem(SOUND_KEY) === '1';
    if (this.attention) this.attention.soundOn = this.soundOn;
  }

  override render() {
    return html`
      ${this.renderLanguageSwitch()}
      <button type="button" class="secondary small" @click=${() => this.switchTheme()}>${t(THEME_LABELS[this.theme])}</button>
      <button type="button" class="secondary small" aria-pressed=${this.soundOn ? 'true' : 'false'} @click=${() => this.toggleSound()}>
        ${this.soundOn ? t('app.sound.on') : t('app.sound.off')}
      </button>
    `;
  }

  /** A select named "Language" in the current language; each option in its own language. */
  private renderLanguageSwitch() {
    const selected: Locale = currentLocale();
    return html`<select
      aria-label=${t('app.language')}
      .value=${live(selected)}
      @change=${(e: Event) => void this.switchLanguage((e.target as HTMLSelectElement).value)}
    >
      ${LOCALES.map((locale) => html`<option value=${locale} lang=${locale} ?selected=${locale === selected}>${LANGUAGE_NAMES[locale]}</option>`)}
    </select>`;
  }

  private switchTheme(): void {
    this.theme = nextTheme(this.theme);
    applyTheme(this.theme, this.storage);
  }

  private async switchLanguage(value: string): Promise<void> {
    const locale = parseLocale(value);
    if (!locale) return;
    let outcome: LanguageOutcome;
    try {
      await applyLocale(locale, this.storage);
      outcome = { kind: 'applied' };
    } catch (error) {
      // The language's chunk did not load (offline before it was ever cached): stay in this one.
      outcome = { kind: 'failed', error: new DuetError('app-load-failed', `language ${locale}`, { cause: error }) };
      // The select shows the language picked; render again so it goes back to the one in use.
      this.requestUpdate();
    }
    this.dispatchEvent(new CustomEvent<LanguageOutcome>('language-change', { detail: outcome }));
  }

  private toggleSound(): void {
    this.soundOn = !this.soundOn;
    if (this.attention) this.attention.soundOn = this.soundOn;
    try {
      this.storage?.setItem(SOUND_KEY, this.soundOn ? '1' : '0');
    } catch {
      // not remembered; it applies now
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'duet-preferences': DuetPreferences;
  }
}
