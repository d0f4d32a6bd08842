/**
 * Entry point: checks the page can do cryptography at all, reads the invite from
 * the URL fragment (and removes it from the address bar), then starts the app.
 */
import { DuetError } from './core/errors.ts';
import { loadConfig } from './config.ts';
import { describeError, t } from './i18n/i18n.ts';
import { Session } from './session/session.ts';
import { connectSignaling } from './transport/signaling-client.ts';
import { applyTheme, savedTheme } from './ui/theme.ts';
import { applyLocale, initialLocale } from './ui/locale.ts';
import { IndexedDbDeviceStore } from './storage/device-store.ts';
import { prepareCertificate } from './transport/certificate.ts';
import { workerChecksum } from './storage/worker-checksum.ts';

const PENDING_CODE_KEY = 'duet.invite';

/**
 * WebRTC's library (simple-peer and its stream base, about a third of the start-up
 * script): fetched as a conversation starts, alongside the server connection and the
 * room's keys, not for the lobby. The module is fetched once; later calls share it.
 */
const loadPeerLinks = () => import('./transport/peer-link.ts').then((module) => module.createPeerLink);

function showFatal(code: 'insecure-context' | 'crypto-unavailable' | 'peer-unavailable', detail: string): void {
  const root = document.getElementById('app');
  if (!root) return;
  const box = document.createElement('div');
  box.setAttribute('role', 'alert');
  box.className = 'fatal';
  const title = document.createElement('h1');
  title.textContent = t('fatal.title');
  const message = document.createElement('p');
  message.textContent = describeError({ code });
  const hint = document.createElement('p');
  hint.textContent = detail;
  box.append(title, message, hint);
  root.replaceChildren(box);
}

/**
 * The fragment as text. A malformed percent-escape (a link cut short, or made by
 * hand) is kept as it is: the join flow then refuses it as an unreadable code
 * (invalid-code), which says what is wrong instead of the page failing to start.
 */
function fragmentText(fragment: string): string {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

/**
 * The invite code lives in the #fragment, which browsers never send to a server.
 * It is taken out of the address bar (so it does not linger in history or get
 * shared by accident) and kept in this tab's sessionStorage, so a reload still works.
 */
function takeInvitedCode(): string {
  const fromHash = fragmentText(location.hash.slice(1)).trim();
  if (fromHash) {
    try {
      sessionStorage.setItem(PENDING_CODE_KEY, fromHash);
    } catch {
      // No sessionStorage: the code still works for this page load.
    }
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  try {
    return sessionStorage.getItem(PENDING_CODE_KEY) ?? '';
  } catch {
    return '';
  }
}

function safeLocalStorage(): Storage | undefined {
  try {
    return localStorage;
  } catch {
    return undefined;
  }
}

async function start(): Promise<void> {
  // The theme first, so nothing flashes in the wrong colours; then the language
  // (the person's choice, else the browser's), so even a start-up failure is readable.
  try {
    applyTheme(savedTheme(localStorage));
  } catch {
    applyTheme('system');
  }
  // Another language than English is its own chunk: fetched before the first screen,
  // so nothing shows in the wrong language; if it cannot load, the app starts in English and says so.
  const languageError = await applyLocale(initialLocale(safeLocalStorage(), navigator.languages ?? [navigator.language])).then(
    () => undefined,
    (error: unknown) => new DuetError('app-load-failed', 'language', { cause: error }),
  );
  if (!window.isSecureContext) {
    showFatal(
      'insecure-context',
      t('fatal.insecure', { origin: location.origin }),
    );
    return;
  }
  if (!globalThis.crypto?.subtle) {
    showFatal('crypto-unavailable', t('fatal.crypto'));
    return;
  }
  if (typeof RTCPeerConnection !== 'function') {
    showFatal('peer-unavailable', t('fatal.webrtc'));
    return;
  }
  const config = loadConfig(import.meta.env, location);
  // Made while the lobby shows, so connecting does not wait for it.
  prepareCertificate();
  const invitedCode = takeInvitedCode();
  // Opened from an invite, the person is about to join: the link code is fetched now.
  if (invitedCode) loadPeerLinks().catch(() => {
    // Join tries again, and says so if it cannot.
  });
  await import('./ui/duet-app.ts');
  const app = document.createElement('duet-app');
  app.environment = {
    newSession: () =>
      new Session({
        signalingUrl: config.signalingUrl,
        appUrl: location.origin + location.pathname + location.search,
        iceServers: config.iceServers,
        handshake: config.handshake,
        transport: { connectSignaling, loadPeerLinks },
        createChecksum: workerChecksum,
      }),
    storage: safeLocalStorage(),
    invitedCode,
    deviceStore: typeof indexedDB === 'undefined' ? undefined : new IndexedDbDeviceStore(),
    ...(languageError ? { startupError: languageError } : {}),
    rememberInvite: (code) => {
      try {
        sessionStorage.setItem(PENDING_CODE_KEY, code);
      } catch {
        // Without sessionStorage a reload simply starts over.
      }
    },
    forgetInvite: () => {
      try {
        sessionStorage.removeItem(PENDING_CODE_KEY);
      } catch {
        // nothing to forget
      }
    },
  };
  document.getElementById('app')?.replaceChildren(app);
  // A diagnostics hook (also used by the end-to-end tests): break the peer connection
  // as a network failure would, to watch Duet reconnect, and read connection counters,
  // the ICE candidates and the route, Direct or Relayed (what any page can learn from its
  // own RTCPeerConnection).
  // It reveals no message, key or secret.
  Object.defineProperty(window, '__duet', {
    value: Object.freeze({
      simulateConnectionLoss: () => app.session?.simulateConnectionLoss(),
      diagnostics: () => app.session?.diagnostics(),
    }),
  });

  // Opening another invite link in this tab changes only the fragment, which does not
  // reload the page: start afresh so the new invite is read like any other.
  window.addEventListener('hashchange', () => {
    if (location.hash.length > 1) location.reload();
  });
}

/** The offline app shell (production builds only; the dev server changes too often). */
function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('./sw.js').catch(() => {
    // Without it Duet still works online; offline loading is the only loss.
  });
}

void start();
registerServiceWorker();
