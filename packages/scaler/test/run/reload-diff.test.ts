import { describe, expect, test } from 'vitest';
import { diffReload } from '../../src/run/reload-diff.js';
import type { ServiceConfig } from '../../src/run/service-config.js';

function serviceConfig(overrides: { provider?: string; listen?: string; managedBy?: string } = {}): ServiceConfig {
  const provider = overrides.provider ?? 'cloud';
  return {
    config: {
      providers: { [provider]: { type: 'fake' } },
      dnsProviders: {},
      pools: [{ id: 'agents', autoscale: [{ id: 'main', provider }] }],
    },
    settings: {
      scaler: { managedBy: overrides.managedBy ?? 'headroom', orphans: { mode: 'destroy' }, dryRun: false },
      api: { listen: overrides.listen ?? '127.0.0.1:8080' },
    },
    secrets: [],
  } as unknown as ServiceConfig;
}

const ids = (...values: string[]) => new Set(values);

describe('diffReload', () => {
  test('the same config: nothing refused, nothing waits for a restart', () => {
    const diff = diffReload({
      previous: serviceConfig(),
      next: serviceConfig(),
      providerIds: ids('cloud'),
      dnsProviderIds: ids(),
    });
    expect(diff).toEqual({ issues: [], restartNeeded: [] });
  });

  test('a new provider is refused by path; listen and managedBy wait for a restart', () => {
    const refused = diffReload({
      previous: serviceConfig(),
      next: serviceConfig({ provider: 'other' }),
      providerIds: ids('cloud'),
      dnsProviderIds: ids(),
    });
    expect(refused.issues).toEqual([
      { path: 'pools[0].autoscale[0].provider', message: 'provider "other" is new; adding providers needs a restart' },
    ]);
    const later = diffReload({
      previous: serviceConfig(),
      next: serviceConfig({ listen: '0.0.0.0:9000', managedBy: 'team-b' }),
      providerIds: ids('cloud'),
      dnsProviderIds: ids(),
    });
    expect(later).toEqual({ issues: [], restartNeeded: ['api.listen', 'scaler.managedBy'] });
  });
});
