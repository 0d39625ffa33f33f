import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createOpenApiDocument } from '../../src/run/openapi-document.js';
import { expectResponsesMatchOpenApi } from './openapi-responses.js';
import { allResponses, killAll, ServiceProcess, temporaryDirectory, waitFor, writeFile } from './service-process.js';

const API_TOKEN = 'api-token-drain-5e1c9a7f3b2d';

/** `agents/main` keeps one 4-core agent free and drains (`drain: true`); `slow/main` boots for an hour. */
function configText(directory: string): string {
  return `providers:
  cloud:
    type: fake
    maxInstances: 4
    stateFile: ${join(directory, 'cloud.json')}
  slowcloud:
    type: fake
    maxInstances: 1
    bootDelaySeconds: 3600
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - id: main
        provider: cloud
        standby: { cores: 4 }
        agent: { cores: 4, memoryMb: 8192 }
        downscaleBackoffSeconds: 0
        drain: true
  - id: slow
    kind: docker-agent
    autoscale:
      - id: main
        provider: slowcloud
        standby: { cores: 1 }
        agent: { cores: 4, memoryMb: 8192 }
scaler:
  intervalSeconds: 0.2
  reportTimeoutSeconds: 60
api:
  listen: 127.0.0.1:0
  token: ${API_TOKEN}
`;
}

interface LedgerEntry {
  id: string;
  pool: string;
  state: string;
  createdAt: string;
  operatorDrainedAt?: string;
}
interface PlanEntry {
  actions: {
    drained: { id: string; reason: string }[];
    undrained: { id: string; reason: string }[];
    destroyed: { id: string; cause: string }[];
  };
  configs?: { pool: string; drain: string[]; undrain: string[]; reasons: string[] }[];
}

afterAll(killAll);

