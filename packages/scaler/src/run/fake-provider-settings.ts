import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { systemClock } from '@headroom/core';
import type { ComputeProviderV1 } from '@headroom/core/provider';
import type { FakeCloudSnapshot } from '@headroom/core/test';
import { z } from 'zod';

/** Settings of a provider of type `fake`: the in-memory fake cloud, or a fake cloud server at `url`. */
export const fakeProviderSettingsSchema = z.strictObject({
  maxInstances: z.number().optional(),
  startupScript: z.string().optional(),
  configOverride: z.record(z.string(), z.unknown()).optional(),
  /** Fake cloud HTTP server (`startFakeCloudServer`) shared by several processes; only 127.0.0.1. */
  url: z
    .url({ error: 'must be an http URL' })
    .refine((value) => /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(value), {
      error: 'must be an http://127.0.0.1 URL',
    })
    .optional(),
  /** JSON file the in-memory cloud is kept in, so instances outlive a restart. */
  stateFile: z.string().min(1).optional(),
  /** Seconds from create to `running`. */
  bootDelaySeconds: z.number().min(0).default(0),
  /** Seconds a destroyed instance stays listed as stopping. */
  destroyDelaySeconds: z.number().min(0).default(0),
  /** Latency of every call, in milliseconds. */
  latencyMs: z.number().min(0).default(0),
});

export type FakeProviderSettings = z.output<typeof fakeProviderSettingsSchema>;

/** Creates the compute provider for a `fake` provider config entry. */
export async function createFakeComputeProvider(options: {
  id: string;
  settings: FakeProviderSettings;
}): Promise<ComputeProviderV1> {
  const { settings } = options;
  const { createFakeCloud, createFakeHttpProvider, createFakeProvider } = await import('@headroom/core/test');
  if (settings.url) return createFakeHttpProvider({ url: settings.url, providerId: options.id });
  const build = (snapshot: FakeCloudSnapshot | undefined) => {
    const cloud = createFakeCloud({
      clock: systemClock,
      bootDelayMs: settings.bootDelaySeconds * 1000,
      destroyDelayMs: settings.destroyDelaySeconds * 1000,
      ...(snapshot ? { snapshot } : {}),
    });
    return createFakeProvider({ providerId: options.id, cloud, clock: systemClock, latencyMs: settings.latencyMs });
  };
  const stateFile = settings.stateFile;
  if (!stateFile) return build(undefined);

  // The state file is the cloud: reloaded whenever another process (a previous leader) changed it.
  let loadedVersion = '';
  let current = build(undefined);
  const fileVersion = () => {
    try {
      const stats = statSync(stateFile);
      return `${stats.mtimeMs}:${stats.size}`;
    } catch {
      return '';
    }
  };
  const refresh = () => {
    const version = fileVersion();
    if (version === loadedVersion) return;
    let snapshot: FakeCloudSnapshot | undefined;
    try {
      snapshot = JSON.parse(readFileSync(stateFile, 'utf8')) as FakeCloudSnapshot;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new Error(`fake cloud state file ${stateFile}: cannot read (${(error as Error).message})`);
      }
    }
    current = build(snapshot);
    loadedVersion = version;
  };
  const save = () => {
    const temporary = `${stateFile}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(current.cloud.snapshot()));
    renameSync(temporary, stateFile);
    loadedVersion = fileVersion();
  };
  const persisted = async <T>(call: () => Promise<T>): Promise<T> => {
    refresh();
    try {
      return await call();
    } finally {
      save();
    }
  };
  refresh();
  return {
    specificationVersion: 'v1',
    providerId: current.providerId,
    createInstance: (createOptions) => persisted(() => current.createInstance(createOptions)),
    destroyInstance: (destroyOptions) => persisted(() => current.destroyInstance(destroyOptions)),
    listInstances: (listOptions) => {
      refresh();
      return current.listInstances(listOptions);
    },
  };
}
