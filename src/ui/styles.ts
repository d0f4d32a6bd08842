import { css } from 'lit';

/** Shared look: system fonts, light and dark from the system setting, visible focus. */
export const baseStyles = css`
  :host {
    --duet-bg: #f6f7f9;
    --duet-surface: #ffffff;
    --duet-text: #1b1f24;
    --duet-muted: #57606a;
    --duet-border: #d0d7de;
    --duet-accent: #0b5fff;
    --duet-accent-text: #ffffff;
    --duet-mine: #dbe7ff;
    --duet-theirs: #eef0f3;
    --duet-danger: #b42318;
    --duet-ok: #116329;
    --duet-focus: 0 0 0 3px rgba(11, 95, 255, 0.45);
    color: var(--duet-text);
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    line-height: 1.45;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --duet-bg: #0d1117;
      --duet-surface: #161b22;
      --duet-text: #e6edf3;
      --duet-muted: #9da7b3;
      --duet-border: #30363d;
      --duet-accent: #4c8dff;
      --duet-accent-text: #0d1117;
      --duet-mine: #1d3461;
      --duet-theirs: #21262d;
      --duet-danger: #ff7b72;
      --duet-ok: #56d364;
      --duet-focus: 0 0 0 3px rgba(76, 141, 255, 0.6);
    }
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
