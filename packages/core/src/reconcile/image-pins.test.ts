import { expect, test } from 'vitest';
import { workspaceSchema } from '../config/config-schema.js';
import type { FleetSnapshot } from '../model/instance.js';
import { createHarness, reconcileConfig } from './reconcile-fixtures.test-helpers.js';

const oldDigest = `sha256:${'a'.repeat(64)}`;
const newDigest = `sha256:${'b'.repeat(64)}`;

/** Standby 8 cores, 4-core agents: two idle agents, both reporting the app image at the old digest. */
function harnessWithImages(options: { pins?: () => Record<string, string> }) {
  const config = {
    ...reconcileConfig(),
    workspaces: [
      workspaceSchema.parse({
        id: 'app',
        image: 'registry.example.com/team/app:2',
        registry: { url: 'registry.example.com' },
      }),
    ],
  };
  const harness = createHarness({
    config,
    autoscaler: options.pins ? { imagePins: options.pins } : {},
  });
  const inner = harness.controlPlane.getSnapshot.bind(harness.controlPlane);
  harness.controlPlane.getSnapshot = async (request): Promise<FleetSnapshot> => {
    const snapshot = await inner(request);
    return {
      ...snapshot,
      instances: snapshot.instances.map((instance) => ({
        ...instance,
        images: [{ reference: 'registry.example.com/team/app:2', digest: oldDigest, pulledAt: snapshot.at }],
      })),
    };
  };
  return harness;
}

test('without pins, agents holding the tag are ready: no pulls, no image-waiting reason', async () => {
  const harness = harnessWithImages({});
  await harness.tick();
  const result = await harness.tick();
  expect(result.plan?.imageActions).toEqual([]);
  expect(result.plan?.configs[0]?.reasons.join('\n')).not.toContain('wait for workspace images');
});

test('the host pins are read before every plan: idle agents on another digest pull the pinned one and count as pending', async () => {
  let pins: Record<string, string> = { app: oldDigest };
  const harness = harnessWithImages({ pins: () => pins });
  await harness.tick();
  const before = await harness.tick();
  expect(before.plan?.imageActions).toEqual([]);
  // The operator rolls: the host now answers the new digest.
  pins = { app: newDigest };
  const after = await harness.tick();
  const pulls = after.plan?.imageActions ?? [];
  expect(pulls).toHaveLength(2);
  for (const action of pulls) {
    expect(action).toMatchObject({
      type: 'pull-image',
      workspace: 'app',
      image: `registry.example.com/team/app:2@${newDigest}`,
    });
  }
  expect(after.plan?.configs[0]?.reasons.join('\n')).toContain('2 agent(s) wait for workspace images (app ×2)');
});
