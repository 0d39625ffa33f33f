import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readCsvTrace } from './read-csv-trace.js';
import { detectTraceFormat, readTrace } from './read-trace.js';
import { TraceError } from './trace-error.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'headroom-csv-trace-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function write(name: string, text: string | Buffer): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, text);
  return path;
}

async function expectTraceError(promise: Promise<unknown>): Promise<TraceError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(TraceError.isInstance(error)).toBe(true);
  return error as TraceError;
}

describe('readCsvTrace', () => {
  test('parses ISO-8601, epoch seconds, end column, optional columns, and sorts by start', async () => {
    const path = await write(
      'sessions.csv',
      [
        'start,duration_s,end,cores,memory_mb,gpus,user,pool,workspace,zone',
        '2026-03-02T10:00:00Z,600,,2,4096,0,ann,linux,chrome,east',
        '# a comment',
        '',
        '1772445600,,1772449200,1,2048,1,bob,,,',
        '2026-03-02T09:00:00+01:00,60,,0.5,512,0,,,,',
      ].join('\n'),
    );
    const trace = await readCsvTrace({ path });
    expect(trace.sessions).toEqual([
      { startMs: Date.UTC(2026, 2, 2, 8), durationMs: 60_000, cores: 0.5, memoryMb: 512, gpus: 0 },
      {
        startMs: Date.UTC(2026, 2, 2, 10),
        durationMs: 600_000,
        cores: 2,
        memoryMb: 4096,
        gpus: 0,
        user: 'ann',
        pool: 'linux',
        workspace: 'chrome',
        zone: 'east',
      },
      { startMs: 1772445600_000, durationMs: 3_600_000, cores: 1, memoryMb: 2048, gpus: 1, user: 'bob' },
    ]);
  });

  test('reads local wall times in the given time zone, across a DST switch', async () => {
    const path = await write(
      'local.csv',
      'start,duration_s,cores,memory_mb\n2026-03-28T09:00,60,1,1024\n2026-03-30T09:00,60,1,1024\n',
    );
    const trace = await readCsvTrace({ path, timezone: 'Europe/Berlin' });
    expect(trace.sessions.map((session) => session.startMs)).toEqual([
      Date.UTC(2026, 2, 28, 8),
      Date.UTC(2026, 2, 30, 7),
    ]);
  });

  test('gzip is detected by magic bytes, not by the file name', async () => {
    const path = await write('plain-name.csv', gzipSync('start,end,cores,memory_mb,gpus\n0,30,4,8192,0\n'));
    const trace = await readCsvTrace({ path });
    expect(trace.sessions).toEqual([{ startMs: 0, durationMs: 30_000, cores: 4, memoryMb: 8192, gpus: 0 }]);
  });

  test('slices by from/to before shifting, then shifts and scales sizes', async () => {
    const path = await write(
      'slice.csv',
      'start,duration_s,cores,memory_mb,gpus\n100,1,1,1000,1\n200,1,2,1001,0\n300,1,3,1000,0\n',
    );
    const trace = await readCsvTrace({
      path,
      fromMs: 200_000,
      toMs: 300_000,
      timeShiftSeconds: 3600,
      scaleSizes: { cores: 2, memoryMb: 1.5 },
    });
    expect(trace.sessions).toEqual([{ startMs: 3_800_000, durationMs: 1000, cores: 4, memoryMb: 1502, gpus: 0 }]);
  });

  test('a bad number names file, line, column and field', async () => {
    const path = await write('sessions.csv', 'start,duration_s,cores,memory_mb\n0,1,1,1\n#c\n0,1,1,1\n0,1,x,1\n');
    const error = await expectTraceError(readCsvTrace({ path }));
    expect(error.message).toBe(`${path}:5:3: cores: expected a number ≥ 0, got "x"`);
    expect([error.line, error.column, error.field]).toEqual([5, 3, 'cores']);
  });

  test('malformed rows and headers are refused with their location', async () => {
    const negative = await write('negative.csv', 'start,duration_s,cores,memory_mb\n0,-5,1,1\n');
    expect((await expectTraceError(readCsvTrace({ path: negative }))).message).toContain(
      ':2:2: duration_s: expected a number ≥ 0, got "-5"',
    );
    const badTime = await write('time.csv', 'cores,memory_mb,start,duration_s\n1,1,yesterday,5\n');
    expect((await expectTraceError(readCsvTrace({ path: badTime }))).message).toContain(
      ':2:3: start: expected a timestamp',
    );
    const short = await write('short.csv', 'start,duration_s,cores,memory_mb\n0,1,1\n');
    expect((await expectTraceError(readCsvTrace({ path: short }))).message).toContain(':2:4: expected 4 fields');
    const noHeader = await write('noheader.csv', '0,1,1,1\n');
    expect((await expectTraceError(readCsvTrace({ path: noHeader }))).message).toContain(':1: header row lacks start');
    const backwards = await write('backwards.csv', 'start,end,cores,memory_mb\n100,50,1,1\n');
    expect((await expectTraceError(readCsvTrace({ path: backwards }))).message).toContain(
      ':2:2: end: ends before it starts',
    );
    const empty = await write('empty.csv', '');
    expect((await expectTraceError(readCsvTrace({ path: empty }))).message).toContain('missing header row');
    const quote = await write('quote.csv', 'start,duration_s,cores,memory_mb,user\n0,1,1,1,"ann\n');
    expect((await expectTraceError(readCsvTrace({ path: quote }))).message).toContain(':2: unclosed quoted field');
  });

  test('an unknown time zone is refused', async () => {
    const path = await write('zone.csv', 'start,duration_s,cores,memory_mb\n');
    expect((await expectTraceError(readCsvTrace({ path, timezone: 'Mars/Olympus' }))).message).toContain(
      'unknown time zone',
    );
  });
});

