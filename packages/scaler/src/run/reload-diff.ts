import type { ConfigIssue } from '@headroom/core';
import type { ServiceConfig } from './service-config.js';

/** What a reload changes: refusals (the running config stays) and settings that wait for a restart. */
export interface ReloadDiff {
  /** Non-empty: the reload is refused with these problems. */
  issues: ConfigIssue[];
  /** Changed settings that take effect only after a restart. */
  restartNeeded: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Compares the running config with the new one; pure. Providers cannot be added without a restart. */
export function diffReload(options: {
  previous: ServiceConfig;
  next: ServiceConfig;
  /** Provider and DNS provider ids the running service has adapters for. */
  providerIds: ReadonlySet<string>;
  dnsProviderIds: ReadonlySet<string>;
}): ReloadDiff {
  const { previous, next } = options;
  const issues: ConfigIssue[] = [];
  for (const [poolIndex, pool] of next.config.pools.entries()) {
    for (const [index, autoscale] of pool.autoscale.entries()) {
      const path = `pools[${poolIndex}].autoscale[${index}]`;
      if (!options.providerIds.has(autoscale.provider))
        issues.push({
          path: `${path}.provider`,
          message: `provider "${autoscale.provider}" is new; adding providers needs a restart`,
        });
      if (autoscale.dns && !options.dnsProviderIds.has(autoscale.dns.provider))
        issues.push({
          path: `${path}.dns.provider`,
          message: `DNS provider "${autoscale.dns.provider}" is new; adding DNS providers needs a restart`,
        });
    }
  }
  const restartNeeded: string[] = [];
  const changed = (name: string, a: unknown, b: unknown) => {
    if (!same(a, b)) restartNeeded.push(name);
  };
  changed('state', previous.settings.state, next.settings.state);
  changed('api.listen', previous.settings.api.listen, next.settings.api.listen);
  // The certificate and key of a TLS API are swapped on reload; turning TLS on or off is not.
  changed('api.tls', previous.settings.api.tls !== undefined, next.settings.api.tls !== undefined);
  changed('providers', previous.config.providers, next.config.providers);
  changed('dnsProviders', previous.config.dnsProviders, next.config.dnsProviders);
  changed('scaler.managedBy', previous.settings.scaler.managedBy, next.settings.scaler.managedBy);
  changed('scaler.orphans', previous.settings.scaler.orphans, next.settings.scaler.orphans);
  changed('scaler.dryRun', previous.settings.scaler.dryRun, next.settings.scaler.dryRun);
  return { issues, restartNeeded };
}
