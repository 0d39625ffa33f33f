import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DO_TAG_NAME_PATTERN } from './do-provider-settings.js';
import { decodeDoTag, encodeDoTag } from './do-tags.js';

describe('DigitalOcean tag encoding', () => {
  test('a key/value pair survives the round trip and is a valid tag name', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), fc.string({ maxLength: 30 }), (key, value) => {
        const tag = encodeDoTag(key, value);
        expect(tag).toMatch(DO_TAG_NAME_PATTERN);
        expect(decodeDoTag(tag)).toEqual([key, value]);
      }),
    );
  });

  test('readable names stay readable; escapes are upper-case hex of UTF-8 bytes', () => {
    expect(encodeDoTag('headroom-pool', 'linux-agents')).toBe('headroom-pool:linux-agents');
    expect(encodeDoTag('team', 'vdi_eu:1 ü')).toBe('team:vdi_5Feu_3A1_20_C3_BC');
  });

  test('plain user tags read back as keys with empty values', () => {
    expect(decodeDoTag('vdi')).toEqual(['vdi', '']);
    expect(decodeDoTag('a:b:c')).toEqual(['a:b:c', '']);
    expect(decodeDoTag('zone:abc123')).toEqual(['zone', 'abc123']);
    expect(decodeDoTag('x:bad_zz')).toEqual(['x:bad_zz', '']);
  });
});
