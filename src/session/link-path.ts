/**
 * The current link's path: its ICE state as last reported, and how it runs ("Direct"
 * or "Relayed" in the status), read from the selected candidate pair when the link
 * comes up, after an ICE restart, and whenever ICE settles on a path. Only the latest
 * reading counts.
 */
import type { LinkRoute } from '../transport/peer-link.ts';

export class LinkPath {
  route: LinkRoute = 'unknown';
  private iceState: RTCIceConnectionState = 'new';
  private readings = 0;

  constructor(private readonly changed: () => void) {}

  /** ICE has a working path now. */
  get iceUp(): boolean {
    return this.iceState === 'connected' || this.iceState === 'completed';
  }

  /** Records the link's ICE state; true when ICE (re)gained a path, so the route is worth reading. */
  iceChanged(state: RTCIceConnectionState): boolean {
    this.iceState = state;
    return this.iceUp;
  }

  /** `reading`: the link's route (undefined without a link). */
  read(reading: Promise<LinkRoute> | undefined): void {
    const id = ++this.readings;
    void reading?.then(
      (route) => {
        if (id === this.readings) this.set(route);
      },
      () => {},
    );
  }

  /** The link is gone: no path until the next one says. */
  clear(): void {
    this.readings++;
    this.iceState = 'new';
    this.set('unknown');
  }

  private set(route: LinkRoute): void {
    if (route === this.route) return;
    this.route = route;
    this.changed();
  }
}
