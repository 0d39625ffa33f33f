import { parseConfig } from '@headroom/core';
import { expect, test } from 'vitest';
import { BILLING_PER_SECOND } from '../cloud-model.js';
import { simulate } from '../engine/simulate.js';
import type { TraceSession } from '../trace/trace-session.js';
import { renderReport } from './render-report.js';

const config = parseConfig({
  providers: { sim: { type: 'fake', maxInstances: 10 } },
  zones: [{ id: 'east', searchAlternateZones: true }, { id: 'west' }],
  pools: [
    {
      id: 'agents',
      kind: 'docker-agent',
      autoscale: [
        { id: 'east-agents', provider: 'sim', zone: 'east', agent: { cores: 4, memoryMb: 8192, gpus: 0 } },
        { id: 'west-agents', provider: 'sim', zone: 'west', agent: { cores: 4, memoryMb: 8192, gpus: 0 } },
      ],
    },
  ],
  staging: [
    {
      id: 'chrome-west',
      pool: 'agents',
      autoscale: 'west-agents',
      workspace: 'chrome',
      desiredSessions: 2,
      session: { cores: 1, memoryMb: 1024, gpus: 0 },
    },
  ],
});
const chrome = (startSeconds: number, zone: string): TraceSession => ({
  startMs: startSeconds * 1000,
  durationMs: 600_000,
  cores: 1,
  memoryMb: 1024,
  gpus: 0,
  workspace: 'chrome',
  zone,
});

/** The cells of each row of the table with `className`. */
function tableRows(html: string, className: string): string[][] {
  const table = new RegExp(`<table class="${className}">([\\s\\S]*?)</table>`).exec(html)?.[1] ?? '';
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((cell) => cell[1]!),
  );
}

test('the report shows the staged hit rate, hits, misses and cost per staging config and per zone', async () => {
  const { result } = await simulate({
    config,
    trace: [chrome(305, 'east'), chrome(306, 'west'), chrome(307, 'west')],
    cloud: {
      defaults: {
        bootTime: { kind: 'fixed', seconds: 60 },
        bootFailureProbability: 0,
        checkinDelay: { kind: 'fixed', seconds: 0 },
        billing: BILLING_PER_SECOND,
      },
      defaultPricePerInstanceHour: 3.6,
    },
    startMs: 0,
    endMs: 3_600_000,
  });
  const [staging] = result.staging!;
  expect(result.stagedHitRate).toBeCloseTo(2 / 3, 9);
  const html = renderReport({ result, currency: 'EUR' });
  expect(html).toContain('<h2>Staged sessions</h2>');
  expect(html).toContain(
    `Staged hit rate 66.7 % over 1 staging config(s); staged sessions held ${staging!.cost.toFixed(2)} EUR`,
  );
  expect(tableRows(html, 'staging')).toEqual([
    [
      'chrome-west',
      'chrome',
      'west',
      '2',
      '66.7 %',
      '2',
      '1',
      '1',
      `${staging!.staged} / ${staging!.expired} / ${staging!.removed}`,
      staging!.heldSessionHours.toFixed(1),
      `${staging!.cost.toFixed(2)} EUR`,
    ],
  ]);
  expect(tableRows(html, 'staging-zones')).toEqual([
    ['east', '100.0 %', '1', '1', '0'],
    ['west', '50.0 %', '1', '0', '1'],
  ]);
  const sweep = renderReport({
    result,
    sweep: [
      { settings: { 'staging.chrome-west.desiredSessions': 2 }, cost: 1, p95WaitSeconds: 0, refused: 0, hitRate: 0.5 },
      { settings: { 'staging.chrome-west.desiredSessions': 4 }, cost: 2, p95WaitSeconds: 0, refused: 0, hitRate: 1 },
    ],
  });
  expect(sweep).toContain('<th>staged hit rate</th>');
  expect(sweep).toMatch(/<td>50\.0 %<\/td><td>✓<\/td>/);
  const unstaged = renderReport({ result: { ...result, staging: undefined, stagingZones: undefined } });
  expect(unstaged).not.toContain('Staged sessions');
});
