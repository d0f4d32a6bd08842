/** How the report writes each unit (figures carry these strings as their display). */
import { round } from './stats.ts';

export const ms = (value: number) => `${round(value)} ms`;
export const mibs = (value: number) => `${round(value)} MiB/s`;
export const perSecond = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`;
export const msPerMiB = (value: number) => `${round(value)} ms/MiB`;
export const percent = (share: number) => `${Math.round(share * 100)}%`;
export const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
export const MB = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
