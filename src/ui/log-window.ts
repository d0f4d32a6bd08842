/**
 * Which part of a long conversation the log renders, and whether it follows the
 * newest item: the last WINDOW_ITEMS items while the reader is at the bottom, more
 * in pages of EARLIER_PAGE when they ask for earlier messages, and a "New messages"
 * flag (instead of a jump) when something arrives while they read further up.
 * Pure state, no DOM: the element tells it what the timeline and the reader did.
 */

/** Items rendered while following the conversation: a long history costs what this many cost. */
export const WINDOW_ITEMS = 300;
/** Items brought back by one "Show earlier messages". */
export const EARLIER_PAGE = 200;

export type Arrival = 'own' | 'peer';

export class LogWindow {
  /** The timeline index of the first item rendered. */
  start = 0;
  /** Something arrived while the reader was not at the bottom. */
  unseen = false;
  /** The timeline's length as last seen. */
  private seen = 0;
  /** The reader is at the bottom (as the element last observed): new items keep them there. */
  private following = true;

  constructor(
    private readonly size = WINDOW_ITEMS,
    private readonly page = EARLIER_PAGE,
  ) {}

  get hasEarlier(): boolean {
    return this.start > 0;
  }

  /**
   * The timeline now holds `length` items, the newest written by `newest`. Returns
   * whether the log should scroll to the newest: when the reader was following (the
   * window then drops what scrolled far out of it) or just sent something themselves.
   */
  update(length: number, newest: Arrival): boolean {
    if (length < this.seen) {
      // Another conversation: start again at its end.
      this.seen = 0;
      this.start = 0;
      this.following = true;
      this.unseen = false;
    }
    if (length === this.seen) return false;
    this.seen = length;
    if (this.following || newest === 'own') {
      this.follow();
      return true;
    }
    this.unseen = true;
    return false;
  }

  /** The reader scrolled to the bottom, or away from it. */
  atBottom(atBottom: boolean): void {
    this.following = atBottom;
    if (atBottom) this.unseen = false;
  }

  /** "Show earlier messages": one more page above the window. */
  showEarlier(): void {
    this.start = Math.max(0, this.start - this.page);
  }

  /** "New messages": back to the newest, and to following them. */
  jumpToNewest(): void {
    this.follow();
  }

  private follow(): void {
    this.following = true;
    this.unseen = false;
    this.start = Math.max(this.start, this.seen - this.size);
  }
}
