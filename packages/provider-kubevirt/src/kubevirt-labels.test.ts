import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  buildLabelSelector,
  encodeLabelValue,
  encodeTagLabels,
  encodeTagsAnnotation,
  isValidLabelValue,
  readTags,
} from './kubevirt-labels.js';

describe('tags as labels', () => {
  test('valid label values are kept; others (and values that look hashed) become sha256.<56 hex>', () => {
    expect(encodeLabelValue('agents')).toBe('agents');
    expect(encodeLabelValue('')).toBe('');
    expect(encodeLabelValue('x'.repeat(63))).toBe('x'.repeat(63));
    expect(encodeLabelValue('x'.repeat(64))).toMatch(/^sha256\.[0-9a-f]{56}$/);
    expect(encodeLabelValue('Team Blue')).toMatch(/^sha256\.[0-9a-f]{56}$/);
    expect(encodeLabelValue('sha256.abc')).toMatch(/^sha256\.[0-9a-f]{56}$/);
    expect(encodeLabelValue('-leading')).not.toBe('-leading');
  });

  test('every encoded value is a valid label value, and distinct values of the sample stay distinct', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), fc.string({ maxLength: 120 }), (left, right) => {
        expect(isValidLabelValue(encodeLabelValue(left))).toBe(true);
        if (left !== right) expect(encodeLabelValue(left)).not.toBe(encodeLabelValue(right));
      }),
    );
  });

  test('keys that cannot be label keys stay out of labels and selectors, and survive in the annotation', () => {
    const tags = { 'headroom-pool': 'agents', 'example.com/team': 'vdi', 'has space': 'x', ['k'.repeat(64)]: 'y' };
    expect(encodeTagLabels(tags)).toEqual({ 'headroom-pool': 'agents', 'example.com/team': 'vdi' });
    expect(buildLabelSelector(tags)).toBe('example.com/team=vdi,headroom-pool=agents');
    expect(readTags({ annotations: encodeTagsAnnotation(tags), labels: { other: 'z' } })).toEqual(tags);
  });

  test('without the annotation, labels (minus headroom-instance) are the tags', () => {
    expect(readTags({ labels: { a: 'b', 'headroom-instance': 'vm-1' } })).toEqual({ a: 'b' });
    expect(readTags({ labels: { a: 'b' }, annotations: { 'headroom-tags': 'not json' } })).toEqual({ a: 'b' });
  });
});
