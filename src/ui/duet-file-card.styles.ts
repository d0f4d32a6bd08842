import { css } from 'lit';
import { baseStyles } from './styles.ts';

export const duetFileCardStyles = [
  baseStyles,
  css`
    :host {
      display: block;
    }
    .name {
      font-weight: 600;
      overflow-wrap: anywhere;
      margin: 0.15rem 0;
    }
    .meta {
      font-size: 0.8rem;
      color: var(--duet-muted);
      display: flex;
      gap: 0.5rem;
      flex-wrap: wrap;
    }
    .meta strong {
      color: var(--duet-text);
    }
    progress {
      width: 100%;
      height: 0.6rem;
      accent-color: var(--duet-accent);
    }
    .figures {
      font-size: 0.8rem;
      color: var(--duet-muted);
      margin: 0.1rem 0 0.3rem;
    }
    .actions {
      display: flex;
      gap: 0.5rem;
      flex-wrap: wrap;
      align-items: center;
      margin-top: 0.35rem;
    }
    .actions button,
    .actions a {
      padding: 0.3rem 0.8rem;
      font-size: 0.9rem;
    }
    /* On the tinted message bubble the outline style lacks contrast: give it the page surface. */
    .actions button.secondary {
      background: var(--duet-surface);
    }
    a.save {
      display: inline-block;
      border-radius: 8px;
      background: var(--duet-accent);
      color: var(--duet-accent-text);
      font-weight: 600;
      text-decoration: none;
    }
    .outcome {
      font-size: 0.85rem;
      margin: 0.2rem 0 0;
    }
    .outcome.ok {
      color: var(--duet-ok);
    }
    .warning {
      font-size: 0.85rem;
      color: var(--duet-danger);
      margin: 0.2rem 0;
    }
    img {
      display: block;
      max-width: min(100%, 320px);
      max-height: 240px;
      border-radius: 8px;
      margin-top: 0.4rem;
    }
  `,
];