describe('headroom run: operator drain and undrain', () => {
  const directory = temporaryDirectory('drain');
  const configPath = writeFile(directory, 'headroom.yaml', configText(directory));
  let service: ServiceProcess;
  let agentA = '';
  let agentB = '';

  const ledger = async (): Promise<LedgerEntry[]> =>
    (await service.request('/api/v1/fleet', { token: API_TOKEN })).body.ledger;
  const fleetInstance = async (id: string) =>
    (await service.request('/api/v1/fleet', { token: API_TOKEN })).body.instances.find(
      (instance: { id: string }) => instance.id === id,
    );
  const post = (id: string, verb: 'drain' | 'undrain', token = API_TOKEN) =>
    service.request(`/api/v1/instances/${encodeURIComponent(id)}/${verb}`, { method: 'POST', token });
  /** An agent as the control plane reports it; a session of `sessionCores` (0: memory only) unless `empty`. */
  const agent = (id: string, sessionCores: number | 'empty') => ({
    id,
    pool: 'agents',
    autoscale: 'main',
    provider: 'cloud',
    state: 'running',
    checkedIn: true,
    createdAt: new Date().toISOString(),
    capacity: { cores: 4, memoryMb: 8192, gpus: 0 },
    sessions: sessionCores === 'empty' ? [] : [{ id: `s-${id}`, cores: sessionCores, memoryMb: 1024 }],
  });
  const push = (instances: unknown[]) =>
    service.request('/api/v1/fleet', {
      method: 'PUT',
      token: API_TOKEN,
      body: { at: new Date().toISOString(), instances, queued: [] },
    });
  const plans = async (): Promise<PlanEntry[]> =>
    (await service.request('/api/v1/plan', { token: API_TOKEN })).body.history;

  beforeAll(async () => {
    service = await new ServiceProcess([
      'run',
      '--config',
      configPath,
      '--state-dir',
      join(directory, 'state'),
    ]).started();
    const entries = await waitFor('a running agent and a booting slow instance', async () => {
      const current = await ledger();
      const running = current.filter((entry) => entry.pool === 'agents' && entry.state === 'running');
      const booting = current.find((entry) => entry.pool === 'slow');
      return running.length === 1 && booting ? current : undefined;
    });
    agentA = entries.find((entry) => entry.pool === 'agents')!.id;
  });

  test('refused: no token (before any body), unknown id (404), an instance not running (409)', async () => {
    expect((await post(agentA, 'drain', '')).status).toBe(401);
    const anonymousWithBody = await fetch(`${service.baseUrl}/api/v1/instances/${agentA}/drain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(64 * 1024),
    });
    expect(anonymousWithBody.status).toBe(401);
    const unknown = await post('no-such-instance', 'drain');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/does not hold instance no-such-instance/);
    const slow = (await ledger()).find((entry) => entry.pool === 'slow')!;
    const booting = await post(slow.id, 'drain');
    expect(booting.status).toBe(409);
    expect(booting.body.error).toMatch(new RegExp(`${slow.id} is ${slow.state}, not running`));
    expect((await ledger()).find((entry) => entry.id === agentA)?.operatorDrainedAt).toBeUndefined();
  });

  test('a drain is written to the ledger; the planner sees the agent draining, boots another and never undrains it', async () => {
    // A holds a session but keeps its 4 cores free: the standby is met, nothing boots.
    expect((await push([agent(agentA, 0)])).status).toBe(200);
    const drained = await post(agentA, 'drain');
    expect(drained.status).toBe(200);
    expect(drained.body).toMatchObject({ instanceId: agentA, drained: true });
    expect(Date.parse(drained.body.operatorDrainedAt)).not.toBeNaN();
    expect((await ledger()).find((entry) => entry.id === agentA)?.operatorDrainedAt).toBe(
      drained.body.operatorDrainedAt,
    );
    expect(await fleetInstance(agentA)).toMatchObject({ state: 'draining', drainedByOperator: true });
    // Its free cores no longer count: the standby of 4 cores needs a new agent.
    const second = await waitFor('a second running agent', async () =>
      (await ledger()).find((entry) => entry.pool === 'agents' && entry.id !== agentA && entry.state === 'running'),
    );
    agentB = second.id;
    expect((await post(agentA, 'drain')).status).toBe(200);
    const history = await plans();
    expect(history.length).toBeGreaterThan(0);
    for (const entry of history) {
      expect(entry.actions.undrained).toEqual([]);
      expect(entry.configs?.find((config) => config.pool === 'agents')?.undrain).toEqual([]);
    }
    expect(await fleetInstance(agentA)).toMatchObject({ state: 'draining' });
  });

  test('an undrain clears it; then the planner drains the surplus agent itself, shown in /api/v1/plan', async () => {
    expect((await push([agent(agentA, 1), agent(agentB, 'empty')])).status).toBe(200);
    const undrained = await post(agentA, 'undrain');
    expect(undrained.status).toBe(200);
    expect(undrained.body).toEqual({ instanceId: agentA, drained: false });
    expect((await ledger()).find((entry) => entry.id === agentA)?.operatorDrainedAt).toBeUndefined();
    const fleet = await fleetInstance(agentA);
    expect(fleet.state).toBe('running');
    expect(fleet.drainedByOperator).toBeUndefined();
    // A's 3 free cores are surplus beside B's 4 (need 4): drain: true drains A, the emptiest busy agent.
    const planned = await waitFor('a planner drain of A', async () =>
      (await plans()).find((entry) => entry.actions.drained.some((drain) => drain.id === agentA)),
    );
    expect(planned.actions.drained.find((drain) => drain.id === agentA)?.reason).toMatch(
      new RegExp(`^drain ${agentA}: .*not needed`),
    );
    expect(planned.configs?.find((config) => config.pool === 'agents')?.drain).toEqual([agentA]);
    const lastWithActions = (await service.request('/api/v1/plan', { token: API_TOKEN })).body.lastWithActions;
    expect(lastWithActions).not.toBeNull();
  });

  test('drained by an operator and empty: destroyed with its reason', async () => {
    expect((await post(agentA, 'drain')).status).toBe(200);
    expect((await push([agent(agentA, 'empty'), agent(agentB, 'empty')])).status).toBe(200);
    await waitFor('A gone from the ledger', async () => !(await ledger()).some((entry) => entry.id === agentA));
    const destroyed = (await plans())
      .flatMap((entry) => entry.configs?.find((config) => config.pool === 'agents')?.reasons ?? [])
      .find((reason) => reason.startsWith(`scale down ${agentA}`));
    expect(destroyed).toBe(`scale down ${agentA}: drained and now empty`);
    expect((await ledger()).some((entry) => entry.id === agentB)).toBe(true);
  });

  test('every JSON answer matches the OpenAPI document', () => {
    expect(expectResponsesMatchOpenApi(createOpenApiDocument(), allResponses)).toBeGreaterThan(10);
  });
});
