import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ProviderAdapterV1 } from '@headroom/core/provider';

const require = createRequire(import.meta.url);

/** Why an adapter could not be had: not installed, or the package does not serve the type. */
export class AdapterUnavailableError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'AdapterUnavailableError';
  }
}

interface AdapterModule {
  adapter?: ProviderAdapterV1;
  adapters?: readonly ProviderAdapterV1[];
}

const isModuleNotFound = (error: unknown, packageName: string) => {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    String((error as Error).message).includes(packageName)
  );
};

/** Adapter packages this scaler knows of: its optional peer dependencies named `@headroom/provider-*`. */
export function knownAdapterPackages(): string[] {
  const manifest = JSON.parse(readFileSync(require.resolve('@headroom/scaler/package.json'), 'utf8')) as {
    peerDependencies?: Record<string, string>;
  };
  return Object.keys(manifest.peerDependencies ?? {}).filter((name) => name.startsWith('@headroom/provider-'));
}

/** The installed package whose package.json lists `type` under `headroom.providerTypes`, if any. */
function findPackageServing(type: string): string | undefined {
  for (const packageName of knownAdapterPackages()) {
    let manifest: { headroom?: { providerTypes?: unknown } };
    try {
      manifest = JSON.parse(readFileSync(require.resolve(`${packageName}/package.json`), 'utf8'));
    } catch {
      continue;
    }
    const types = manifest.headroom?.providerTypes;
    if (Array.isArray(types) && types.includes(type)) return packageName;
  }
  return undefined;
}

async function importAdapterModule(packageName: string): Promise<AdapterModule | undefined> {
  try {
    return (await import(packageName)) as AdapterModule;
  } catch (error) {
    if (isModuleNotFound(error, packageName)) return undefined;
    throw error;
  }
}

const cache = new Map<string, Promise<ProviderAdapterV1>>();

async function resolveAdapter(type: string): Promise<ProviderAdapterV1> {
  const conventional = `@headroom/provider-${type}`;
  let packageName = conventional;
  let module = await importAdapterModule(conventional);
  if (!module) {
    const serving = findPackageServing(type);
    if (serving) {
      packageName = serving;
      module = await importAdapterModule(serving);
    }
  }
  if (!module) {
    throw new AdapterUnavailableError(
      type,
      `no adapter installed for type "${type}": install ${conventional} (or the @headroom/provider-* package that serves "${type}")`,
    );
  }
  const candidates = module.adapters ?? (module.adapter ? [module.adapter] : []);
  const adapter = candidates.find((candidate) => candidate.type === type);
  if (adapter?.specificationVersion !== 'v1') {
    throw new AdapterUnavailableError(type, `${packageName} does not export a v1 adapter for type "${type}"`);
  }
  return adapter;
}

/**
 * The adapter serving a provider `type`: `@headroom/provider-<type>` by convention, else the installed
 * adapter package that lists the type under `headroom.providerTypes` (KubeVirt serves `harvester`).
 * @throws AdapterUnavailableError naming the package to install.
 */
export function loadAdapter(type: string): Promise<ProviderAdapterV1> {
  let loading = cache.get(type);
  if (!loading) {
    loading = resolveAdapter(type);
    loading.catch(() => cache.delete(type));
    cache.set(type, loading);
  }
  return loading;
}

/** Every adapter of the installed adapter packages, by type (for `headroom schema`). */
export async function loadInstalledAdapters(): Promise<ProviderAdapterV1[]> {
  const found: ProviderAdapterV1[] = [];
  for (const packageName of knownAdapterPackages()) {
    const module = await importAdapterModule(packageName);
    if (!module) continue;
    for (const adapter of module.adapters ?? (module.adapter ? [module.adapter] : [])) {
      if (adapter.specificationVersion === 'v1' && !found.some((known) => known.type === adapter.type))
        found.push(adapter);
    }
  }
  return found.sort((left, right) => left.type.localeCompare(right.type));
}
