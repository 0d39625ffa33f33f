import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';

// Every provider package has the shape of the one template (contributing/add-new-provider.md), so
// the next adapter is a copy of the last.
const packagesFolder = fileURLToPath(new URL('../../', import.meta.url));
const providerPackages = readdirSync(packagesFolder).filter((name) => name.startsWith('provider-'));
const scalerManifest = JSON.parse(readFileSync(join(packagesFolder, 'scaler', 'package.json'), 'utf8'));

const pascal = (id: string) => id.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
const sourceFiles = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? entry.name === '__fixtures__'
        ? []
        : sourceFiles(join(folder, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(folder, entry.name)]
        : [],
  );
/** Source without comments, so that a doc comment mentioning `Date.now` is not an offence. */
const code = (file: string) =>
  readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');

test('there are provider packages to check', () => {
  expect(providerPackages.length).toBeGreaterThanOrEqual(2);
});

describe.each(providerPackages)('%s', (folder) => {
  const id = folder.slice('provider-'.length);
  const root = join(packagesFolder, folder);
  const name = pascal(id);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const productionFiles = sourceFiles(join(root, 'src')).filter((file) => !file.endsWith('.test.ts'));

  test('has the template files', () => {
    const required = [
      'README.md',
      'CHANGELOG.md',
      'tsconfig.json',
      'src/index.ts',
      `src/${id}-adapter.ts`,
      `src/${id}-provider.ts`,
      `src/${id}-provider-settings.ts`,
      `src/${id}-error.ts`,
      `src/${id}-provider.conformance.test.ts`,
    ];
    expect(required.filter((file) => !existsSync(join(root, file)))).toEqual([]);
    const names = readdirSync(join(root, 'src'));
    expect(names.some((file) => file.startsWith(`map-${id}-`))).toBe(true);
    expect(names.some((file) => file.startsWith(`convert-to-${id}-`))).toBe(true);
    expect(existsSync(join(root, 'test'))).toBe(true);
  });

  test(`src/index.ts exports adapter, create${name}Provider, ${name}ProviderSettings and VERSION`, () => {
    const index = readFileSync(join(root, 'src', 'index.ts'), 'utf8');
    for (const exported of ['adapter', `create${name}Provider`, `${name}ProviderSettings`, 'VERSION']) {
      expect(index).toMatch(new RegExp(`\\b${exported}\\b`));
    }
  });

  test('its adapter descriptor serves the types its package.json declares', async () => {
    const module = await import(pathToFileURL(join(root, 'src', 'index.ts')).href);
    const adapters: Array<Record<string, unknown>> = module.adapters ?? [module.adapter];
    expect(adapters).toContain(module.adapter);
    for (const adapter of adapters) {
      expect(adapter.specificationVersion).toBe('v1');
      expect(typeof adapter.createProvider).toBe('function');
      expect(typeof (adapter.settingsSchema as { safeParse?: unknown }).safeParse).toBe('function');
      expect(adapter.dnsSettingsSchema === undefined).toBe(adapter.createDnsProvider === undefined);
    }
    const types = adapters.map((adapter) => adapter.type);
    const declared: string[] = manifest.headroom?.providerTypes ?? [id];
    expect(types.sort()).toEqual([...declared].sort());
  });

  test('imports nothing from @headroom/core but its ./provider subpath', () => {
    const offenders = productionFiles.filter((file) =>
      /from '@headroom\/core(\/(?!provider')[^']*)?'/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  test('takes time from the injected clock and timers, never Date.now or timers of its own', () => {
    const offenders = productionFiles.flatMap((file) =>
      [/\bDate\.now\(/, /\bsetTimeout\(/, /\bsetInterval\(/, /from 'node:timers/, /new Date\(\)/]
        .filter((pattern) => pattern.test(code(file)))
        .map((pattern) => `${file.slice(root.length + 1)}: ${pattern.source}`),
    );
    expect(offenders).toEqual([]);
  });

  test('package.json is ESM with an exports map that lists types first', () => {
    expect(manifest.type).toBe('module');
    expect(manifest.name).toBe(`@headroom/${folder}`);
    expect(Object.keys(manifest.exports['.']).filter((key: string) => key !== '@headroom/source')[0]).toBe('types');
  });

  test('is an optional peer dependency of @headroom/scaler', () => {
    expect(scalerManifest.peerDependencies?.[manifest.name]).toBeDefined();
    expect(scalerManifest.peerDependenciesMeta?.[manifest.name]?.optional).toBe(true);
    expect(scalerManifest.devDependencies?.[manifest.name]).toBeDefined();
  });
});
