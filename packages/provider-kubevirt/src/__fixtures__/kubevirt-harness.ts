import type { ConformanceFault } from '@headroom/testkit';
import {
  type FakeKubevirtServer,
  type FakeKubevirtServerOptions,
  startFakeKubevirtServer,
} from '../../test/fake-kubevirt-server.js';
import { createHarvesterProvider, createKubevirtProvider, type KubevirtProviderRuntime } from '../kubevirt-provider.js';
import type { HarvesterProviderSettings, KubevirtProviderSettings } from '../kubevirt-provider-settings.js';

export const NAMESPACE = 'headroom';

/** Connection to the fake (HTTPS with its CA, bearer token) and the namespace. */
function connection(server: FakeKubevirtServer) {
  return {
    host: server.url,
    certificateAuthorityData: Buffer.from(server.certificatePem ?? '', 'utf8').toString('base64'),
    apiToken: 'fake-token',
    namespace: NAMESPACE,
    maxInstances: 10,
    diskSizeGb: 30,
  };
}

/** Settings of a KubeVirt provider pointed at a fake server (HTTPS with the fake's CA, bearer token). */
export function kubevirtSettings(
  server: FakeKubevirtServer,
  extra: Partial<KubevirtProviderSettings> = {},
): KubevirtProviderSettings {
  return {
    ...connection(server),
    cores: 2,
    memoryMb: 4096,
    diskSourcePvc: 'ubuntu-focal',
    storageClassName: 'fast-ssd',
    sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHeadroomTestKey ops@example.com',
    ...extra,
  } as KubevirtProviderSettings;
}

/** Settings of a Harvester provider pointed at a fake server. */
export function harvesterSettings(
  server: FakeKubevirtServer,
  extra: Partial<HarvesterProviderSettings> = {},
): HarvesterProviderSettings {
  return {
    ...connection(server),
    cores: 4,
    memoryMb: 8192,
    diskImage: 'kasm-ubuntu-focal',
    networkType: 'multus',
    networkName: 'kasm-network',
    ...extra,
  } as HarvesterProviderSettings;
}

/** A fake server and a provider of the given flavour on it, with fault injection for the conformance suite. */
export async function startKubevirtHarness(options: {
  flavour: 'kubevirt' | 'harvester';
  server?: FakeKubevirtServerOptions;
  settings?: Record<string, unknown>;
  runtime?: KubevirtProviderRuntime;
}) {
  const server = await startFakeKubevirtServer(options.server);
  const provider =
    options.flavour === 'kubevirt'
      ? createKubevirtProvider(kubevirtSettings(server, options.settings), options.runtime)
      : createHarvesterProvider(harvesterSettings(server, options.settings), options.runtime);
  const injectFault = (fault: ConformanceFault) => {
    if (fault === 'insufficient-capacity') server.failNextScheduling();
    else server.failNextCreate('virtualmachines', fault);
  };
  return { server, provider, injectFault, close: () => server.close() };
}
