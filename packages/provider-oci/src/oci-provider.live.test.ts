import { dnsConformanceSuite, providerConformanceSuite } from '@headroom/testkit';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { createOciDnsProvider } from './oci-dns-provider.js';
import { createOciProvider } from './oci-provider.js';

/**
 * Conformance against real OCI. Skipped unless HEADROOM_OCI_LIVE=1 and the variables below are
 * set. It launches and terminates real (billed) instances, tagged
 * `headroom-managed-by=headroom-conformance-<run id>`.
 *
 *   HEADROOM_OCI_LIVE=1 OCI_USER_OCID=ocid1.user… OCI_TENANCY_OCID=ocid1.tenancy… \
 *   OCI_FINGERPRINT=12:34:… OCI_PRIVATE_KEY_FILE=~/.oci/oci_api_key.pem OCI_REGION=us-ashburn-1 \
 *   OCI_COMPARTMENT_OCID=ocid1.compartment… OCI_IMAGE_OCID=ocid1.image… OCI_SUBNET_OCID=ocid1.subnet… \
 *   [OCI_SHAPE=VM.Standard.E2.1.Micro] [HEADROOM_OCI_DNS_ZONE=agents.example.com] \
 *   pnpm vitest run packages/provider-oci/src/oci-provider.live.test.ts
 */
const environment = process.env;
const required = [
  'OCI_USER_OCID',
  'OCI_TENANCY_OCID',
  'OCI_FINGERPRINT',
  'OCI_PRIVATE_KEY_FILE',
  'OCI_REGION',
  'OCI_COMPARTMENT_OCID',
] as const;
const live = environment.HEADROOM_OCI_LIVE === '1' && required.every((name) => Boolean(environment[name]));
const runner = { describe, test, beforeAll, afterAll };
const timeoutMs = 600_000;
const settleTimeoutMs = 180_000;

const authentication = () => ({
  userOcid: environment.OCI_USER_OCID as string,
  tenancyOcid: environment.OCI_TENANCY_OCID as string,
  fingerprint: environment.OCI_FINGERPRINT as string,
  privateKey: { file: environment.OCI_PRIVATE_KEY_FILE as string },
  region: environment.OCI_REGION as string,
  compartmentOcid: environment.OCI_COMPARTMENT_OCID as string,
});

describe.skipIf(!live || !environment.OCI_IMAGE_OCID || !environment.OCI_SUBNET_OCID)('oci live (real Compute)', () => {
  providerConformanceSuite({
    name: 'oci live',
    runner,
    timeoutMs,
    settleTimeoutMs,
    createTarget: async () => {
      const shape = environment.OCI_SHAPE ?? 'VM.Standard.E2.1.Micro';
      return {
        provider: createOciProvider({
          ...authentication(),
          maxInstances: 5,
          imageOcid: environment.OCI_IMAGE_OCID as string,
          subnetOcid: environment.OCI_SUBNET_OCID as string,
          shape,
          ...(shape.endsWith('.Flex') ? { flexOcpus: 1, flexMemoryGb: 8 } : {}),
        }),
        shape: { cores: 0, memoryMb: 0, gpus: 0 },
        missingInstanceId: 'ocid1.instance.oc1.iad.doesnotexist',
      };
    },
  });
});

describe.skipIf(!live || !environment.HEADROOM_OCI_DNS_ZONE)('oci live (real DNS)', () => {
  dnsConformanceSuite({
    name: 'oci live',
    runner,
    timeoutMs,
    settleTimeoutMs,
    createTarget: async () => ({
      dns: createOciDnsProvider(authentication()),
      zone: environment.HEADROOM_OCI_DNS_ZONE as string,
    }),
  });
});
