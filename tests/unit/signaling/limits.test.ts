import { describe, expect, it } from 'vitest';
import { ConnectionCounter, DEFAULT_LIMITS, TokenBucket, limitsFromEnv, originAllowed } from '../../../signaling/limits.ts';

describe('server limits', () => {
  it('read from the environment with defaults, and refuse nonsense in plain words', () => {
    expect(limitsFromEnv({})).toEqual(DEFAULT_LIMITS);
    const limits = limitsFromEnv({ MESSAGES_PER_SECOND: '5', ALLOWED_ORIGINS: 'https://a.example, http://localhost:8080/' });
    expect(limits.messagesPerSecond).toBe(5);
    expect(limits.allowedOrigins).toEqual(['https://a.example', 'http://localhost:8080']);
    expect(() => limitsFromEnv({ MESSAGE_BURST: '-1' })).toThrow('MESSAGE_BURST must be a positive whole number');
    expect(() => limitsFromEnv({ HEARTBEAT_MS: '1.5' })).toThrow('HEARTBEAT_MS');
    expect(() => limitsFromEnv({ ALLOWED_ORIGINS: 'not a url' })).toThrow('ALLOWED_ORIGINS must list origins');
  });

  it('allow any origin by default, only listed ones otherwise', () => {
    expect(originAllowed(undefined, [])).toBe(true);
    expect(originAllowed('https://a.example', ['https://a.example'])).toBe(true);
    expect(originAllowed('https://evil.example', ['https://a.example'])).toBe(false);
    expect(originAllowed(undefined, ['https://a.example'])).toBe(false);
  });

  it('token bucket: a burst, then the sustained rate', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(50)).toBe(false); // half a token
    expect(bucket.take(100)).toBe(true); // one token after 100 ms at 10/s
    expect(bucket.take(10_000)).toBe(true);
    expect([bucket.take(10_000), bucket.take(10_000), bucket.take(10_000)]).toEqual([true, true, false]); // capped at the burst
  });

  it('connection counter caps each address and forgets closed ones', () => {
    const counter = new ConnectionCounter(2);
    expect([counter.open('1.1.1.1'), counter.open('1.1.1.1'), counter.open('1.1.1.1')]).toEqual([true, true, false]);
    expect(counter.open('2.2.2.2')).toBe(true);
    counter.close('1.1.1.1');
    expect(counter.open('1.1.1.1')).toBe(true);
    counter.close('1.1.1.1');
    counter.close('1.1.1.1');
    counter.close('2.2.2.2');
    expect(counter.addresses).toBe(0);
  });
});
