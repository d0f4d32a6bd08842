import { css } from 'lit';
import { baseStyles } from './styles.ts';

export const duetChatStyles = [
  baseStyles,
  css`
    :host {
      display: grid;
      grid-template-rows: auto 1fr auto;
      gap: 0.75rem;
      min-height: 0;
    }
    /* Inherited by the message list's log, which draws it as the drop target's outline. */
    :host(.dropping) {
      --duet-drop-outline: 3px dashed var(--duet-accent);
    }
  `,
];
