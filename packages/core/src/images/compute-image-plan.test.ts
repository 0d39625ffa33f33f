import { describe, expect, test } from 'vitest';
import { parseConfig } from '../config/parse-config.js';
import type { AgentImage, FleetSnapshot, Instance } from '../model/instance.js';
import { plannerStateSchema } from '../model/snapshot-schema.js';
import { computeScalingPlan } from '../planner/compute-scaling-plan.js';
import { emptyPlannerState, type PlannerState } from '../planner/planner-state.js';
import { computeImagePlan } from './compute-image-plan.js';

const pinned = `sha256:${'b'.repeat(64)}`;
const old = `sha256:${'a'.repeat(64)}`;

const config = parseConfig({
  providers: { cloud: { type: 'fake', maxInstances: 10 } },
  pools: [
    {
      id: 'agents',
      kind: 'docker-agent',
      autoscale: [{ id: 'day', provider: 'cloud', agent: { cores: 4, memoryMb: 8192 } }],
    },
    {
      id: 'gpu',
      kind: 'docker-agent',
      autoscale: [{ id: 'gpu', provider: 'cloud', agent: { cores: 8, memoryMb: 8192, gpus: 1 } }],
    },
  ],
  workspaces: [
    { id: 'chrome', image: 'kasmweb/chrome:1.16.0', registry: { url: 'https://index.docker.io/v1/' } },
    {
      id: 'desktop',
      image: 'registry.example.com/team/desktop:2',
      registry: { url: 'registry.example.com' },
      pools: ['agents'],
      digest: pinned,
    },
    { id: 'preloaded', image: 'kasmweb/terminal:1.16.0', pools: ['gpu'] },
  ],
});

const at = '2026-11-23T15:00:00.000Z';
const agent = (
  id: string,
  options: { pool?: string; images?: AgentImage[]; busy?: boolean; state?: Instance['state'] } = {},
): Instance => ({
  id,
  pool: options.pool ?? 'agents',
  autoscale: options.pool === 'gpu' ? 'gpu' : 'day',
  provider: 'cloud',
  state: options.state ?? 'running',
  checkedIn: true,
  createdAt: '2026-11-23T14:00:00.000Z',
  capacity: { cores: 4, memoryMb: 8192, gpus: 0 },
  sessions: options.busy ? [{ id: 's', cores: 1, memoryMb: 1024, gpus: 0, staged: false }] : [],
  ...(options.images ? { images: options.images } : {}),
});
const plan = (instances: Instance[]) => {
  const snapshot: FleetSnapshot = { at, instances, queued: [] };
  return computeImagePlan({ config, snapshot });
};
const chrome = (pulledAt = '2026-11-23T14:30:00.000Z'): AgentImage => ({
  reference: 'kasmweb/chrome:1.16.0',
  digest: old,
  pulledAt,
});
const desktop = (digest: string): AgentImage => ({
  reference: 'registry.example.com/team/desktop:2',
  digest,
  pulledAt: at,
});

