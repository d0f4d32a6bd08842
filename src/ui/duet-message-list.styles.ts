import { css } from 'lit';
import { baseStyles } from './styles.ts';

export const duetMessageListStyles = [
  baseStyles,
  css`
    :host {
      display: block;
      min-height: 0;
      position: relative;
    }
    .log {
      padding: 0.75rem;
      overflow-y: auto;
      min-height: 12rem;
      max-height: 60vh;
      background: var(--duet-surface);
      border: 1px solid var(--duet-border);
      border-radius: 12px;
      /* Set by duet-chat while files are dragged over it. */
      outline: var(--duet-drop-outline, none);
      outline-offset: -6px;
    }
    /* What a new message costs must not grow with the items rendered (up to 300, see
       log-window.ts). Block flow, not flex: appending one item lays out that item, where a
       flex column measured all of them again. Paint containment on each item: the log
       repaints the items that changed, where it repainted every item each frame (traces
       of a 300-item log: 12 ms of paint per message, 2 ms with it; docs/PERFORMANCE.md). */
    ol {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    li {
      display: block;
      width: fit-content;
      max-width: 85%;
      margin-bottom: 0.5rem;
      padding: 0.45rem 0.7rem;
      border-radius: 12px;
      background: var(--duet-theirs);
      contain: paint;
    }
    li.me {
      background: var(--duet-mine);
      margin-left: auto;
    }
    .meta {
      font-size: 0.8rem;
      color: var(--duet-muted);
      display: flex;
      gap: 0.5rem;
    }
    .meta strong {
      color: var(--duet-text);
    }
    .text {
      white-space: pre-wrap;
      overflow-wrap: anywhere;
      margin: 0.1rem 0 0;
    }
    li.file {
      min-width: min(22rem, 85%);
    }
    .delivery {
      display: block;
      text-align: right;
      font-size: 0.75rem;
      color: var(--duet-muted);
    }
    .delivery.error {
      color: var(--duet-danger);
    }
    .retry {
      padding: 0.1rem 0.5rem;
      margin-left: 0.4rem;
      font-size: 0.75rem;
    }
    .earlier {
      display: block;
      margin: 0 auto 0.5rem;
      /* Earlier items go in above what the reader is looking at, which stays put. */
      overflow-anchor: none;
    }
    .end {
      height: 1px;
    }
    .newer {
      position: absolute;
      bottom: 0.75rem;
      left: 50%;
      transform: translateX(-50%);
      box-shadow: 0 2px 8px rgb(0 0 0 / 0.25);
    }
    .empty {
      color: var(--duet-muted);
      text-align: center;
      margin: 0;
    }
  `,
];
