import { describe, expect, test } from 'vitest';
import { HEADROOM_TAGS } from '../tags.js';
import { buildManagedTags, isManaged, mergeCustomTags, readManagedTags } from './managed-tags.js';

const values = { managedBy: 'headroom-prod', pool: 'linux-agents', autoscale: 'business-hours', intentKey: 'intent-1' };

describe('managed tags', () => {
  test('builds the four headroom tags and reads them back', () => {
    const tags = buildManagedTags(values);
    expect(tags).toEqual({
      'headroom-managed-by': 'headroom-prod',
      'headroom-pool': 'linux-agents',
      'headroom-autoscale': 'business-hours',
      'headroom-intent': 'intent-1',
    });
    expect(readManagedTags({ ...tags, Name: 'agent' })).toEqual(values);
    expect(readManagedTags({ ...tags, [HEADROOM_TAGS.intent]: '' })).toBeUndefined();
  });

  test('isManaged checks the managed-by tag, optionally for one installation', () => {
    const tags = buildManagedTags(values);
    expect(isManaged(tags)).toBe(true);
    expect(isManaged(tags, 'headroom-prod')).toBe(true);
    expect(isManaged(tags, 'headroom-staging')).toBe(false);
    expect(isManaged({ Name: 'hand-made' })).toBe(false);
  });

  test('custom tags never override or add headroom tags', () => {
    const { tags, droppedKeys } = mergeCustomTags({
      managedTags: buildManagedTags(values),
      customTags: { team: 'vdi', 'headroom-pool': 'evil', 'headroom-extra': 'x' },
    });
    expect(tags).toEqual({ team: 'vdi', ...buildManagedTags(values) });
    expect(droppedKeys).toEqual(['headroom-pool', 'headroom-extra']);
  });
});
