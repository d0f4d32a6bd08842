/**
 * Sending many messages the way a person does, only faster: runs inside the app's page
 * (page.evaluate), writes each text into the "Message" box, presses Enter, and waits
 * until the box is empty again (the composer clears it once session.send returned,
 * i.e. the message is in the log and on the wire). Nothing is bypassed: the composer,
 * the session and the log do what they do for a typed message. Playwright's own
 * fill() and click() would cost tens of milliseconds of round trips per message.
 *
 * Self-contained (Playwright sends the function's source to the page). Returns the
 * milliseconds each message took, from the text going into the box to the box
 * being empty.
 */
export async function sendThroughComposer({ prefix, first, count }: { prefix: string; first: number; count: number }): Promise<number[]> {
  const inShadow = (host: Element | null | undefined, selector: string): Element => {
    const found = host?.shadowRoot?.querySelector(selector);
    if (!found) throw new Error(`no ${selector} in ${host?.localName ?? 'the page'}`);
    return found;
  };
  const composer = inShadow(inShadow(document.querySelector('duet-app'), 'duet-chat'), 'duet-composer');
  const box = inShadow(composer, 'textarea#message') as HTMLTextAreaElement;
  const send = inShadow(composer, 'button[type="submit"]') as HTMLButtonElement;
  const enter = () => new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true });
  // A task, not a microtask, so the session's WebCrypto work and the channel can go on.
  const nextTask = () =>
    new Promise<void>((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(0);
    });
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const begin = performance.now();
    box.value = `${prefix} ${first + i}`;
    box.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    box.dispatchEvent(enter());
    const deadline = begin + 10_000;
    while (box.value !== '') {
      if (send.disabled || performance.now() > deadline) throw new Error(`message ${first + i} was not sent`);
      await nextTask();
    }
    times.push(performance.now() - begin);
  }
  return times;
}
