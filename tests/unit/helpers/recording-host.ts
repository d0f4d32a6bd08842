/**
 * A host that records every call made on it (magic-wormhole's `Dummy`): a unit under
 * test talks to it as to the session, and the test reads what was asked, in order.
 * Methods given in `behaviour` run (and are recorded too); any other method is recorded
 * and returns undefined. Non-function values in `behaviour` (a clock, a random source)
 * are handed out as they are.
 */
export type Call = [name: string, ...args: unknown[]];

export interface Recording<H> {
  host: H;
  calls: Call[];
  /** The names of the calls so far, in order. */
  names(): string[];
  /** The arguments of every call of `name`, in order. */
  argsOf(name: string): unknown[][];
  clear(): void;
}

/**
 * `log` and `prefix` let several recorded objects share one log ("files.receive"), so a
 * test can see the order of calls across them.
 */
export function recordingHost<H extends object>(behaviour: Partial<H> = {}, log: Call[] = [], prefix = ''): Recording<H> {
  const calls = log;
  const given = behaviour as Record<string, unknown>;
  const host = new Proxy({} as Record<string | symbol, unknown>, {
    get(_target, property) {
      // Not a promise, whatever else it pretends to be.
      if (typeof property === 'symbol' || property === 'then') return undefined;
      const value = given[property];
      if (value !== undefined && typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push([prefix + property, ...args]);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown)(...args) : undefined;
      };
    },
  }) as unknown as H;
  return {
    host,
    calls,
    names: () => calls.map(([name]) => name),
    argsOf: (name) => calls.filter(([called]) => called === name).map(([, ...args]) => args),
    clear: () => void calls.splice(0),
  };
}
