import { type ConformanceFault, dnsConformanceSuite, providerConformanceSuite } from '@headroom/testkit';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { FAKE_AWS_DEFAULTS, startFakeAwsServer } from '../test/fake-aws-server.js';
import { createAwsDnsProvider } from './aws-dns-provider.js';
import { createAwsProvider } from './aws-provider.js';

const runner = { describe, test, beforeAll, afterAll };
const faults: ConformanceFault[] = ['insufficient-capacity', 'quota-exceeded', 'throttled', 'server-error'];

// The real SDK (serialization, SigV4, XML parsing) against the local stateful fake of EC2.
providerConformanceSuite({
  name: 'aws (EC2 fake through the SDK endpoint)',
  runner,
  faults,
  createTarget: async () => {
    const server = await startFakeAwsServer({ maxPageSize: 2 });
    const provider = createAwsProvider({
      region: FAKE_AWS_DEFAULTS.region,
      endpoint: server.endpoint,
      accessKeyId: FAKE_AWS_DEFAULTS.accessKeyId,
      secretAccessKey: FAKE_AWS_DEFAULTS.secretAccessKey,
      amiId: FAKE_AWS_DEFAULTS.amiId,
      instanceType: 't3.medium',
      maxInstances: 20,
      subnetId: FAKE_AWS_DEFAULTS.subnetId,
      securityGroupIds: [...FAKE_AWS_DEFAULTS.securityGroupIds],
      ebsVolumeSizeGb: 40,
      ebsVolumeType: 'gp3',
    });
    return {
      provider,
      shape: { cores: 2, memoryMb: 4096, gpus: 0 },
      missingInstanceId: 'i-0000000000000dead',
      injectFault: (fault) => server.failNext({ action: 'RunInstances', fault }),
      cleanup: async () => {
        await provider.close();
        await server.close();
      },
    };
  },
});

// Route 53 through the SDK against the fake; the hosted zone is a parent of the base domain.
dnsConformanceSuite({
  name: 'aws (Route 53 fake through the SDK endpoint)',
  runner,
  createTarget: async () => {
    const server = await startFakeAwsServer({ hostedZones: [{ name: 'example.com' }], maxPageSize: 3 });
    const dns = createAwsDnsProvider({
      endpoint: server.endpoint,
      accessKeyId: FAKE_AWS_DEFAULTS.accessKeyId,
      secretAccessKey: FAKE_AWS_DEFAULTS.secretAccessKey,
    });
    return {
      dns,
      zone: 'agents.example.com',
      cleanup: async () => {
        await dns.close();
        await server.close();
      },
    };
  },
});
