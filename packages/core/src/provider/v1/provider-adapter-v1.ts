import type { z } from 'zod';
import type { Clock, Timers } from '../../clock/clock.js';
import type { ComputeProviderV1 } from './compute-provider-v1.js';
import type { DnsProviderV1 } from './dns-provider-v1.js';

/** What the host (the `headroom` service, the simulator, an embedding control plane) hands an adapter. */
export interface ProviderAdapterContextV1 {
  /** Id of the provider config (`aws-east`), for logs and errors. */
  configId: string;
  /** Folder of the config file: relative `{ file }` secrets resolve against it. Default: the working directory. */
  configDirectory?: string;
  /** Source of the current time. Default: the system clock. */
  clock?: Clock;
  /** Sleeps for polling and backoff. Default: real timers. */
  timers?: Timers;
}

/**
 * The one export of a `@headroom/provider-<type>` package (`export const adapter = { ... } satisfies
 * ProviderAdapterV1`). A package serving several config types (KubeVirt and Harvester) also exports
 * `adapters`, one descriptor per type, and lists the types in its package.json under
 * `headroom.providerTypes`. Treat any change as breaking: a v2 goes beside this file.
 */
export interface ProviderAdapterV1<Settings = unknown, DnsSettings = unknown> {
  readonly specificationVersion: 'v1';
  /** Config `type` this adapter serves (`aws`). */
  readonly type: string;
  /**
   * Schema of a `providers.<id>` entry of this type, with `type` and `name` accepted. Strict: an
   * unknown field is an issue. `headroom validate` reports every issue by path; `headroom schema`
   * turns it into JSON Schema.
   */
  readonly settingsSchema: z.ZodType<Settings>;
  /** Creates the compute provider from parsed settings. Resolves no secret and makes no call yet. */
  createProvider(options: { settings: Settings; context: ProviderAdapterContextV1 }): ComputeProviderV1;
  /** Schema of a `dnsProviders.<id>` entry of this type, where the cloud has DNS. */
  readonly dnsSettingsSchema?: z.ZodType<DnsSettings>;
  /** Creates the DNS provider; present exactly when `dnsSettingsSchema` is. */
  createDnsProvider?(options: { settings: DnsSettings; context: ProviderAdapterContextV1 }): DnsProviderV1;
}
