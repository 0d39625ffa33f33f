import { dnsConformanceSuite, providerConformanceSuite } from '@headroom/testkit';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { createAwsDnsProvider } from './aws-dns-provider.js';
import { createAwsProvider } from './aws-provider.js';

/**
 * Conformance against real AWS. Skipped unless HEADROOM_AWS_LIVE=1. It launches and terminates
 * real (billed) instances, tagged `headroom-managed-by=headroom-conformance-<run id>`.
 *
 *   HEADROOM_AWS_LIVE=1 AWS_REGION=us-east-1 AWS_PROFILE=sandbox \
 *   HEADROOM_AWS_AMI_ID=ami-… [HEADROOM_AWS_INSTANCE_TYPE=t3.micro] \
 *   [HEADROOM_AWS_SUBNET_ID=subnet-…] [HEADROOM_AWS_SECURITY_GROUP_IDS=sg-…,sg-…] \
 *   [HEADROOM_AWS_DNS_ZONE=agents.example.com] \
 *   pnpm vitest run packages/provider-aws/src/aws-provider.live.test.ts
 *
 * Credentials come from the SDK's default chain (environment, profile, SSO, instance role).
 */
const live = process.env.HEADROOM_AWS_LIVE === '1';
const runner = { describe, test, beforeAll, afterAll };
const timeoutMs = 300_000;
const settleTimeoutMs = 120_000;

describe.skipIf(!live)('aws live (real EC2)', () => {
  providerConformanceSuite({
    name: 'aws live',
    runner,
    timeoutMs,
    settleTimeoutMs,
    createTarget: async () => {
      const amiId = process.env.HEADROOM_AWS_AMI_ID;
      if (!amiId) throw new Error('set HEADROOM_AWS_AMI_ID to an AMI of the region (e.g. Amazon Linux 2023)');
      const securityGroupIds = (process.env.HEADROOM_AWS_SECURITY_GROUP_IDS ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '');
      const provider = createAwsProvider({
        amiId,
        instanceType: process.env.HEADROOM_AWS_INSTANCE_TYPE ?? 't3.micro',
        maxInstances: 5,
        securityGroupIds,
        ...(process.env.HEADROOM_AWS_SUBNET_ID ? { subnetId: process.env.HEADROOM_AWS_SUBNET_ID } : {}),
        maxAttempts: 3,
      });
      return {
        provider,
        shape: { cores: 0, memoryMb: 0, gpus: 0 },
        missingInstanceId: 'i-0000000000000dead',
        cleanup: () => provider.close(),
      };
    },
  });
});

describe.skipIf(!live || !process.env.HEADROOM_AWS_DNS_ZONE)('aws live (real Route 53)', () => {
  dnsConformanceSuite({
    name: 'aws live',
    runner,
    timeoutMs,
    settleTimeoutMs,
    createTarget: async () => {
      const dns = createAwsDnsProvider({ maxAttempts: 3 });
      return { dns, zone: process.env.HEADROOM_AWS_DNS_ZONE as string, cleanup: () => dns.close() };
    },
  });
});
