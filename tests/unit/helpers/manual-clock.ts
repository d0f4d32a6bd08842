import type { Clock } from '../../../src/core/clock.ts';

/** A clock that only moves when the test says so. */
export class ManualClock implements Clock {
  private time = 0;
  private timers: { at: number; callback: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): () => void {
    const timer = { at: this.time + ms, callback, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Jumps to the next pending timer and fires it; false if there is none. */
  runNext(): boolean {
    const next = this.timers.filter((t) => !t.cancelled).sort((a, b) => a.at - b.at)[0];
    if (!next) return false;
    this.advance(next.at - this.time);
    return true;
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => !t.cancelled && t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.cancelled = true;
      this.time = due.at;
      due.callback();
    }
    this.time = target;
    this.timers = this.timers.filter((t) => !t.cancelled);
  }
}

/** Lets pending promise callbacks (and WebCrypto work) run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
