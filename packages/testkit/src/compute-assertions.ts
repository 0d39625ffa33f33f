import assert from 'node:assert/strict';
import type { ProviderInstance } from '@headroom/core/provider';

/** Asserts that an instance carries every given tag with the given value. */
export function assertCarriesTags(instance: ProviderInstance, tags: Record<string, string>, what: string): void {
  for (const [key, value] of Object.entries(tags)) {
    assert.equal(instance.tags[key], value, `${what}: tag ${key} of instance ${instance.instanceId}`);
  }
}

/** Asserts the instance is not listed any more, or is listed as `stopping` (the cloud is tearing it down). */
export function assertGoneOrStopping(listed: ProviderInstance[], instanceId: string, what: string): void {
  const found = listed.find((instance) => instance.instanceId === instanceId);
  assert.ok(
    found === undefined || found.state === 'stopping',
    `${what}: instance ${instanceId} is still listed as ${found?.state}`,
  );
}
