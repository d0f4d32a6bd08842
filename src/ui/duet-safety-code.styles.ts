import { css } from 'lit';
import { baseStyles } from './styles.ts';

export const duetSafetyCodeStyles = [
  baseStyles,
  css`
    :host {
      display: block;
    }
    .safety {
      background: var(--duet-surface);
      border: 1px solid var(--duet-border);
      border-radius: 12px;
      padding: 0.75rem 1rem;
    }
    .identity {
      margin: 0.4rem 0 0;
      font-size: 0.9rem;
    }
    .identity.ok {
      color: var(--duet-ok);
    }
    .verify {
      margin-top: 0.5rem;
    }
    .verified {
      color: var(--duet-ok);
      font-weight: 600;
    }
    .safety code {
      font-size: 1.1rem;
      letter-spacing: 0.05em;
      display: block;
      margin: 0.25rem 0;
      word-spacing: 0.3em;
    }
  `,
];
