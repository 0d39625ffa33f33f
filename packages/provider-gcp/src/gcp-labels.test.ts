import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  buildGcpLabelFilter,
  decodeGcpLabels,
  encodeGcpLabelKey,
  encodeGcpLabels,
  encodeGcpLabelValue,
} from './gcp-labels.js';
import { GCP_LABEL_KEY_PATTERN, GCP_LABEL_VALUE_PATTERN } from './gcp-provider-settings.js';

describe('GCP label encoding', () => {
  test('keys and values that are already valid labels are kept as they are', () => {
    const tags = { 'headroom-managed-by': 'headroom-prod', 'headroom-intent': 'hr-0123456789abcdef0123', empty: '' };
    expect(encodeGcpLabels(tags)).toEqual({ labels: tags, hashedTags: {} });
  });

  test('other characters are escaped as _xx after an x_ prefix', () => {
    expect(encodeGcpLabelValue('Linux.Agents')).toBe('x__4cinux_2e_41gents');
    expect(encodeGcpLabelValue('a_b')).toBe('x_a_5fb');
    expect(encodeGcpLabelKey('Team')).toBe('x__54eam');
    expect(encodeGcpLabelKey('1st')).toBe('x_1st');
    expect(decodeGcpLabels({ labels: { x__54eam: 'x__4cinux_2e_41gents', x_1st: 'x_a_5fb' } })).toEqual({
      Team: 'Linux.Agents',
      '1st': 'a_b',
    });
  });

  test('too long once escaped: a hashed label, and the exact tag in the headroom-tags metadata', () => {
    const long = `Pool.${'A'.repeat(60)}`;
    const { labels, hashedTags } = encodeGcpLabels({ 'headroom-pool': long });
    expect(labels['headroom-pool']).toMatch(/^h_[0-9a-f]{32}$/);
    expect(hashedTags).toEqual({ 'headroom-pool': long });
    expect(decodeGcpLabels({ labels, hashedTagsJson: JSON.stringify(hashedTags) })).toEqual({ 'headroom-pool': long });
    // The filter uses the same hash, so the listing still selects the instance server-side.
    expect(buildGcpLabelFilter({ 'headroom-pool': long })).toBe(
      `(labels.headroom-pool = "${labels['headroom-pool']}")`,
    );
  });

  test('labels Headroom did not write come back unchanged, also with underscores', () => {
    expect(decodeGcpLabels({ labels: { cost_center: 'eng_team', 'goog-ec-src': 'vm_add-gcloud' } })).toEqual({
      cost_center: 'eng_team',
      'goog-ec-src': 'vm_add-gcloud',
    });
    expect(decodeGcpLabels({ labels: null })).toEqual({});
    expect(decodeGcpLabels({ labels: { a: 'b' }, hashedTagsJson: 'not json' })).toEqual({ a: 'b' });
  });

  test('every tag encodes to valid GCP labels and decodes back exactly', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 80 }), fc.string({ maxLength: 80 }), { maxKeys: 6 }),
        (tags) => {
          const { labels, hashedTags } = encodeGcpLabels(tags);
          for (const [key, value] of Object.entries(labels)) {
            expect(key).toMatch(GCP_LABEL_KEY_PATTERN);
            expect(value).toMatch(GCP_LABEL_VALUE_PATTERN);
          }
          const hashedTagsJson = Object.keys(hashedTags).length > 0 ? JSON.stringify(hashedTags) : undefined;
          expect(decodeGcpLabels({ labels, hashedTagsJson })).toEqual(tags);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('the filter ANDs one parenthesised term per tag, sorted by key', () => {
    expect(buildGcpLabelFilter({ 'headroom-pool': 'linux', 'headroom-managed-by': 'Prod' })).toBe(
      '(labels.headroom-managed-by = "x__50rod") (labels.headroom-pool = "linux")',
    );
  });
});
