/**
 * Records which leaves of a parsed JSON document a test reads, so a test can require
 * that every value in docs/test-vectors.json is looked at by some check: a vector
 * added to the file without a check fails the suite.
 */
export interface ReadTracker<T> {
  /** The document, as a view that notes each leaf (string, number, boolean, null) read through it. */
  value: T;
  /** Leaf paths ("a.b.0.c") under any of `sections` that were never read. */
  unread(sections: readonly string[]): string[];
}

function leafPaths(value: unknown, path: string, out: string[]): string[] {
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) leafPaths(child, path ? `${path}.${key}` : key, out);
  } else {
    out.push(path);
  }
  return out;
}

export function trackReads<T extends object>(root: T): ReadTracker<T> {
  const read = new Set<string>();
  const wrap = <O extends object>(target: O, path: string): O =>
    new Proxy(target, {
      get(object, key, receiver) {
        const value: unknown = Reflect.get(object, key, receiver);
        if (typeof key === 'symbol' || !Object.prototype.hasOwnProperty.call(object, key)) return value;
        const at = path ? `${path}.${key}` : key;
        if (value !== null && typeof value === 'object') return wrap(value, at);
        read.add(at);
        return value;
      },
    });
  return {
    value: wrap(root, ''),
    unread: (sections) => leafPaths(root, '', []).filter((path) => sections.some((s) => path === s || path.startsWith(`${s}.`)) && !read.has(path)),
  };
}
