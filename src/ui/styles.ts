import { css } from 'lit';

/** Shared look: system fonts, the page's theme colours, visible focus. */
export const baseStyles = css`
  /* Colours are custom properties set on the page (src/page.css): they inherit into
     every shadow root, so one theme switch restyles everything. */
  :host {
    color: var(--duet-text);
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    line-height: 1.45;
  }
  * {
    box-sizing: border-box;
  }
  button,
  input,
  textarea {
    font: inherit;
    color: inherit;
  }
  button {
    cursor: pointer;
    border: 1px solid var(--duet-accent);
    background: var(--duet-accent);
    color: var(--duet-accent-text);
    border-radius: 8px;
    padding: 0.55rem 1rem;
    font-weight: 600;
  }
  button.secondary {
    background: transparent;
    color: var(--duet-accent);
  }
  button:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }
  input,
  textarea {
    background: var(--duet-surface);
    border: 1px solid var(--duet-border);
    border-radius: 8px;
    padding: 0.55rem 0.7rem;
    width: 100%;
  }
  :focus-visible {
    outline: none;
    box-shadow: var(--duet-focus);
  }
  label {
    display: block;
    font-weight: 600;
    margin-bottom: 0.25rem;
  }
  .error {
    color: var(--duet-danger);
  }
  .card {
    background: var(--duet-surface);
    border: 1px solid var(--duet-border);
    border-radius: 12px;
    padding: 1.25rem;
    display: grid;
    gap: 1rem;
  }
  .muted {
    color: var(--duet-muted);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
