import { css } from 'lit';
import { baseStyles } from './styles.ts';

export const duetComposerStyles = [
  baseStyles,
  css`
    :host {
      display: block;
    }
    .drop-hint {
      font-size: 0.85rem;
      color: var(--duet-muted);
      margin: 0.25rem 0 0;
    }
    form {
      display: grid;
      grid-template-columns: 1fr auto auto;
      gap: 0.5rem;
      align-items: end;
    }
    form label {
      grid-column: 1 / -1;
    }
    textarea {
      resize: vertical;
      min-height: 2.75rem;
      max-height: 12rem;
    }
    .typing {
      min-height: 1.2rem;
      margin: 0 0 0.25rem;
      font-size: 0.85rem;
      color: var(--duet-muted);
      font-style: italic;
    }
  `,
];
