import type { ProviderInstance } from '@headroom/core/provider';
import { INSTANCE_LABEL, readTags } from './kubevirt-labels.js';
import type { MetadataOnly } from './kubevirt-objects.js';
import { NAME_ANNOTATION } from './map-kubevirt-instance.js';

/**
 * Leftovers: Headroom's Secrets and PVCs whose VM is gone (the seed: "orphaned k8s objects ...
 * must be cleaned up manually"). Each VM name with leftovers older than `graceMs` becomes one
 * `failed` instance whose id is the VM name, so the reconciler's orphan collection calls
 * `destroyInstance`, which deletes them by name and by the `headroom-instance` label. Younger
 * leftovers are skipped: a create in flight has its Secret before its VM.
 */
export function mapKubevirtLeftovers(options: {
  objects: readonly MetadataOnly[];
  virtualMachineNames: ReadonlySet<string>;
  nowMs: number;
  graceMs: number;
}): ProviderInstance[] {
  const byInstance = new Map<string, MetadataOnly[]>();
  for (const object of options.objects) {
    const instanceName = object.metadata.labels?.[INSTANCE_LABEL];
    if (!instanceName || options.virtualMachineNames.has(instanceName)) continue;
    byInstance.set(instanceName, [...(byInstance.get(instanceName) ?? []), object]);
  }
  const leftovers: ProviderInstance[] = [];
  for (const [instanceName, objects] of byInstance) {
    const createdMs = Math.min(
      ...objects.map((object) => Date.parse(object.metadata.creationTimestamp ?? '') || options.nowMs),
    );
    if (options.nowMs - createdMs < options.graceMs) continue;
    const first = objects[0] as MetadataOnly;
    leftovers.push({
      instanceId: instanceName,
      name: first.metadata.annotations?.[NAME_ANNOTATION] ?? instanceName,
      state: 'failed',
      tags: readTags(first.metadata),
      createdAt: new Date(createdMs).toISOString(),
    });
  }
  return leftovers;
}
