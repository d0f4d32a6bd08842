/**
 * Light and dark themes: follows the system setting unless the person picks one.
 * The choice is applied as data-theme on <html>, where src/page.css defines the
 * colours every element inherits.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

const THEME_KEY = 'duet.theme';
const darkQuery = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;

export function savedTheme(storage: Pick<Storage, 'getItem'> | undefined): ThemeChoice {
  const value = storage?.getItem(THEME_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export function applyTheme(choice: ThemeChoice, storage?: Pick<Storage, 'setItem'>): void {
  const dark = choice === 'dark' || (choice === 'system' && darkQuery?.matches === true);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  try {
    storage?.setItem(THEME_KEY, choice);
  } catch {
    // Not remembered; it still applies now.
  }
}

/** Keeps "system" in step when the system setting changes. */
export function followSystemTheme(current: () => ThemeChoice): void {
  darkQuery?.addEventListener('change', () => {
    if (current() === 'system') applyTheme('system');
  });
}

export function nextTheme(choice: ThemeChoice): ThemeChoice {
  return choice === 'system' ? 'light' : choice === 'light' ? 'dark' : 'system';
}
