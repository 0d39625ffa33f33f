import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

// Every provider package has the same shape, so the next adapter is a copy of the last (style rule 13).
const packagesFolder = fileURLToPath(new URL('../../', import.meta.url));
const providerPackages = readdirSync(packagesFolder).filter((name) => name.startsWith('provider-'));

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

test('there are provider packages to check', () => {
  expect(providerPackages.length).toBeGreaterThanOrEqual(2);
});

describe.each(providerPackages)('%s', (folder) => {
  const id = folder.slice('provider-'.length);
  const root = join(packagesFolder, folder);
  const name = pascal(id);

  test('has README.md, CHANGELOG.md and a conformance test', () => {
    expect(existsSync(join(root, 'README.md'))).toBe(true);
    expect(existsSync(join(root, 'CHANGELOG.md'))).toBe(true);
    expect(existsSync(join(root, 'src', `${id}-provider.conformance.test.ts`))).toBe(true);
  });

  test(`src/index.ts exports create${name}Provider, ${name}ProviderSettings and VERSION`, () => {
    const index = readFileSync(join(root, 'src', 'index.ts'), 'utf8');
    expect(index).toMatch(new RegExp(`\\bcreate${name}Provider\\b`));
    expect(index).toMatch(new RegExp(`\\b${name}ProviderSettings\\b`));
    expect(index).toMatch(/\bVERSION\b/);
  });

  test('imports nothing from @headroom/core but its ./provider subpath', () => {
    const offenders = sourceFiles(join(root, 'src'))
      .filter((file) => !file.endsWith('.test.ts'))
      .filter((file) => /from '@headroom\/core(\/(?!provider')[^']*)?'/.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });

  test('package.json is ESM with an exports map that lists types first', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(manifest.type).toBe('module');
    expect(manifest.name).toBe(`@headroom/${folder}`);
    expect(Object.keys(manifest.exports['.']).filter((key: string) => key !== '@headroom/source')[0]).toBe('types');
  });
});