describe('computeImagePlan', () => {
  test('a new agent pulls every missing image at once and is not ready until they are there', () => {
    const result = plan([agent('new', { images: [] })]);
    expect(result.actions.map((action) => [action.type, action.workspace, action.image])).toEqual([
      ['pull-image', 'chrome', 'registry-1.docker.io/kasmweb/chrome:1.16.0'],
      ['pull-image', 'desktop', `registry.example.com/team/desktop:2@${pinned}`],
    ]);
    expect(result.readiness.get('new')).toEqual({ ready: false, missing: ['chrome', 'desktop'] });
  });

  test('an agent with the images is ready and asks for nothing until the hourly re-pull of a tag', () => {
    expect(plan([agent('a', { images: [chrome(), desktop(pinned)] })])).toMatchObject({
      actions: [],
      readiness: new Map([['a', { ready: true, missing: [] }]]),
    });
    const stale = plan([agent('a', { images: [chrome('2026-11-23T13:59:00.000Z'), desktop(pinned)] })]);
    expect(stale.actions).toEqual([
      expect.objectContaining({
        type: 'pull-image',
        workspace: 'chrome',
        reason: expect.stringMatching(/^re-pull .*every 60 min/),
      }),
    ]);
    expect(stale.readiness.get('a')?.ready).toBe(true);
  });

  test('a pull in progress is not asked again; the agent waits for it', () => {
    const result = plan([
      agent('a', { images: [{ reference: 'kasmweb/chrome:1.16.0', state: 'pulling' }, desktop(pinned)] }),
    ]);
    expect(result.actions).toEqual([]);
    expect(result.readiness.get('a')).toEqual({ ready: false, missing: ['chrome'] });
  });

  test('a roll is a ramp: busy agents on the old digest keep their sessions, idle ones pull the pin', () => {
    const result = plan([
      agent('busy', { images: [chrome(), desktop(old)], busy: true }),
      agent('idle', { images: [chrome(), desktop(old)] }),
    ]);
    expect(result.actions).toEqual([
      expect.objectContaining({ instanceId: 'idle', workspace: 'desktop', image: expect.stringContaining(pinned) }),
    ]);
    expect(result.readiness.get('busy')).toEqual({ ready: false, missing: ['desktop'], retiring: true });
    expect(result.readiness.get('idle')).toEqual({ ready: false, missing: ['desktop'] });
  });

  test('images no enabled workspace uses are removed', () => {
    const result = plan([agent('a', { images: [chrome(), desktop(pinned), { reference: 'kasmweb/retired:1.0' }] })]);
    expect(result.actions).toEqual([
      {
        type: 'remove-image',
        instanceId: 'a',
        image: 'kasmweb/retired:1.0',
        reason: 'no workspace enabled on pool agents uses kasmweb/retired:1.0',
      },
    ]);
  });

  test('without a registry nothing is pulled; a missing image is a warning and the agent is not ready', () => {
    const result = plan([agent('g', { pool: 'gpu', images: [chrome()] })]);
    expect(result.actions).toEqual([]);
    expect(result.warnings).toEqual([
      expect.stringContaining('kasmweb/terminal:1.16.0 of workspace preloaded is not on the agent'),
    ]);
    expect(result.readiness.get('g')).toEqual({ ready: false, missing: ['preloaded'] });
  });

  test('agents still booting, and agents whose control plane reports no images, are left alone', () => {
    expect(plan([agent('boot', { state: 'starting', images: [] })])).toMatchObject({
      actions: [],
      readiness: new Map(),
    });
    expect(plan([agent('silent')])).toMatchObject({ actions: [], readiness: new Map() });
  });
});

test('config: workspaces name pools that exist and are docker-agent pools, with image names that parse', () => {
  let issues: string[] = [];
  try {
    parseConfig({
      pools: [{ id: 'rdp', kind: 'server', autoscale: [] }],
      workspaces: [
        { id: 'a', image: 'UPPER/case:1', pools: ['rdp', 'nope'] },
        { id: 'a', image: 'ok:1', digest: 'sha256:short' },
      ],
    });
  } catch (error) {
    issues = (error as { issues: Array<{ path: string; message: string }> }).issues.map(
      (issue) => `${issue.path}: ${issue.message}`,
    );
  }
  expect(issues).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^workspaces\[0\]\.image: invalid image reference/),
      'workspaces[0].pools[0]: pool "rdp" is not a docker-agent pool',
      'workspaces[0].pools[1]: unknown pool "nope"',
      'workspaces[1].id: duplicate workspace id "a"',
      expect.stringMatching(/^workspaces\[1\]\.digest: must be a digest/),
    ]),
  );
});

test('the scaling plan counts only image-ready agents as available, and says so', () => {
  const planConfig = parseConfig({
    providers: { cloud: { type: 'fake', maxInstances: 10 } },
    pools: [
      {
        id: 'agents',
        kind: 'docker-agent',
        autoscale: [{ id: 'day', provider: 'cloud', agent: { cores: 4, memoryMb: 8192 }, standby: { cores: 8 } }],
      },
    ],
    workspaces: [{ id: 'chrome', image: 'kasmweb/chrome:1.16.0', registry: { url: 'https://index.docker.io/v1/' } }],
  });
  const snapshot: FleetSnapshot = {
    at,
    instances: [agent('ready', { images: [chrome()] }), agent('pulling', { images: [] })],
    queued: [],
  };
  const { plan: scaling } = computeScalingPlan({
    config: planConfig,
    snapshot,
    state: { autoscale: {} },
    now: Date.parse(at),
  });
  const [day] = scaling.configs;
  expect(day?.available).toEqual({ cores: 4, memoryMb: 8192, gpus: 0 });
  expect(day?.pending).toEqual({ cores: 4, memoryMb: 8192, gpus: 0 });
  expect(day?.create).toBe(0);
  expect(day?.reasons).toEqual(
    expect.arrayContaining([expect.stringMatching(/^1 agent\(s\) wait for workspace images \(chrome ×1\)/)]),
  );
  expect(scaling.imageActions).toEqual([expect.objectContaining({ type: 'pull-image', instanceId: 'pulling' })]);
});

