import { css } from 'lit';
import { baseStyles } from './styles.ts';

export const duetInviteStyles = [
  baseStyles,
  css`
    :host {
      display: block;
    }
    .card {
      justify-items: start;
    }
    .link {
      font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
      word-break: break-all;
      user-select: all;
    }
    code.short {
      display: block;
      font-size: 1.4rem;
      font-weight: 600;
      margin: 0.2rem 0;
    }
    img {
      width: 220px;
      height: 220px;
      background: #fff;
      border-radius: 8px;
    }
    h2 {
      margin: 0;
      font-size: 1.1rem;
    }
  `,
];
