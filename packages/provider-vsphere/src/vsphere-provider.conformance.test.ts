import type { ConformanceFault } from '@headroom/testkit';
import { providerConformanceSuite } from '@headroom/testkit';
import { afterAll, beforeAll, describe, test } from 'vitest';
import {
  createAdministratorClient,
  markAsTemplate,
  type ProxyAnswer,
  type RunningVcsim,
  type SoapProxy,
  soapFaultAnswer,
  startSoapProxy,
  startVcsim,
  VCSIM_PASSWORD,
  VCSIM_USERNAME,
  vcsimAvailable,
  vcsimMissingMessage,
} from '../test/vcsim-harness.js';
import { createVsphereProvider } from './vsphere-provider.js';

const faultAnswers: Record<ConformanceFault, ProxyAnswer> = {
  'insufficient-capacity': soapFaultAnswer({
    faultType: 'NoDiskSpace',
    message: 'There is not enough space on the file system for the selected operation.',
  }),
  'quota-exceeded': soapFaultAnswer({ faultType: 'NotEnoughLicenses', message: 'Not enough licenses.' }),
  throttled: { status: 503, body: 'Service Unavailable: too many requests', contentType: 'text/plain' },
  'server-error': { status: 502, body: '<html><body>502 Bad Gateway</body></html>', contentType: 'text/html' },
};

if (!vcsimAvailable && process.env.CI) {
  test('vcsim is available', () => {
    throw new Error(vcsimMissingMessage);
  });
} else if (!vcsimAvailable) {
  console.warn(`vsphere vcsim tests skipped: ${vcsimMissingMessage}`);
  describe.skip(`vsphere conformance (skipped: ${vcsimMissingMessage})`, () => {
    test('vcsim', () => undefined);
  });
} else {
  let vcsim: RunningVcsim | undefined;
  let proxy: SoapProxy | undefined;
  afterAll(async () => {
    await proxy?.close().catch(() => undefined);
    await vcsim?.stop();
  });
  providerConformanceSuite({
    name: 'vsphere (vcsim)',
    runner: { describe, test, beforeAll, afterAll },
    faults: ['insufficient-capacity', 'quota-exceeded', 'throttled', 'server-error'],
    timeoutMs: 60_000,
    createTarget: async () => {
      vcsim = await startVcsim();
      proxy = await startSoapProxy(vcsim.url);
      await markAsTemplate(createAdministratorClient(vcsim.url), 'DC0_C0_RP0_VM0');
      const activeProxy = proxy;
      const provider = createVsphereProvider({
        vcenterAddress: activeProxy.host,
        vcenterPort: activeProxy.port,
        protocol: 'http',
        username: VCSIM_USERNAME,
        password: VCSIM_PASSWORD,
        templateName: 'DC0_C0_RP0_VM0',
        datacenter: 'DC0',
        maxInstances: 100,
        cpus: 2,
        memoryMb: 2048,
        startupScript: '#!/bin/bash\necho headroom',
        taskPollIntervalMs: 10,
      });
      return {
        provider,
        shape: { cores: 2, memoryMb: 2048, gpus: 0 },
        injectFault: (fault) => activeProxy.answerNext('CloneVM_Task', faultAnswers[fault]),
        cleanup: async () => {
          await provider.close?.();
          await proxy?.close();
          await vcsim?.stop();
        },
      };
    },
  });
}
