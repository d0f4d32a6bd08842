/**
 * How Lit elements see the SessionView: the app provides it through @lit/context,
 * and SessionController re-renders its host whenever the session changes.
 */
import { consume, createContext } from '@lit/context';
import { LitElement, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { property } from 'lit/decorators.js';
import type { SessionView } from '../session/view.ts';
import { LocaleController } from './locale.ts';

export const sessionContext = createContext<SessionView | undefined>(Symbol('duet-session'));

export class SessionController implements ReactiveController {
  private unsubscribe: (() => void) | undefined;
  private current: SessionView | undefined;

  constructor(private readonly host: ReactiveControllerHost & { session?: SessionView | undefined }) {
    host.addController(this);
  }

  hostConnected(): void {
    this.sync();
  }

  hostUpdate(): void {
    this.sync();
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.current = undefined;
  }

  /** Follows the host's `session` property, including when it is replaced. */
  private sync(): void {
    if (this.host.session === this.current) return;
    this.unsubscribe?.();
    this.current = this.host.session;
    this.unsubscribe = this.current?.subscribe(() => this.host.requestUpdate());
  }
}

/** Base of the elements that show the session the app provides, re-rendering as it or the language changes. */
export class SessionConsumer extends LitElement {
  @consume({ context: sessionContext, subscribe: true })
  @property({ attribute: false })
  session: SessionView | undefined;

  constructor() {
    super();
    new SessionController(this);
    new LocaleController(this);
  }
}
