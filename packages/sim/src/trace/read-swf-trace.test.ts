import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readSwfTrace } from './read-swf-trace.js';
import { TraceError } from './trace-error.js';

const nasaPath = '/work/shared/data/pwa-nasa-ipsc-1993/NASA-iPSC-1993-3.1-cln.csv.gz';
const lcgPath = '/work/shared/data/pwa-lcg-2005/LCG-2005-1.csv.gz';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'headroom-swf-trace-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('readSwfTrace', () => {
  test('reads the NASA iPSC log (CSV variant) with its sibling header', async () => {
    const trace = await readSwfTrace({ path: nasaPath });
    expect(trace.timezone).toBe('US/Pacific');
    expect(
      trace.sessions.length + (trace.skipped['unknown run time'] ?? 0) + (trace.skipped['unknown size'] ?? 0),
    ).toBe(18239);
    expect(trace.sessions[0]).toEqual({
      startMs: 749458803_000,
      durationMs: 1_451_000,
      cores: 128,
      memoryMb: 0,
      gpus: 0,
      user: '1',
    });
    const last = trace.sessions.at(-1)!;
    expect(last.startMs).toBeLessThanOrEqual((749458803 + 7_948_936) * 1000);
    for (let index = 1; index < trace.sessions.length; index++) {
      expect(trace.sessions[index]!.startMs).toBeGreaterThanOrEqual(trace.sessions[index - 1]!.startMs);
    }
  });

  test('slices two weeks of the NASA log in local time and maps processors to cores and memory', async () => {
    const fromMs = Date.UTC(1993, 9, 25, 7);
    const toMs = Date.UTC(1993, 10, 8, 8);
    const trace = await readSwfTrace({
      path: nasaPath,
      fromMs,
      toMs,
      coresPerProcessor: 0.5,
      memoryMbPerProcessor: 256,
    });
    expect(trace.sessions.length).toBeGreaterThan(1000);
    expect(trace.sessions.length).toBeLessThan(18239 / 2);
    for (const session of trace.sessions) {
      expect(session.startMs).toBeGreaterThanOrEqual(fromMs);
      expect(session.startMs).toBeLessThan(toMs);
      expect(session.memoryMb).toBe(session.cores * 512);
    }
  });

  test('reads the first LCG jobs with their req_time and many users', async () => {
    const trace = await readSwfTrace({ path: lcgPath, toMs: (1132444805 + 3600) * 1000 });
    expect(trace.timezone).toBe('Europe/London');
    expect(trace.sessions[0]).toEqual({
      startMs: 1132444805_000,
      durationMs: 83_000,
      cores: 1,
      memoryMb: 0,
      gpus: 0,
      user: '1',
    });
    expect(trace.sessions.every((session) => session.cores === 1)).toBe(true);
  });

  test('reads native SWF with header comments, whitespace fields and wait time', async () => {
    const path = join(directory, 'tiny.swf');
    await writeFile(
      path,
      [
        '; Version: 2.2',
        '; UnixStartTime: 1000',
        '; TimeZoneString: Europe/Berlin',
        '    1     0    10   100    4   -1  2048   -1   -1   -1  1  7  1  3 -1 -1 -1 -1',
        '    2     5    -1    -1    2   -1    -1   -1   -1   -1  5  7  1 -1 -1 -1 -1 -1',
        '    3     6    -1    50   -1   -1    -1    2   -1  1024  1  8  1 -1 -1 -1 -1 -1',
      ].join('\n'),
    );
    const trace = await readSwfTrace({ path });
    expect(trace.timezone).toBe('Europe/Berlin');
    expect(trace.skipped).toEqual({ 'unknown run time': 1 });
    expect(trace.sessions).toEqual([
      { startMs: 1_006_000, durationMs: 50_000, cores: 2, memoryMb: 2, gpus: 0, user: '8' },
      { startMs: 1_010_000, durationMs: 100_000, cores: 4, memoryMb: 8, gpus: 0, user: '7', workspace: '3' },
    ]);
  });

  test('malformed SWF lines and a missing start time are refused with their location', async () => {
    const bad = join(directory, 'bad.swf');
    await writeFile(
      bad,
      '; UnixStartTime: 0\n1 0 -1 5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n2 0 -1 five 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n',
    );
    const error = await readSwfTrace({ path: bad }).catch((caught: unknown) => caught);
    expect(TraceError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(`${bad}:3:4: run_s: expected a number, got "five"`);
    const short = join(directory, 'short.swf');
    await writeFile(short, '; UnixStartTime: 0\n1 0 -1 5 1\n');
    await expect(readSwfTrace({ path: short })).rejects.toThrow(`${short}:2:6: expected 18 SWF fields, got 5`);
    const noStart = join(directory, 'nostart.swf');
    await writeFile(noStart, '1 0 -1 5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n');
    await expect(readSwfTrace({ path: noStart })).rejects.toThrow('UnixStartTime');
    const trace = await readSwfTrace({ path: noStart, unixStartTimeSeconds: 10 });
    expect(trace.sessions[0]!.startMs).toBe(10_000);
  });

  test('values out of bounds are refused with the SWF field they came from', async () => {
    const long = join(directory, 'long.swf');
    await writeFile(long, '; UnixStartTime: 0\n1 0 -1 1e300 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n');
    await expect(readSwfTrace({ path: long })).rejects.toThrow(`${long}:2:4: run_s: expected a duration of 0 to`);
    const wide = join(directory, 'wide.swf');
    await writeFile(wide, '; UnixStartTime: 0\n1 0 -1 5 1e300 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n');
    await expect(readSwfTrace({ path: wide })).rejects.toThrow(`${wide}:2:5: alloc_procs: expected 0 to 100000 cores`);
    const late = join(directory, 'late.swf');
    await writeFile(late, '; UnixStartTime: 315569520000000\n1 0 -1 5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n');
    await expect(readSwfTrace({ path: late })).rejects.toThrow(
      `${late}:2:2: submit_s: expected a start from 1970 to 2199`,
    );
  });
});
