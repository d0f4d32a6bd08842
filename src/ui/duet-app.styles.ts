import { css } from 'lit';
import { baseStyles } from './styles.ts';

export const duetAppStyles = [
  baseStyles,
  css`
    :host {
      display: block;
      min-height: 100vh;
      background: var(--duet-bg);
    }
    main {
      max-width: 44rem;
      margin: 0 auto;
      padding: 1rem;
      display: grid;
      gap: 1rem;
    }
    header {
      display: flex;
      justify-content: space-between;
      align-items: center;
      gap: 1rem;
    }
    h1 {
      margin: 0;
      font-size: 1.5rem;
    }
    .actions {
      display: flex;
      gap: 0.5rem;
      flex-wrap: wrap;
      justify-content: flex-end;
      align-items: center;
    }
    button.small {
      padding: 0.3rem 0.6rem;
      font-size: 0.85rem;
    }
    .offer {
      margin: 0;
      font-size: 0.9rem;
    }
    .tagline {
      margin: 0;
      color: var(--duet-muted);
    }
  `,
];
