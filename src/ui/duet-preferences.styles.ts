import { css } from 'lit';
import { baseStyles } from './styles.ts';

export const duetPreferencesStyles = [
  baseStyles,
  css`
    /* The controls sit in the header's row of actions as if they were its own children. */
    :host {
      display: contents;
    }
    select {
      font: inherit;
      font-size: 0.85rem;
      color: var(--duet-accent);
      background: transparent;
      border: 1px solid var(--duet-accent);
      border-radius: 8px;
      padding: 0.3rem 0.4rem;
      cursor: pointer;
    }
    select option {
      color: var(--duet-text);
      background: var(--duet-surface);
    }
    button.small {
      padding: 0.3rem 0.6rem;
      font-size: 0.85rem;
    }
  `,
];