test('with an imageMirror, every pull names the same image in the backup registry to fall back to', () => {
  const mirrored = parseConfig({
    providers: { cloud: { type: 'fake', maxInstances: 10 } },
    pools: [{ id: 'agents', kind: 'docker-agent', autoscale: [{ id: 'day', provider: 'cloud', agent: { cores: 4 } }] }],
    workspaces: [
      { id: 'chrome', image: 'kasmweb/chrome:1.16.0', registry: { url: 'https://index.docker.io/v1/' } },
      {
        id: 'desktop',
        image: 'registry.example.com/team/desktop:2',
        registry: { url: 'registry.example.com' },
        digest: pinned,
      },
    ],
    imageMirror: { registry: 'backup.example.com:5000', repositoryPrefix: 'mirror' },
  });
  const result = computeImagePlan({
    config: mirrored,
    snapshot: { at, instances: [agent('new', { images: [] })], queued: [] },
  });
  expect(result.actions.map((action) => [action.image, action.fallbackImage])).toEqual([
    ['registry-1.docker.io/kasmweb/chrome:1.16.0', 'backup.example.com:5000/mirror/docker.io/kasmweb/chrome:1.16.0'],
    [
      `registry.example.com/team/desktop:2@${pinned}`,
      `backup.example.com:5000/mirror/registry.example.com/team/desktop:2@${pinned}`,
    ],
  ]);
  // Without a mirror there is nothing to fall back to.
  expect(plan([agent('new', { images: [] })]).actions.every((action) => action.fallbackImage === undefined)).toBe(true);
});

test('after a roll, a busy agent on the old digest is neither available nor pending: a replacement boots', () => {
  const planConfig = parseConfig({
    providers: { cloud: { type: 'fake', maxInstances: 10 } },
    pools: [
      {
        id: 'agents',
        kind: 'docker-agent',
        autoscale: [{ id: 'day', provider: 'cloud', agent: { cores: 4, memoryMb: 8192 }, standby: { cores: 2 } }],
      },
    ],
    workspaces: [
      { id: 'desktop', image: 'registry.example.com/team/desktop:2', registry: { url: 'registry.example.com' } },
    ],
  });
  const snapshot: FleetSnapshot = {
    at,
    instances: [agent('old', { images: [desktop(old)], busy: true })],
    queued: [],
  };
  const { plan: scaling } = computeScalingPlan({
    config: planConfig,
    snapshot,
    state: { autoscale: {}, imagePins: { desktop: pinned } },
    now: Date.parse(at),
  });
  const [day] = scaling.configs;
  expect(day?.available).toEqual({ cores: 0, memoryMb: 0, gpus: 0 });
  expect(day?.pending).toEqual({ cores: 0, memoryMb: 0, gpus: 0 });
  expect(day?.create).toBe(1);
  expect(day?.reasons).toEqual(
    expect.arrayContaining([expect.stringMatching(/^1 busy agent\(s\) serve an old digest of a rolled workspace/)]),
  );
  expect(scaling.imageActions).toEqual([]);
});

describe('image pins in the planner state', () => {
  const chromePin = `sha256:${'c'.repeat(64)}`;
  const planWith = (options: { state?: PlannerState; imagePins?: Record<string, string> }) =>
    computeScalingPlan({
      config,
      snapshot: { at: '2026-11-23T15:00:00.000Z', instances: [agent('a1', { images: [chrome()] })], queued: [] },
      state: options.state ?? emptyPlannerState(),
      now: Date.parse('2026-11-23T15:00:00.000Z'),
      ...(options.imagePins ? { imagePins: options.imagePins } : {}),
    });

  test('host pins are carried into the next state, and the stored pins apply when the host passes none', () => {
    const first = planWith({ imagePins: { chrome: chromePin } });
    expect(first.nextState.imagePins).toEqual({ chrome: chromePin });
    const repeated = planWith({ state: first.nextState });
    expect(repeated.nextState.imagePins).toEqual({ chrome: chromePin });
    // The idle agent holds another digest: it pulls the chromePin one in both steps.
    for (const result of [first, repeated]) {
      expect(result.plan.imageActions.map((action) => action.image)).toContain(
        `registry-1.docker.io/kasmweb/chrome:1.16.0@${chromePin}`,
      );
    }
    expect(planWith({}).nextState.imagePins).toBeUndefined();
  });

  test('a stored pin must be a sha256 digest', () => {
    expect(plannerStateSchema.safeParse({ autoscale: {}, imagePins: { chrome: chromePin } }).success).toBe(true);
    expect(plannerStateSchema.safeParse({ autoscale: {}, imagePins: { chrome: 'latest' } }).success).toBe(false);
  });
});
