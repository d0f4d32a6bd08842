import { css } from 'lit';

/** The lobby's own styles (baseStyles come first). */
export const lobbyStyles = css`
  :host {
    display: block;
  }
  form {
    display: grid;
    gap: 1rem;
  }
  .or {
    text-align: center;
    color: var(--duet-muted);
  }
  .row {
    display: flex;
    gap: 0.5rem;
  }
  .row input {
    flex: 1;
  }
  h2 {
    margin: 0;
    font-size: 1.1rem;
  }
  label.check {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    font-weight: 500;
    margin: 0;
  }
  label.check input {
    width: auto;
  }
  .small {
    font-size: 0.85rem;
    margin: 0.25rem 0 0;
  }
  button.link {
    background: none;
    border: none;
    color: var(--duet-accent);
    padding: 0;
    text-decoration: underline;
    font-weight: 500;
  }
  .hide-address input:disabled + span {
    color: var(--duet-muted);
  }
`;
