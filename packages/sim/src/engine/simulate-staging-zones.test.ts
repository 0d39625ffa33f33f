import { describe, expect, test } from 'vitest';
import type { TraceSession } from '../trace/trace-session.js';
import {
  chromeSession as chrome,
  stagingCloud as cloud,
  zonedStagingConfig as zonedConfig,
} from './__fixtures__/staging-zones.js';
import { assignArrivalZones } from './arrival-zones.js';
import { simulate } from './simulate.js';

const run = (config: ReturnType<typeof zonedConfig>, trace: TraceSession[], arrivalZones?: Record<string, number>) =>
  simulate({
    config,
    trace,
    cloud,
    startMs: 0,
    endMs: 3_600_000,
    ...(arrivalZones ? { arrivalZones } : {}),
  });

describe('staging zones in the simulator', () => {
  test('a request searches alternate zones as the planner orders them; hits are counted per zone', async () => {
    // Only west stages (2 sessions). An east request takes one from west (east searches west);
    // a west request takes the other; a later west request finds none (not restaged yet) → miss.
    const config = zonedConfig([{ id: 'chrome-west', autoscale: 'west-agents', desiredSessions: 2 }]);
    const { result } = await run(config, [chrome(305, 'east'), chrome(306, 'west'), chrome(307, 'west')]);
    expect(result.staging![0]).toMatchObject({
      staging: 'chrome-west',
      zone: 'west',
      hits: 2,
      alternateZoneHits: 1,
      misses: 1,
    });
    expect(result.stagingZones).toEqual([
      { zone: 'east', hits: 1, alternateZoneHits: 1, misses: 0, hitRate: 1 },
      { zone: 'west', hits: 1, alternateZoneHits: 0, misses: 1, hitRate: 0.5 },
    ]);
  });

  test('a zone that does not search alternate zones misses even when another zone has staged sessions', async () => {
    const config = zonedConfig([{ id: 'chrome-east', autoscale: 'east-agents', desiredSessions: 2 }]);
    const { result } = await run(config, [chrome(305, 'west'), chrome(306, 'east')]);
    expect(result.staging![0]).toMatchObject({ hits: 1, alternateZoneHits: 0, misses: 1 });
    expect(result.stagingZones).toEqual([
      { zone: 'east', hits: 1, alternateZoneHits: 0, misses: 0, hitRate: 1 },
      { zone: 'west', hits: 0, alternateZoneHits: 0, misses: 1, hitRate: 0 },
    ]);
  });

  test('the own zone goes first: with staging in both zones nothing is served across zones', async () => {
    const config = zonedConfig([
      { id: 'chrome-east', autoscale: 'east-agents', desiredSessions: 1 },
      { id: 'chrome-west', autoscale: 'west-agents', desiredSessions: 1 },
    ]);
    const { result } = await run(config, [chrome(305, 'east'), chrome(306, 'east')]);
    const [east, west] = result.staging!;
    expect(east).toMatchObject({ hits: 1, alternateZoneHits: 0, misses: 0 });
    // The second east request falls through to west's staged session.
    expect(west).toMatchObject({ hits: 1, alternateZoneHits: 1, misses: 0 });
    expect(result.stagingZones).toEqual([{ zone: 'east', hits: 2, alternateZoneHits: 1, misses: 0, hitRate: 1 }]);
  });

  test('arrivalZones gives unzoned sessions a zone by weight, deterministically by seed', async () => {
    const config = zonedConfig([{ id: 'chrome-west', autoscale: 'west-agents', desiredSessions: 1 }]);
    // All weight on west: the unzoned request is a west request; the zoned one keeps east.
    const { result } = await run(config, [chrome(305, 'east'), chrome(900)], { west: 1, east: 0 });
    expect(result.stagingZones!.map((zone) => zone.zone)).toEqual(['east', 'west']);
    const sessions = Array.from({ length: 2000 }, (_, index) => chrome(index));
    const drawn = (seed: number) =>
      assignArrivalZones({ sessions, weights: { east: 3, west: 1 }, seed }).map((session) => session.zone);
    expect(drawn(7)).toEqual(drawn(7));
    expect(drawn(7)).not.toEqual(drawn(8));
    const eastShare = drawn(7).filter((zone) => zone === 'east').length / sessions.length;
    expect(eastShare).toBeGreaterThan(0.7);
    expect(eastShare).toBeLessThan(0.8);
    expect(sessions.every((session) => session.zone === undefined)).toBe(true);
    expect(() => assignArrivalZones({ sessions, weights: { east: -1 }, seed: 1 })).toThrow('arrivalZones.east');
    expect(() => assignArrivalZones({ sessions, weights: { east: 0 }, seed: 1 })).toThrow('weight above 0');
  });
});
