import { providerConformanceSuite } from '@headroom/testkit';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { createOpenstackProvider } from './openstack-provider.js';
import type { OpenstackProviderSettings } from './openstack-provider-settings.js';

/**
 * Conformance against a real OpenStack cloud. Skipped unless HEADROOM_LIVE_OPENSTACK_AUTH_URL is
 * set. It creates and deletes small servers tagged `headroom-managed-by=headroom-conformance-<run>`:
 *
 *   HEADROOM_LIVE_OPENSTACK_AUTH_URL=https://keystone.example.com:5000/v3 \
 *   HEADROOM_LIVE_OPENSTACK_APPLICATION_CREDENTIAL_ID=… HEADROOM_LIVE_OPENSTACK_APPLICATION_CREDENTIAL_SECRET=… \
 *   (or HEADROOM_LIVE_OPENSTACK_USERNAME, _PASSWORD, _PROJECT_NAME [, _PROJECT_DOMAIN, _USER_DOMAIN]) \
 *   HEADROOM_LIVE_OPENSTACK_IMAGE_ID=… HEADROOM_LIVE_OPENSTACK_FLAVOR=m1.small \
 *   [HEADROOM_LIVE_OPENSTACK_NETWORK_ID=…] [HEADROOM_LIVE_OPENSTACK_REGION=RegionOne] \
 *   [HEADROOM_LIVE_OPENSTACK_VOLUME_SIZE_GB=20] \
 *   pnpm vitest run packages/provider-openstack/src/openstack-provider.live.test.ts
 */
const environment = process.env;
const live = Boolean(environment.HEADROOM_LIVE_OPENSTACK_AUTH_URL);

function liveSettings(): OpenstackProviderSettings {
  const required = (name: string): string => {
    const value = environment[name];
    if (!value) throw new Error(`set ${name} for the live OpenStack test`);
    return value;
  };
  const auth: Partial<OpenstackProviderSettings> = environment.HEADROOM_LIVE_OPENSTACK_APPLICATION_CREDENTIAL_ID
    ? {
        authenticationMethod: 'applicationCredential',
        applicationCredentialId: environment.HEADROOM_LIVE_OPENSTACK_APPLICATION_CREDENTIAL_ID,
        applicationCredentialSecret: { env: 'HEADROOM_LIVE_OPENSTACK_APPLICATION_CREDENTIAL_SECRET' },
      }
    : {
        authenticationMethod: 'password',
        username: required('HEADROOM_LIVE_OPENSTACK_USERNAME'),
        password: { env: 'HEADROOM_LIVE_OPENSTACK_PASSWORD' },
        projectName: required('HEADROOM_LIVE_OPENSTACK_PROJECT_NAME'),
        projectDomainName: environment.HEADROOM_LIVE_OPENSTACK_PROJECT_DOMAIN ?? 'Default',
        userDomainName: environment.HEADROOM_LIVE_OPENSTACK_USER_DOMAIN ?? 'Default',
      };
  const volumeSizeGb = environment.HEADROOM_LIVE_OPENSTACK_VOLUME_SIZE_GB;
  return {
    maxInstances: 5,
    identityEndpoint: required('HEADROOM_LIVE_OPENSTACK_AUTH_URL'),
    imageId: required('HEADROOM_LIVE_OPENSTACK_IMAGE_ID'),
    flavor: required('HEADROOM_LIVE_OPENSTACK_FLAVOR'),
    ...(environment.HEADROOM_LIVE_OPENSTACK_REGION ? { region: environment.HEADROOM_LIVE_OPENSTACK_REGION } : {}),
    ...(environment.HEADROOM_LIVE_OPENSTACK_NETWORK_ID
      ? { networkId: environment.HEADROOM_LIVE_OPENSTACK_NETWORK_ID }
      : {}),
    ...(volumeSizeGb ? { createVolume: true, volumeSizeGb: Number(volumeSizeGb) } : {}),
    ...auth,
  } as OpenstackProviderSettings;
}

describe.skipIf(!live)('openstack live (a real cloud)', () => {
  providerConformanceSuite({
    name: 'openstack live',
    runner: { describe, test, beforeAll, afterAll },
    timeoutMs: 600_000,
    settleTimeoutMs: 120_000,
    createTarget: async () => {
      const provider = createOpenstackProvider(liveSettings());
      return { provider, shape: { cores: 1, memoryMb: 1024, gpus: 0 }, cleanup: () => provider.close() };
    },
  });
});
