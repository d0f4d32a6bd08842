import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../../scripts/vite-plugin-hardening.ts';

describe('Content-Security-Policy', () => {
  it('allows only this origin by default, and the configured signaling origin when set', () => {
    const own = contentSecurityPolicy(undefined);
    expect(own).toContain("default-src 'none'");
    expect(own).toContain("connect-src 'self'");
    expect(own).not.toContain('unsafe-inline');
    expect(own).not.toContain('unsafe-eval');
    expect(contentSecurityPolicy('https://signal.example.org/ws')).toContain("connect-src 'self' wss://signal.example.org");
    expect(contentSecurityPolicy('http://10.0.0.2:8080/ws')).toContain("connect-src 'self' ws://10.0.0.2:8080");
  });
});
