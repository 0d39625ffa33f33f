import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseConfig } from '../config/parse-config.js';
import type { FleetSnapshot, Instance, QueuedRequest } from '../model/instance.js';
import { RESOURCE_KEYS, type Resources } from '../model/resources.js';
import { computeScalingPlan } from './compute-scaling-plan.js';
import { agent, agentConfig, session, T0 } from './planner-fixtures.test-helpers.js';
import { emptyPlannerState } from './planner-state.js';

const since = new Date(T0 - 60_000).toISOString();
const request = (size: Partial<Resources>): QueuedRequest => ({
  pool: 'agents',
  cores: 0,
  memoryMb: 0,
  gpus: 0,
  since,
  ...size,
});
const planFor = (config: ReturnType<typeof agentConfig>, instances: Instance[], queued: QueuedRequest[]) =>
  computeScalingPlan({
    config,
    snapshot: { at: new Date(T0).toISOString(), instances, queued } satisfies FleetSnapshot,
    state: emptyPlannerState(),
    now: T0,
  }).plan;

describe('queued requests that fit no agent shape', () => {
  test('eight idle 4-core agents and one queued 8-core request: no create, a warning with the request and the shape', () => {
    const config = agentConfig({ aggressiveScaling: true, standby: { cores: 0, memoryMb: 0, gpus: 0 } });
    const idle = Array.from({ length: 8 }, (_, index) => agent(`a${index}`));
    const result = planFor(config, idle, [request({ cores: 8, memoryMb: 4096 })]).configs[0]!;
    expect(result.create).toBe(0);
    expect(result.need).toEqual({ cores: 0, memoryMb: 0, gpus: 0 });
    expect(result.warnings).toEqual([
      `unsatisfiable request: 1 queued request(s) of 8 cores, 4096 MiB, 0 GPUs (oldest since ${since}) fit no agent of this config (agent 4 cores, 8192 MiB, 0 GPUs); not scaling for them`,
    ]);
    // On every later step too: nothing to create, however often it is asked.
    expect(planFor(config, [], [request({ cores: 8 })]).configs[0]!.create).toBe(0);
  });

  test('a fitting request beside an unfit one is still served', () => {
    const config = agentConfig({ aggressiveScaling: true, standby: { cores: 0, memoryMb: 0, gpus: 0 } });
    const result = planFor(config, [], [request({ cores: 8 }), request({ cores: 3, memoryMb: 1024 })]).configs[0]!;
    expect(result.create).toBe(1);
    expect(result.need).toEqual({ cores: 3, memoryMb: 1024, gpus: 0 });
    expect(result.warnings).toHaveLength(1);
    expect(result.reasons.join()).toMatch(/1 request\(s\) fit no agent/);
  });

  test('a request too big for the first aggressive config goes to the next one whose agent fits', () => {
    const config = parseConfig({
      providers: { cloud: { type: 'fake', maxInstances: 20 } },
      pools: [
        {
          id: 'agents',
          kind: 'docker-agent',
          autoscale: [
            { id: 'small', provider: 'cloud', aggressiveScaling: true, agent: { cores: 4, memoryMb: 8192 } },
            { id: 'large', provider: 'cloud', aggressiveScaling: true, agent: { cores: 16, memoryMb: 65536 } },
          ],
        },
      ],
    });
    const [small, large] = planFor(config, [], [request({ cores: 8 }), request({ cores: 2 })]).configs;
    expect([small!.create, large!.create]).toEqual([1, 1]);
    expect(small!.warnings).toEqual([]);
  });
});

const shape = fc.record({
  cores: fc.integer({ min: 1, max: 16 }),
  memoryMb: fc.integer({ min: 1, max: 16 }).map((n) => n * 1024),
  gpus: fc.integer({ min: 0, max: 2 }),
});
const size = fc.record({
  cores: fc.integer({ min: 0, max: 24 }),
  memoryMb: fc.integer({ min: 0, max: 24 }).map((n) => n * 1024),
  gpus: fc.integer({ min: 0, max: 3 }),
});

describe('no runaway (fast-check)', () => {
  test('creates never exceed what the fitting requests plus standby could use', () => {
    fc.assert(
      fc.property(
        shape,
        size,
        fc.array(size, { maxLength: 12 }),
        fc.array(fc.record({ used: size }), { maxLength: 10 }),
        (agentShape, standby, queuedSizes, agents) => {
          const config = agentConfig({ aggressiveScaling: true, agent: agentShape, standby });
          const instances = agents.map(({ used }, index) =>
            agent(`a${index}`, {
              capacity: agentShape,
              sessions: used.cores + used.memoryMb + used.gpus > 0 ? [session(used)] : [],
            }),
          );
          const queued = queuedSizes.map((queuedSize) => request(queuedSize));
          const result = planFor(config, instances, queued).configs[0]!;
          const fitting = queued.filter((q) => RESOURCE_KEYS.every((key) => q[key] <= agentShape[key]));
          const usable: Resources = { ...standby };
          for (const q of fitting) for (const key of RESOURCE_KEYS) usable[key] += q[key];
          // Enough agents to hold all of it, one resource at a time: never more.
          const bound = Math.max(
            0,
            ...RESOURCE_KEYS.filter((key) => agentShape[key] > 0).map((key) =>
              Math.ceil(usable[key] / agentShape[key]),
            ),
          );
          expect(result.create).toBeLessThanOrEqual(bound);
          if (fitting.length === 0 && standby.cores + standby.memoryMb + standby.gpus === 0)
            expect(result.create).toBe(0);
          expect(result.warnings.filter((w) => w.startsWith('unsatisfiable request')).length > 0).toBe(
            fitting.length < queued.length,
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
