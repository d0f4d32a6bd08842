import { describe, expect, it } from 'vitest';
import { UnsentLine, isWritingMessage } from '../../../src/cli/typing.ts';

describe('typing from the terminal', () => {
  it('a line with text not yet sent is a message being written; a command or blanks are not', () => {
    expect(isWritingMessage('hel')).toBe(true);
    expect(isWritingMessage('  hi')).toBe(true);
    expect(isWritingMessage('')).toBe(false);
    expect(isWritingMessage('   ')).toBe(false);
    expect(isWritingMessage('/fi')).toBe(false);
    expect(isWritingMessage(' /quit')).toBe(false);
  });

  it('from a pipe: says typing while the text after the last line break is a message, across chunks', () => {
    const said: string[] = [];
    let chunk = '';
    const unsent = new UnsentLine(() => said.push(chunk));
    const feed = (text: string) => {
      chunk = text;
      unsent.received(text);
    };
    feed('hel');
    feed('lo\n');
    feed('/qu');
    feed('it\n');
    feed('sent\nand half');
    feed('\r\n');
    feed('   ');
    feed('x');
    expect(said).toEqual(['hel', 'sent\nand half', 'x']);
  });
});
