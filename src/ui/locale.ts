/**
 * The page's language: picked from the browser's preferences unless the person chose
 * one (kept in localStorage), applied as <html lang>, and LocaleController re-renders
 * an element whenever it changes. Every element that shows text adds one
 * (SessionConsumer does it for its subclasses).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type Locale, detectLocale, loadLocale, onLocaleChange, parseLocale, setLocale } from '../i18n/i18n.ts';

const LOCALE_KEY = 'duet.locale';

/** The person's earlier choice, else what the browser asks for (`navigator.languages`). */
export function initialLocale(storage: Pick<Storage, 'getItem'> | undefined, languages: readonly string[]): Locale {
  let saved: string | null | undefined;
  try {
    saved = storage?.getItem(LOCALE_KEY);
  } catch {
    saved = undefined;
  }
  return parseLocale(saved) ?? detectLocale(languages);
}

/**
 * Switches the language once its messages are loaded; with `storage`, remembers it as
 * the person's choice. Rejects (and changes nothing) if they cannot be loaded.
 */
export async function applyLocale(locale: Locale, storage?: Pick<Storage, 'setItem'>): Promise<void> {
  await loadLocale(locale);
  document.documentElement.lang = locale;
  setLocale(locale);
  try {
    storage?.setItem(LOCALE_KEY, locale);
  } catch {
    // Not remembered; it still applies now.
  }
}

export class LocaleController implements ReactiveController {
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.unsubscribe ??= onLocaleChange(() => this.host.requestUpdate());
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}