describe('readTrace', () => {
  test('detects CSV and SWF by content and reads them', async () => {
    const csv = await write('detect.csv', 'start,duration_s,cores,memory_mb\n0,1,1,1\n');
    const swf = await write('detect.txt', '; UnixStartTime: 5\n1 0 -1 5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n');
    expect(await detectTraceFormat(csv)).toBe('csv');
    expect(await detectTraceFormat(swf)).toBe('swf');
    expect((await readTrace({ path: swf })).sessions[0]!.startMs).toBe(5000);
    expect((await readTrace({ path: csv, format: 'csv' })).sessions).toHaveLength(1);
  });

  test('reads the bundled demo trace', async () => {
    const path = join(dirname(fileURLToPath(import.meta.url)), '../../../../examples/traces/azure-vm-2017-week.csv.gz');
    const trace = await readTrace({ path });
    expect(trace.sessions).toHaveLength(10_118);
    expect(trace.sessions[0]!.startMs).toBeGreaterThanOrEqual(Date.UTC(2017, 0, 28));
    expect(trace.sessions.at(-1)!.startMs).toBeLessThan(Date.UTC(2017, 1, 4));
  });

  test('values out of bounds are refused naming file, line, column and field; so is a truncated gzip file', async () => {
    const header = 'start,duration_s,end,cores,memory_mb,gpus\n';
    const cases: [string, string][] = [
      ['2026-03-02T09:00:00Z,1e300,,2,4096,0', ':2:2: duration_s: expected a duration of 0 to 316224000 s'],
      ['2026-03-02T09:00:00Z,,+010000-01-01T00:00:00Z,2,4096,0', ':2:3: end: expected a duration of 0 to'],
      ['315569520000000,60,,2,4096,0', ':2:1: start: expected a start from 1970 to 2199'],
      ['2026-03-02T09:00:00Z,60,,1e300,4096,0', ':2:4: cores: expected 0 to 100000 cores, got 1e+300'],
      ['2026-03-02T09:00:00Z,60,,2,2e9,0', ':2:5: memory_mb: expected 0 to 1073741824 MiB'],
      ['2026-03-02T09:00:00Z,60,,2,4096,1e6', ':2:6: gpus: expected 0 to 10000 GPUs'],
    ];
    for (const [index, [row, message]] of cases.entries()) {
      const path = await write(`bounds-${index}.csv`, `${header}${row}\n`);
      const error = await expectTraceError(readCsvTrace({ path }));
      expect(error.message).toContain(`${path}${message}`);
    }
    const shifted = await write('shifted.csv', `${header}2199-12-31T00:00:00Z,60,,2,4096,0\n`);
    expect((await readCsvTrace({ path: shifted })).sessions).toHaveLength(1);
    const error = await expectTraceError(readCsvTrace({ path: shifted, timeShiftSeconds: 86_400 }));
    expect(error.message).toContain(`${shifted}:2:1: start: expected a start from 1970 to 2199`);
    const whole = gzipSync(`${header}${'2026-03-02T09:00:00Z,60,,2,4096,0\n'.repeat(5000)}`);
    const truncated = await write('truncated.csv.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    const gzipError = await expectTraceError(readCsvTrace({ path: truncated }));
    expect(gzipError.message).toMatch(
      new RegExp(`^${truncated.replaceAll('.', '\\.')}:\\d+: corrupt or truncated gzip data`),
    );
  });
});
