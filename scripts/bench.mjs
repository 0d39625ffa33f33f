#!/usr/bin/env node
// Runs every benchmark in scripts/bench/ in turn (after `pnpm build`). Each prints its own numbers.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const folder = fileURLToPath(new URL('./bench/', import.meta.url));
const only = process.argv[2];
const scripts = readdirSync(folder)
  .filter((name) => name.endsWith('-bench.mjs'))
  .filter((name) => !only || name.includes(only))
  .sort();
let failed = 0;
for (const name of scripts) {
  console.log(`\n=== ${name}`);
  const result = spawnSync(process.execPath, ['--expose-gc', folder + name], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed += 1;
    console.log(`${name} exited with ${result.status}`);
  }
}
process.exitCode = failed ? 1 : 0;
