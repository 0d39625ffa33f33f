import {
  type Clock,
  HEADROOM_TAGS,
  InsufficientCapacityError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import { afterAll, describe, expect, test } from 'vitest';
import {
  createStackApplicationCredential,
  openstackStack,
  openstackStackMissingMessage,
  revokeStackToken,
  stackSettings,
} from './__fixtures__/openstack-stack.js';
import { OPENSTACK_ACCESS_RULES } from './openstack-access-rules.js';
import type { OpenstackFetch } from './openstack-http.js';
import { createOpenstackProvider, type OpenstackProvider } from './openstack-provider.js';

// Behaviour only a real cloud shows: Keystone's access-rule enforcement in Nova and Glance, the
// scheduler's refusal, Nova's quota, token revocation and expiry.

const runId = `${process.pid}-${Math.floor(Math.random() * 1e9).toString(36)}`;
const createOptions = (suffix: string) => {
  const intent = `hr-stack-${runId}-${suffix}`;
  return {
    name: intent,
    idempotencyKey: intent,
    tags: {
      [HEADROOM_TAGS.managedBy]: `headroom-stack-test-${runId}`,
      [HEADROOM_TAGS.pool]: 'stack',
      [HEADROOM_TAGS.autoscale]: 'stack',
      [HEADROOM_TAGS.intent]: intent,
    },
    shape: { cores: 1, memoryMb: 512, gpus: 0 },
    startupScript: '#!/bin/sh\necho headroom\n',
  };
};

/** A `fetch` that records the token of each call and counts token issues (the client seam). */
function recordingFetch() {
  const record = { issued: 0, lastToken: undefined as string | undefined };
  const wrapped: OpenstackFetch = async (url, init) => {
    const response = await fetch(url, init);
    if (url.endsWith('/auth/tokens') && init.method === 'POST' && response.status === 201) record.issued += 1;
    const token = (init.headers as Record<string, string> | undefined)?.['X-Auth-Token'];
    if (token) record.lastToken = token;
    return response;
  };
  return { record, fetch: wrapped };
}

if (!openstackStack && process.env.CI) {
  test('the OpenStack test stack is running', () => {
    throw new Error(openstackStackMissingMessage);
  });
} else if (!openstackStack) {
  describe.skip(`openstack real-stack behaviour (skipped: ${openstackStackMissingMessage})`, () => {
    test('stack', () => undefined);
  });
} else {
  const stack = openstackStack;
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });
  const applicationCredentialSettings = (credential: { id: string; secret: string }) =>
    stackSettings(stack, {
      authenticationMethod: 'applicationCredential',
      applicationCredentialId: credential.id,
      applicationCredentialSecret: credential.secret,
      username: undefined,
      password: undefined,
      projectName: undefined,
    });
  const track = (provider: OpenstackProvider, instanceId: string) =>
    cleanups.push(() => provider.destroyInstance({ instanceId }));

  describe('openstack on the real stack', { timeout: 180_000 }, () => {
    test('an application credential with exactly the documented access rules runs create, list and destroy', async () => {
      const credential = await createStackApplicationCredential(stack, {
        name: `headroom-${runId}-least`,
        accessRules: OPENSTACK_ACCESS_RULES,
      });
      cleanups.push(credential.remove);
      const provider = createOpenstackProvider(applicationCredentialSettings(credential));
      const options = createOptions('rules');
      const instance = await provider.createInstance(options);
      track(provider, instance.instanceId);
      expect(instance.state === 'pending' || instance.state === 'running').toBe(true);
      const listed = await provider.listInstances({ tags: { [HEADROOM_TAGS.intent]: options.idempotencyKey } });
      expect(listed.map((candidate) => candidate.instanceId)).toEqual([instance.instanceId]);
      expect(listed[0]?.tags).toMatchObject({ ...options.tags, team: 'headroom-tests' });
      await provider.destroyInstance({ instanceId: instance.instanceId });
      expect(await provider.listInstances({ tags: { [HEADROOM_TAGS.intent]: options.idempotencyKey } })).toEqual([]);
    });

    test('the rules are enforced: without GET /v2.1/flavors a create is refused, naming the call', async () => {
      const credential = await createStackApplicationCredential(stack, {
        name: `headroom-${runId}-no-flavors`,
        accessRules: OPENSTACK_ACCESS_RULES.filter((rule) => rule.path !== '/v2.1/flavors'),
      });
      cleanups.push(credential.remove);
      const provider = createOpenstackProvider(applicationCredentialSettings(credential));
      const error = await provider.createInstance(createOptions('no-flavors')).catch((caught: unknown) => caught);
      expect(ProviderApiError.isInstance(error) && error.statusCode).toBe(401);
      expect((error as Error).message).toContain('GET compute /flavors');
      expect((error as Error).message).not.toContain(credential.secret);
    });

    test('a flavor larger than the fake host: No valid host is an InsufficientCapacityError, nothing is left', async () => {
      const provider = createOpenstackProvider(stackSettings(stack, { flavor: stack.hugeFlavor }));
      const options = createOptions('huge');
      const error = await provider.createInstance(options).catch((caught: unknown) => caught);
      expect(InsufficientCapacityError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain('No valid host was found');
      expect(await provider.listInstances({ tags: { [HEADROOM_TAGS.intent]: options.idempotencyKey } })).toEqual([]);
    });

    test("a project whose instance quota is used up: QuotaExceededError with Nova's message", async () => {
      const provider = createOpenstackProvider(stackSettings(stack, { projectName: stack.quotaProject }));
      const error = await provider.createInstance(createOptions('quota')).catch((caught: unknown) => caught);
      expect(QuotaExceededError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/Quota exceeded for instances/);
    });

    test('a token revoked mid-run is replaced and the run goes on', async () => {
      const recording = recordingFetch();
      const provider = createOpenstackProvider(stackSettings(stack, { fetch: recording.fetch }));
      await provider.listInstances({ tags: {} });
      expect(recording.record.issued).toBe(1);
      const revoked = recording.record.lastToken as string;
      await revokeStackToken(stack, revoked);
      const instance = await provider.createInstance(createOptions('revoked'));
      track(provider, instance.instanceId);
      expect(recording.record.issued).toBe(2);
      expect(recording.record.lastToken).not.toBe(revoked);
      await provider.destroyInstance({ instanceId: instance.instanceId });
    });

    test('a token past its expiry on the injected clock is renewed before the next call', async () => {
      let now = Date.now();
      const clock: Clock = { now: () => now };
      const recording = recordingFetch();
      const provider = createOpenstackProvider(stackSettings(stack, { fetch: recording.fetch, clock }));
      await provider.listInstances({ tags: {} });
      const first = recording.record.lastToken;
      now += 2 * 3_600_000; // Keystone's tokens here last 1 h.
      await provider.listInstances({ tags: {} });
      expect(recording.record.issued).toBe(2);
      expect(recording.record.lastToken).not.toBe(first);
    });
  });
}
