import { css } from 'lit';
import { baseStyles } from './styles.ts';

export const duetIdentityWarningStyles = [
  baseStyles,
  css`
    :host {
      display: block;
    }
    .warning {
      border: 2px solid var(--duet-danger);
      border-radius: 12px;
      padding: 1rem;
      background: var(--duet-surface);
    }
    .warning h2 {
      margin: 0 0 0.5rem;
      font-size: 1.1rem;
      color: var(--duet-danger);
    }
    .warning .actions {
      display: flex;
      gap: 0.5rem;
      flex-wrap: wrap;
    }
  `,
];
