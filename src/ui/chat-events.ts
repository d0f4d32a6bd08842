/**
 * What the conversation's parts tell duet-chat, which shows the one sending error
 * under the composer (whether a message, a retry or a file failed to go).
 */
import type { DuetError } from '../core/errors.ts';

/** A send starts (clearing the last error) or fails. */
export type SendReport = { kind: 'started' } | { kind: 'failed'; error: DuetError };

export function sendReport(report: SendReport): CustomEvent<SendReport> {
  return new CustomEvent('send-report', { detail: report });
}

/** Files picked with "Attach file", to be sent like dropped ones. */
export function filesChosen(files: File[]): CustomEvent<File[]> {
  return new CustomEvent('files-chosen', { detail: files });
}

declare global {
  interface HTMLElementEventMap {
    'send-report': CustomEvent<SendReport>;
    'files-chosen': CustomEvent<File[]>;
  }
}
