import { expect, test } from 'vitest';
import { chromeSession as chrome, stagingCloud, zonedStagingConfig } from '../engine/__fixtures__/staging-zones.js';
import { simulate } from '../engine/simulate.js';
import { renderReport } from './render-report.js';

// Only west stages chrome; east searches west.
const config = zonedStagingConfig([{ id: 'chrome-west', autoscale: 'west-agents', desiredSessions: 2 }]);

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
    cloud: stagingCloud,
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
