import { css } from 'lit';

/** The status line's own styles (baseStyles come first). */
export const statusStyles = css`
  :host {
    display: block;
  }
  p {
    margin: 0;
    padding: 0.5rem 0.75rem;
    border-radius: 8px;
    background: var(--duet-surface);
    border: 1px solid var(--duet-border);
    display: flex;
    gap: 0.5rem;
    align-items: center;
  }
  .dot {
    width: 0.6rem;
    height: 0.6rem;
    border-radius: 50%;
    background: var(--duet-muted);
    flex: none;
  }
  [data-phase='secure'] .dot {
    background: var(--duet-ok);
  }
  [data-phase='failed'] .dot,
  [data-phase='ended'] .dot {
    background: var(--duet-danger);
  }
  [data-phase='failed'] {
    color: var(--duet-danger);
  }
  .notices {
    margin-top: 0.5rem;
    display: grid;
    gap: 0.25rem;
  }
  .notice {
    display: flex;
    justify-content: space-between;
    gap: 0.5rem;
    align-items: center;
    color: var(--duet-danger);
    border: 1px solid var(--duet-danger);
    border-radius: 8px;
    padding: 0.35rem 0.6rem;
  }
  .notice button {
    padding: 0.2rem 0.5rem;
  }
  .route {
    color: var(--duet-muted);
  }
`;
