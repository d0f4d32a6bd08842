/**
 * "Ana is typing…" from the terminal: the person has text in the line they are writing
 * and has not sent it. A command (/file, /quit…) is not a message, so it says nothing.
 * Session.notifyTyping() itself sends at most one typing notice every few seconds.
 *
 * At a real terminal readline edits the line (raw mode) and knows it after each key;
 * from a pipe the bytes come as written, and the unsent line is what follows the last
 * newline. Both feed the same rule.
 */
import { type Interface, clearLine, createInterface, cursorTo } from 'node:readline';

/** Whether `line`, not yet sent, is a message being written. */
export function isWritingMessage(line: string): boolean {
  const text = line.trimStart();
  return text.length > 0 && !text.startsWith('/');
}

/** Follows the unsent line of a stream read as it comes (a pipe, or a terminal in line mode). */
export class UnsentLine {
  private pending = '';

  constructor(private readonly typing: () => void) {}

  /** A chunk of input arrived; says typing if it leaves a message half-written. */
  received(chunk: string): void {
    const lastBreak = Math.max(chunk.lastIndexOf('\n'), chunk.lastIndexOf('\r'));
    this.pending = lastBreak === -1 ? this.pending + chunk : chunk.slice(lastBreak + 1);
    if (isWritingMessage(this.pending)) this.typing();
  }
}

export interface Keyboard {
  /** Lines the person sent ('line'), and the end of input ('close'). */
  lines: Interface;
  /** Prints a line above the one being written, which is drawn again below it. */
  print(line: string): void;
}

/**
 * Reads the person's lines from stdin. At a real terminal, readline edits the line (so
 * printed messages do not tear what is being typed) and Ctrl-C leaves; from a pipe,
 * lines come as written.
 */
export function openKeyboard(typing: () => void, output: NodeJS.WriteStream = process.stdout): Keyboard {
  const input = process.stdin;
  if (!input.isTTY) {
    const lines = createInterface({ input, terminal: false });
    const unsent = new UnsentLine(typing);
    input.on('data', (chunk: Buffer | string) => unsent.received(chunk.toString()));
    return { lines, print: (line) => output.write(`${line}\n`) };
  }
  const lines = createInterface({ input, output, terminal: true, prompt: '' });
  // readline has updated its line by the time a keypress reaches listeners added after its own.
  input.on('keypress', () => {
    if (isWritingMessage(lines.line)) typing();
  });
  lines.on('SIGINT', () => lines.close());
  return {
    lines,
    print(line) {
      clearLine(output, 0);
      cursorTo(output, 0);
      output.write(`${line}\n`);
      lines.prompt(true);
    },
  };
}
