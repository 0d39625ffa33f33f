import type { HeadroomConfig } from '@headroom/core';
import type { CloudModel, ProviderCloudModel } from '../cloud-model.js';

const instant = { kind: 'fixed', seconds: 0 } as const;

/** The cloud of the floor run: every boot and check-in instant, no boot failures; billing and prices kept. */
export function floorCloud(cloud: CloudModel): CloudModel {
  const instantModel = (model: Partial<ProviderCloudModel>): Partial<ProviderCloudModel> => ({
    ...model,
    bootTime: instant,
    checkinDelay: instant,
    bootFailureProbability: 0,
  });
  return {
    ...cloud,
    defaults: { ...cloud.defaults, bootTime: instant, checkinDelay: instant, bootFailureProbability: 0 },
    ...(cloud.providers
      ? {
          providers: Object.fromEntries(
            Object.entries(cloud.providers).map(([id, model]) => [id, instantModel(model)]),
          ),
        }
      : {}),
  };
}

/** The config of the floor run: no standby (resources, slots, predictive, minimum sessions) and no downscale backoff. */
export function floorConfig(config: HeadroomConfig): HeadroomConfig {
  return {
    ...config,
    pools: config.pools.map((pool) => ({
      ...pool,
      autoscale: pool.autoscale.map((autoscale) => {
        const copy: Record<string, unknown> = { ...autoscale, downscaleBackoffSeconds: 0 };
        if ('standby' in copy) copy.standby = { cores: 0, memoryMb: 0, gpus: 0, slots: [] };
        if ('minimumAvailableSessions' in copy) copy.minimumAvailableSessions = 0;
        delete copy.predictiveStandby;
        return copy;
      }),
    })),
  } as HeadroomConfig;
}
