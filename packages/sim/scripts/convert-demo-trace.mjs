#!/usr/bin/env node
// Regenerates examples/traces/azure-vm-2017-week.csv.gz from the Azure 2017 VM trace
// (AzurePublicDatasetV1, CC-BY 4.0). Run from the repository root after `pnpm -s build`:
//   node packages/sim/scripts/convert-demo-trace.mjs [path/to/vm_arrivals.csv.gz] [output.csv.gz]
// The output is deterministic: same input, same bytes.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { AZURE_DEFAULT_ORIGIN_MS, readAzureTrace } from '../dist/index.js';

const input = process.argv[2] ?? '../shared/data/azure-vm-2017/vm_arrivals.csv.gz';
const output = process.argv[3] ?? 'examples/traces/azure-vm-2017-week.csv.gz';
/** Trace days 21–28: one week, Saturday to Friday, inside the window that has lifetimes. */
const fromSeconds = 21 * 86400;
const toSeconds = 28 * 86400;
/** Keep one tenant batch in 50 (a multi-VM deployment stays whole). */
const batchEvery = 50;

const trace = await readAzureTrace({
  path: input,
  originMs: AZURE_DEFAULT_ORIGIN_MS,
  fromMs: AZURE_DEFAULT_ORIGIN_MS + fromSeconds * 1000,
  toMs: AZURE_DEFAULT_ORIGIN_MS + toSeconds * 1000,
  arrivalInBin: 'uniform',
  lifetimeInBin: 'uniform',
  seed: 20170107,
  batchFilter: (batchId) => batchId % batchEvery === 0,
});

function* lines() {
  yield '# Azure VM trace 2017 (AzurePublicDatasetV1, CC-BY 4.0, Cortez et al., SOSP 2017); see examples/traces/README.md\n';
  yield 'start,duration_s,cores,memory_mb,gpus\n';
  for (const session of trace.sessions) {
    const start = new Date(session.startMs).toISOString().replace('.000Z', 'Z');
    yield `${start},${Math.round(session.durationMs / 1000)},${session.cores},${session.memoryMb},${session.gpus}\n`;
  }
}

await pipeline(Readable.from(lines()), createGzip({ level: 9 }), createWriteStream(output));
console.log(`${output}: ${trace.sessions.length} sessions`);
