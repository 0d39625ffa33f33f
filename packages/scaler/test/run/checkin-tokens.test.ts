import { SignJWT } from 'jose';
import { describe, expect, test } from 'vitest';
import { createCheckinTokens } from '../../src/run/checkin-tokens.js';
import { parseRunSettings } from '../../src/run/run-config-schema.js';

const signingKey = 'checkin-signing-key-0123456789abcdef-xyz';
const nowMs = Date.parse('2026-11-23T12:00:00Z');

describe('check-in tokens', () => {
  test('a token older than the configured validity is refused whatever its exp says', async () => {
    const longLived = createCheckinTokens({ signingKey, issuer: 'headroom', validitySeconds: 86_400 });
    const token = await longLived.issue({ instanceId: 'agents-main-1', nowMs });
    const current = createCheckinTokens({ signingKey, issuer: 'headroom', validitySeconds: 600 });
    expect(await current.verify({ token, nowMs: nowMs + 60_000 })).toEqual({ ok: true, instanceId: 'agents-main-1' });
    expect(await current.verify({ token, nowMs: nowMs + 3_600_000 })).toEqual({ ok: false, refusal: 'expired' });
  });

  test('a token without iat is refused', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('agents-main-1')
      .setIssuer('headroom')
      .setAudience('headroom-checkin')
      .setExpirationTime(Math.floor(nowMs / 1000) + 60)
      .sign(new TextEncoder().encode(signingKey));
    const tokens = createCheckinTokens({ signingKey, issuer: 'headroom', validitySeconds: 600 });
    expect(await tokens.verify({ token, nowMs })).toEqual({ ok: false, refusal: 'malformed' });
  });

  test('checkin.tokenValiditySeconds is at most 7 days', () => {
    const config = { pools: [], providers: {}, checkin: { signingKey, tokenValiditySeconds: 30 * 86_400 } };
    expect(() => parseRunSettings(config as never)).toThrow(/checkin\.tokenValiditySeconds: must be ≤ 604800/);
  });
});
