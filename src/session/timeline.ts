/**
 * The conversation as the log shows it: messages and file transfers in the order
 * they happened here (their shared `position`, not the peers' clocks).
 *
 * Kept incrementally, so a long conversation costs the same per change as a short
 * one: a new message is pushed at the end (positions only grow), a receipt replaces
 * the one item it changed (a new object, so a renderer comparing identities sees one
 * change), and nothing is ever sorted or copied whole. Only the rare item whose
 * position is not the newest (a file offer that waited for its send while messages
 * came in, a file sent again in its old place) is spliced in, found by binary search.
 */
import type { ChatMessage } from './conversation.ts';
import type { FileTransfer } from './file-transfers.ts';

export type TimelineItem =
  | { kind: 'message'; key: string; position: number; message: ChatMessage }
  | { kind: 'file'; key: string; position: number; transfer: FileTransfer };

/** What the UI reads: the length, and the items of a window (oldest first). */
export interface TimelineView {
  readonly length: number;
  /** The items from `start` (inclusive) to `end` (exclusive, default the end): a new array of only those. */
  slice(start: number, end?: number): readonly TimelineItem[];
}

/** Unique per item: a peer may choose the same id as one of ours, so the side is part of it. */
export function messageKey(message: Pick<ChatMessage, 'from' | 'id'>): string {
  return `${message.from}:${message.id}`;
}

export function fileKey(transfer: Pick<FileTransfer, 'id'>): string {
  return `file:${transfer.id}`;
}

export class Timeline implements TimelineView {
  private readonly items: TimelineItem[] = [];
  /** The item shown under each key, to tell a changed object from an unchanged one. */
  private readonly byKey = new Map<string, TimelineItem>();
  /** The transfers as last shown, by id (files are few: comparing them all is cheap). */
  private shownFiles = new Map<string, FileTransfer>();

  get length(): number {
    return this.items.length;
  }

  slice(start: number, end?: number): readonly TimelineItem[] {
    return this.items.slice(start, end);
  }

  /** New or changed messages (the conversation says which). */
  showMessages(messages: readonly ChatMessage[]): void {
    for (const message of messages) {
      const key = messageKey(message);
      const shown = this.byKey.get(key);
      if (shown?.kind === 'message' && shown.message === message) continue;
      this.put({ kind: 'message', key, position: message.position, message });
    }
  }

  /**
   * The file transfers' list after any change: only transfers whose object changed
   * are replaced; a transfer gone from the list (replaced by its retry) leaves.
   */
  showFiles(transfers: readonly FileTransfer[]): void {
    const next = new Map(transfers.map((transfer) => [transfer.id, transfer]));
    // Leavers first: a retry takes the place (the position) of the transfer it replaces.
    for (const [id, transfer] of this.shownFiles) {
      if (!next.has(id)) this.remove(fileKey(transfer));
    }
    for (const transfer of transfers) {
      if (this.shownFiles.get(transfer.id) !== transfer) this.put({ kind: 'file', key: fileKey(transfer), position: transfer.position, transfer });
    }
    this.shownFiles = next;
  }

  private put(item: TimelineItem): void {
    const previous = this.byKey.get(item.key);
    this.byKey.set(item.key, item);
    const index = previous ? this.indexOf(previous.position) : -1;
    if (index >= 0 && previous!.position === item.position) {
      this.items[index] = item;
      return;
    }
    if (index >= 0) this.items.splice(index, 1);
    const last = this.items.at(-1);
    if (!last || last.position < item.position) this.items.push(item);
    else this.items.splice(this.insertionPoint(item.position), 0, item);
  }

  private remove(key: string): void {
    const item = this.byKey.get(key);
    if (!item) return;
    this.byKey.delete(key);
    const index = this.indexOf(item.position);
    if (index >= 0) this.items.splice(index, 1);
  }

  /** The index of the item at `position`, or -1. */
  private indexOf(position: number): number {
    const index = this.insertionPoint(position);
    return this.items[index]?.position === position ? index : -1;
  }

  /** The first index whose position is not below `position` (binary search: items are in position order). */
  private insertionPoint(position: number): number {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.items[middle]!.position < position) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
