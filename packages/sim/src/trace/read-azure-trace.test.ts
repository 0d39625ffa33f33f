import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AZURE_DEFAULT_ORIGIN_MS, readAzureTrace } from './read-azure-trace.js';
import { detectTraceFormat, readTrace } from './read-trace.js';

const azurePath = '/work/shared/data/azure-vm-2017/vm_arrivals.csv.gz';
const header = 'arrival_bin_end_s,batch_id,vcpus,memory_gb,duration_bin,duration_min_s,duration_max_s,censored';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'headroom-azure-trace-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('readAzureTrace', () => {
  test('keeps only rows with lifetimes, decodes sizes, draws inside bins deterministically', async () => {
    const path = join(directory, 'slice.csv.gz');
    await writeFile(
      path,
      gzipSync(
        [
          header,
          '300,0,2,3.5,,,,',
          '1800000,9,1,1.75,5,1500,1500,',
          '1800000,9,8,56,14,7500,10800,',
          '1800300,10,4,7,,2000,,1',
        ].join('\n'),
      ),
    );
    const first = await readAzureTrace({ path, seed: 7 });
    const second = await readAzureTrace({ path, seed: 7 });
    expect(second).toEqual(first);
    expect(first.skipped).toEqual({ 'no lifetime': 1 });
    const [a, b, c] = first.sessions;
    expect(a!.startMs).toBe(b!.startMs);
    expect(a!.startMs).toBeGreaterThanOrEqual(AZURE_DEFAULT_ORIGIN_MS + 1_799_700_000);
    expect(a!.startMs).toBeLessThan(AZURE_DEFAULT_ORIGIN_MS + 1_800_000_000);
    expect([a!.cores, a!.memoryMb, a!.durationMs]).toEqual([1, 1792, 1_500_000]);
    expect([b!.cores, b!.memoryMb]).toEqual([8, 57344]);
    expect(b!.durationMs).toBeGreaterThanOrEqual(7_500_000);
    expect(b!.durationMs).toBeLessThanOrEqual(10_800_000);
    expect(c!.durationMs).toBe(2_000_000);
    const atBinEnd = await readAzureTrace({ path, arrivalInBin: 'end', lifetimeInBin: 'lower', originMs: 0 });
    expect(atBinEnd.sessions.map((session) => [session.startMs, session.durationMs])).toEqual([
      [1_800_000_000, 1_500_000],
      [1_800_000_000, 7_500_000],
      [1_800_300_000, 2_000_000],
    ]);
    await writeFile(join(directory, 'bad.csv'), `${header}\n1800000,9,1,big,5,1500,1500,\n`);
    await expect(readAzureTrace({ path: join(directory, 'bad.csv') })).rejects.toThrow(
      ':2:4: memory_gb: expected a number ≥ 0, got "big"',
    );
  });

  test('the real trace yields the 669,435-VM window with lifetimes', async () => {
    expect(await detectTraceFormat(azurePath)).toBe('azure');
    const trace = await readTrace({ path: azurePath, originMs: 0 });
    expect(trace.sessions.length).toBe(669_435);
    expect(trace.skipped['no lifetime']).toBe(1_870_433 - 669_435);
    expect(trace.sessions[0]!.startMs).toBeGreaterThanOrEqual(1_799_700_000);
    expect(trace.sessions.at(-1)!.startMs).toBeLessThan(2_591_100_000);
  });
});
