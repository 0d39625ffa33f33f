import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createOpenApiDocument } from '../../src/run/openapi-document.js';
import { expectResponsesMatchOpenApi } from './openapi-responses.js';
import {
  allOutput,
  allResponses,
  killAll,
  ServiceProcess,
  temporaryDirectory,
  waitFor,
  writeFile,
} from './service-process.js';

const API_TOKEN = 'api-token-9f3c1e7a5b2d4c6e';
const SIGNING_KEY = 'checkin-signing-key-0123456789abcdef-xyz';
const INVENTORY_TOKEN = 'inventory-token-51d0c2aa77';
const SECRETS = [API_TOKEN, SIGNING_KEY, INVENTORY_TOKEN];
const STARTUP_SCRIPT =
  "#!/bin/sh\\ncurl -X POST '{upstream_auth_address}/api/set_server_status?token={checkin_jwt}'\\n";

interface CloudRecord {
  instanceId: string;
  name: string;
  startupScript?: string;
  destroyRequestedAtMs?: number;
}

function configText(options: { directory: string; standbyCores?: number; latencyMs?: number; extra?: string }): string {
  return `providers:
  cloud:
    type: fake
    maxInstances: 4
    stateFile: ${join(options.directory, 'cloud.json')}
    latencyMs: ${options.latencyMs ?? 0}
    startupScript: "${STARTUP_SCRIPT}"
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - id: main
        provider: cloud
        standby: { cores: ${options.standbyCores ?? 0} }
        agent: { cores: 4, memoryMb: 8192 }
        downscaleBackoffSeconds: 0
        aggressiveScaling: true
scaler:
  intervalSeconds: 0.2
  reportTimeoutSeconds: 2
api:
  listen: 127.0.0.1:0
  token: ${API_TOKEN}
checkin:
  signingKey: ${SIGNING_KEY}
  upstreamAuthAddress: 127.0.0.1:9
${options.extra ?? ''}`;
}

function liveCloudInstances(directory: string): CloudRecord[] {
  const snapshot = JSON.parse(readFileSync(join(directory, 'cloud.json'), 'utf8')) as { instances: CloudRecord[] };
  const live = new Map<string, CloudRecord>();
  for (const record of snapshot.instances)
    if (record.destroyRequestedAtMs === undefined) live.set(record.instanceId, record);
  return [...live.values()];
}

const runningSeries = 'headroom_instances{pool="agents",autoscale="main",state="running"}';
const queued = (count: number) =>
  Array.from({ length: count }, () => ({
    pool: 'agents',
    cores: 4,
    memoryMb: 4096,
    gpus: 0,
    since: new Date().toISOString(),
  }));

afterAll(killAll);

describe('headroom run: scaling, check-in, reports and reload', () => {
  const directory = temporaryDirectory('run');
  const configPath = writeFile(directory, 'headroom.yaml', configText({ directory }));
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await new ServiceProcess([
      'run',
      '--config',
      configPath,
      '--state-dir',
      join(directory, 'state'),
    ]).started();
  });

  test('operations endpoints answer; API endpoints want the bearer token', async () => {
    expect((await service.request('/healthz')).status).toBe(200);
    const ready = await waitFor('readiness', async () => {
      const response = await service.request('/readyz');
      return response.status === 200 ? response.body : undefined;
    });
    expect(ready.checks.store).toBe('ok');
    expect((await service.request('/api/v1/plan')).status).toBe(401);
    expect((await service.request('/api/v1/plan', { token: 'wrong-token-value-000' })).status).toBe(401);
    expect(
      (await service.request('/api/v1/fleet', { method: 'PUT', body: { at: new Date().toISOString() } })).status,
    ).toBe(401);
    const schedule = await service.request('/api/v1/schedule', { token: API_TOKEN });
    expect(schedule.status).toBe(200);
    expect(schedule.body.configs).toEqual([
      expect.objectContaining({ pool: 'agents', autoscale: 'main', active: true }),
    ]);
    const invalid = await service.request('/api/v1/fleet', {
      method: 'PUT',
      token: API_TOKEN,
      body: { at: 'yesterday', instances: [] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues).toEqual([expect.objectContaining({ path: 'at' })]);
    const served = await service.request('/api/v1/openapi.json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(JSON.parse(JSON.stringify(createOpenApiDocument())));
  });

  test('a pushed fleet with queued requests scales up, seen in /api/v1/plan and /metrics', async () => {
    const pushed = await service.request('/api/v1/fleet', {
      method: 'PUT',
      token: API_TOKEN,
      body: { at: new Date().toISOString(), instances: [], queued: queued(3) },
    });
    expect(pushed.status).toBe(200);
    await waitFor(
      '3 running instances in /metrics',
      async () => (await service.metric(runningSeries, API_TOKEN)) === 3,
    );
    const plan = await service.request('/api/v1/plan', { token: API_TOKEN });
    expect(plan.body.leader).toBe(true);
    // The first pass that created (a later one may add one more, see below).
    const decision =
      [...plan.body.history].reverse().find((entry) => entry.actions.created.length > 0) ?? plan.body.lastWithActions;
    expect(decision.actions.created).toHaveLength(3);
    expect(decision.configs[0]).toMatchObject({ pool: 'agents', autoscale: 'main', create: 3 });
    expect(decision.configs[0].reasons.join(' ')).toMatch(/scale up by 3/);
    expect(
      await service.metric(
        'headroom_scale_actions_total{pool="agents",autoscale="main",action="create",reason="scale-up"}',
        API_TOKEN,
      ),
    ).toBeGreaterThanOrEqual(3);
    expect(await service.metric('headroom_leader', API_TOKEN)).toBe(1);
    expect(
      await service.metric(
        'headroom_provider_call_duration_seconds_count{provider="cloud",method="createInstance"}',
        API_TOKEN,
      ),
    ).toBeGreaterThanOrEqual(3);
    expect(await service.metric('headroom_schedule_active{pool="agents",autoscale="main"}', API_TOKEN)).toBe(1);
    // One metric per unit (memory in bytes), build info, process metrics, last successful pass.
    const { text } = await service.request('/metrics', { token: API_TOKEN });
    expect(text).not.toMatch(/^headroom_deficit\{/m);
    expect(text).toMatch(/^headroom_deficit_cores\{pool="agents",autoscale="main"\} -?\d/m);
    expect(text).toMatch(/^headroom_deficit_memory_bytes\{pool="agents",autoscale="main"\} -?\d/m);
    expect(text).toMatch(/^headroom_build_info\{version="\d+\.\d+\.\d+",node_version="[\d.]+"\} 1$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    const lastSuccess = await service.metric('headroom_last_successful_tick_timestamp_seconds', API_TOKEN);
    expect(lastSuccess).toBeGreaterThan(Date.now() / 1000 - 60);
    // Queued requests still queued once capacity is up count as fitting no agent: one more may follow.
    expect(liveCloudInstances(directory).length).toBeGreaterThanOrEqual(3);
  });

  test('check-in: the issued token is accepted; expired, forged and foreign tokens get 401 and are logged without the token', async () => {
    const [instance] = liveCloudInstances(directory);
    const token = /token=([\w.-]+)/.exec(instance?.startupScript ?? '')?.[1];
    expect(token).toBeDefined();
    const checkin = (jwt: string) =>
      fetch(`${service.baseUrl}/api/set_server_status?token=${jwt}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'running', status_message: 'agent up', status_progress: '100' }),
      });
    expect((await checkin(token!)).status).toBe(200);

    const key = new TextEncoder().encode(SIGNING_KEY);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const sign = (claims: { sub: string; iss?: string; exp?: number }, signingKey = key) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.sub)
        .setIssuer(claims.iss ?? 'headroom')
        .setAudience('headroom-checkin')
        .setIssuedAt(nowSeconds - 60)
        .setExpirationTime(claims.exp ?? nowSeconds + 3600)
        .sign(signingKey);
    const expired = await sign({ sub: instance!.name, exp: nowSeconds - 3600 });
    const forged = await sign(
      { sub: instance!.name },
      new TextEncoder().encode('not-the-signing-key-but-as-long-as-it'),
    );
    const foreignInstance = await sign({ sub: 'agents-main-00000000' });
    const foreignDeployment = await sign({ sub: instance!.name, iss: 'another-deployment' });
    for (const refused of [expired, forged, foreignInstance, foreignDeployment, 'not-a-jwt'])
      expect((await checkin(refused)).status).toBe(401);

    // The service's stdout reaches this process through a pipe: wait for the fifth refusal's line.
    const refusalsLogged = () =>
      service.logs.filter((entry) => entry.msg === 'check-in refused').map((entry) => entry.refusal);
    await waitFor('the five refusals in the log', async () => refusalsLogged().length >= 5);
    const refusals = refusalsLogged();
    expect(refusals).toEqual(['expired', 'forged', 'foreign', 'foreign', 'malformed']);
    for (const jwt of [token!, expired, forged, foreignInstance]) expect(service.stdout).not.toContain(jwt);
    expect(await service.metric('headroom_checkins_total{result="accepted"}', API_TOKEN)).toBe(1);
    expect(await service.metric('headroom_checkins_total{result="refused"}', API_TOKEN)).toBe(5);
    await waitFor('the check-in in the ledger', async () => {
      const fleet = await service.request('/api/v1/fleet', { token: API_TOKEN });
      return fleet.body.ledger.find((entry: { id: string; checkedInAt?: string }) => entry.id === instance!.name)
        ?.checkedInAt;
    });
  });

  test('an instance that stops reporting is marked failed and replaced', async () => {
    const [reporting] = liveCloudInstances(directory);
    const token = /token=([\w.-]+)/.exec(reporting?.startupScript ?? '')?.[1];
    const body = { sessions: [{ id: 'session-1', cores: 2, memoryMb: 2048 }] };
    const wrongInstance = await service.request(`/api/v1/instances/agents-main-00000000/report`, {
      method: 'POST',
      token: token!,
      body,
    });
    expect(wrongInstance.status).toBe(401);
    const unknown = await service.request(`/api/v1/instances/agents-main-00000000/report`, {
      method: 'POST',
      token: API_TOKEN,
      body,
    });
    expect(unknown.status).toBe(404);
    const invalid = await service.request(`/api/v1/instances/${reporting!.name}/report`, {
      method: 'POST',
      token: API_TOKEN,
      body: { sessions: 'many', state: 'asleep' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(['sessions', 'state']);
    const accepted = await service.request(`/api/v1/instances/${reporting!.name}/report`, {
      method: 'POST',
      token: token!,
      body,
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.instance).toMatchObject({
      id: reporting!.name,
      pool: 'agents',
      state: 'running',
      capacity: { cores: 4 },
    });
    // No further reports: after reportTimeoutSeconds (2 s) it counts as failed, is destroyed and replaced.
    await waitFor(
      'the silent instance destroyed as failed',
      async () =>
        (await service.metric(
          'headroom_scale_actions_total{pool="agents",autoscale="main",action="destroy",reason="failed"}',
          API_TOKEN,
        )) === 1,
    );
    // Destroyed: its token no longer lets it report, and its last report no longer counts.
    await waitFor('the destroyed instance gone from the ledger', async () => {
      const fleet = await service.request('/api/v1/fleet', { token: API_TOKEN });
      return !fleet.body.ledger.some((entry: { id: string }) => entry.id === reporting!.name);
    });
    const afterDestroy = await service.request(`/api/v1/instances/${reporting!.name}/report`, {
      method: 'POST',
      token: token!,
      body,
    });
    expect(afterDestroy.status).toBe(404);
    const fleet = await service.request('/api/v1/fleet', { token: API_TOKEN });
    expect(fleet.body.instances.some((entry: { id: string }) => entry.id === reporting!.name)).toBe(false);
    // A failure starts the create backoff, visible in /metrics.
    expect(
      await service.metric('headroom_backoff_remaining_seconds{pool="agents",autoscale="main"}', API_TOKEN),
    ).toBeGreaterThan(0);
    await waitFor('a replacement', async () => {
      const live = liveCloudInstances(directory);
      return live.length === 3 && !live.some((record) => record.instanceId === reporting!.instanceId);
    });
  });

  test('an empty fleet scales down to zero', async () => {
    const pushed = await service.request('/api/v1/fleet', {
      method: 'PUT',
      token: API_TOKEN,
      body: { at: new Date().toISOString(), queued: [] },
    });
    expect(pushed.status).toBe(200);
    await waitFor('no running instance', async () => (await service.metric(runningSeries, API_TOKEN)) === 0);
    await waitFor('no live cloud instance', () => liveCloudInstances(directory).length === 0);
    expect(
      await service.metric(
        'headroom_scale_actions_total{pool="agents",autoscale="main",action="destroy",reason="scale-down"}',
        API_TOKEN,
      ),
    ).toBe(3);
    const plan = await service.request('/api/v1/plan', { token: API_TOKEN });
    expect(
      plan.body.lastWithActions.actions.destroyed.every((entry: { cause: string }) => entry.cause === 'scale-down'),
    ).toBe(true);
    expect(await service.metric('headroom_desired_instances{pool="agents",autoscale="main"}', API_TOKEN)).toBe(0);
  });

  test('reload: an invalid config is refused with its errors and the running one stays; a valid one applies', async () => {
    // An editor that truncates the file before writing: an empty file is not a config.
    writeFile(directory, 'headroom.yaml', '');
    service.signal('SIGHUP');
    const emptyRefused = await waitFor('the refusal of the empty file', () =>
      service.log('config reload refused; keeping the running config'),
    );
    expect(emptyRefused.issues).toEqual([expect.objectContaining({ message: expect.stringMatching(/empty/) })]);
    writeFile(
      directory,
      'headroom.yaml',
      configText({ directory, standbyCores: 8 }).replace('intervalSeconds: 0.2', 'intervalSeconds: -3'),
    );
    service.signal('SIGHUP');
    const refused = await waitFor('the reload refusal', () =>
      service.logs.find(
        (entry) =>
          entry.msg === 'config reload refused; keeping the running config' &&
          JSON.stringify(entry.issues).includes('scaler.intervalSeconds'),
      ),
    );
    expect(refused.issues).toEqual([
      expect.objectContaining({ path: 'scaler.intervalSeconds', message: 'must be > 0' }),
    ]);
    const ticks = await service.metric('headroom_ticks_total', API_TOKEN);
    await waitFor(
      'more passes with the old config',
      async () => ((await service.metric('headroom_ticks_total', API_TOKEN)) ?? 0) > (ticks ?? 0) + 3,
    );
    expect(liveCloudInstances(directory)).toHaveLength(0);

    // A valid change is picked up from the file without a signal.
    writeFile(directory, 'headroom.yaml', configText({ directory, standbyCores: 8 }));
    await waitFor('the reload', () => service.log('config reloaded'));
    // Creates may wait out the failure backoff (30 s) started by the failed instance above.
    await waitFor(
      'standby of 8 cores → 2 instances',
      async () => (await service.metric(runningSeries, API_TOKEN)) === 2,
      60_000,
    );
    const plan = await service.request('/api/v1/plan', { token: API_TOKEN });
    expect(plan.body.last.configs[0].need.cores).toBe(8);
  }, 90_000);

  test('SIGTERM stops gracefully with exit 0', async () => {
    service.signal('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.log('stopped')).toBeDefined();
  });
});

describe('headroom run: invalid config at start', () => {
  test('exit 2 with every problem by path and no stack trace', async () => {
    const directory = temporaryDirectory('invalid');
    const configPath = writeFile(
      directory,
      'bad.yaml',
      `providers:
  cloud: { type: fake, maxInstances: 2, colour: blue }
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - { id: main, provider: cloud, agent: { cores: 4 }, requireCheckin: true }
scaler: { intervalSeconds: 0, bogus: 1 }
state: { mysql: somewhere }
api: { listen: everywhere, token: ${API_TOKEN} }
`,
    );
    const child = new ServiceProcess(['run', '--config', configPath, '--state-dir', join(directory, 'state')]);
    expect(await child.exited).toBe(2);
    const lines = child.stderr;
    expect(lines).toContain('invalid configuration');
    for (const expected of [
      'providers.cloud.colour: unknown field',
      'scaler.intervalSeconds: must be > 0',
      'scaler.bogus: unknown field',
      'state: must be { sqlite: PATH } or { postgres: { url } }',
      'api.listen: must be "host:port"',
      'checkin: is required when an autoscale config sets requireCheckin',
    ]) {
      expect(lines).toContain(expected);
    }
    expect(lines).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(lines).not.toContain(API_TOKEN);
  });
});

describe('headroom run: SIGTERM during provisioning', () => {
  test('the create in flight finishes; after a restart nothing is orphaned', async () => {
    const directory = temporaryDirectory('sigterm');
    const configPath = writeFile(
      directory,
      'headroom.yaml',
      configText({ directory, standbyCores: 8, latencyMs: 1500 }),
    );
    const stateDirectory = join(directory, 'state');
    const first = await new ServiceProcess(['run', '--config', configPath, '--state-dir', stateDirectory]).started();
    await waitFor('a create in flight', () => first.log('instance-create-start'));
    first.signal('SIGTERM');
    expect(await first.exited).toBe(0);
    const started = first.logs.filter((entry) => entry.msg === 'instance-create-start').length;
    const ended = first.logs.filter((entry) => entry.msg === 'instance-create-end').length;
    expect(started).toBeGreaterThan(0);
    expect(ended).toBe(started);
    const stoppedAt = first.logs.findIndex((entry) => entry.msg === 'stopped');
    expect(first.logs.findLastIndex((entry) => entry.msg === 'instance-create-end')).toBeLessThan(stoppedAt);

    writeFile(directory, 'headroom.yaml', configText({ directory, standbyCores: 8, latencyMs: 0 }));
    const second = await new ServiceProcess(['run', '--config', configPath, '--state-dir', stateDirectory]).started();
    await waitFor('2 running instances', async () => (await second.metric(runningSeries, API_TOKEN)) === 2);
    const ticks = await second.metric('headroom_ticks_total', API_TOKEN);
    await waitFor(
      'a few more passes',
      async () => ((await second.metric('headroom_ticks_total', API_TOKEN)) ?? 0) > (ticks ?? 0) + 3,
    );
    const fleet = await second.request('/api/v1/fleet', { token: API_TOKEN });
    const ledgerIds = fleet.body.ledger.map((entry: { id: string }) => entry.id).sort();
    const cloudNames = liveCloudInstances(directory)
      .map((record) => record.name)
      .sort();
    expect(cloudNames).toEqual(ledgerIds);
    expect(cloudNames).toHaveLength(2);
    expect(second.logs.filter((entry) => entry.msg === 'orphan-found')).toEqual([]);
    second.signal('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});

describe('headroom run: inventory polling and dry run', () => {
  test('a polled snapshot drives the plan; --dry-run never creates', async () => {
    const { createServer } = await import('node:http');
    let authorization: string | undefined;
    const server = createServer((request, response) => {
      authorization = request.headers.authorization;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ at: new Date().toISOString(), instances: [], queued: queued(2) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const directory = temporaryDirectory('poll');
      const configPath = writeFile(
        directory,
        'headroom.yaml',
        configText({
          directory,
          extra: `inventory:\n  url: http://127.0.0.1:${port}/fleet\n  intervalSeconds: 0.5\n  token: ${INVENTORY_TOKEN}\n`,
        }),
      );
      const service = await new ServiceProcess([
        'run',
        '--config',
        configPath,
        '--state-dir',
        join(directory, 'state'),
        '--dry-run',
      ]).started();
      const plan = await waitFor('a plan asking for 2 instances', async () => {
        const response = await service.request('/api/v1/plan', { token: API_TOKEN });
        return response.body.history.some(
          (entry: { configs?: { create: number }[] }) => entry.configs?.[0]?.create === 2,
        )
          ? response.body
          : undefined;
      });
      expect(plan.dryRun).toBe(true);
      expect(authorization).toBe(`Bearer ${INVENTORY_TOKEN}`);
      const ticks = await service.metric('headroom_ticks_total', API_TOKEN);
      await waitFor(
        'a few more passes',
        async () => ((await service.metric('headroom_ticks_total', API_TOKEN)) ?? 0) > (ticks ?? 0) + 3,
      );
      let cloud: CloudRecord[] = [];
      try {
        cloud = liveCloudInstances(directory);
      } catch {
        // No state file: nothing was ever created.
      }
      expect(cloud).toEqual([]);
      service.signal('SIGTERM');
      expect(await service.exited).toBe(0);
    } finally {
      server.close();
    }
  });
});

describe('headroom run: a fake cloud server shared over HTTP', () => {
  test('a provider with url creates its instances on the server', async () => {
    const { startFakeCloudServer } = await import('@headroom/core/test');
    const directory = temporaryDirectory('fake-url');
    const server = await startFakeCloudServer({ statePath: join(directory, 'server.json') });
    try {
      const configPath = writeFile(
        directory,
        'headroom.yaml',
        configText({ directory, standbyCores: 4 }).replace(
          `stateFile: ${join(directory, 'cloud.json')}`,
          `url: ${server.url}`,
        ),
      );
      const service = await new ServiceProcess([
        'run',
        '--config',
        configPath,
        '--state-dir',
        join(directory, 'state'),
      ]).started();
      await waitFor('1 running instance', async () => (await service.metric(runningSeries, API_TOKEN)) === 1);
      const live = server.cloud.listInstances({ providerId: 'cloud', tags: {} });
      expect(live).toHaveLength(1);
      const fleet = await service.request('/api/v1/fleet', { token: API_TOKEN });
      expect(fleet.body.ledger.map((entry: { providerInstanceId: string }) => entry.providerInstanceId)).toEqual([
        live[0]!.instanceId,
      ]);
      service.signal('SIGTERM');
      expect(await service.exited).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('headroom run: OpenAPI', () => {
  test('every JSON answer of this file’s runs matches the served OpenAPI document', () => {
    const checked = expectResponsesMatchOpenApi(createOpenApiDocument(), allResponses);
    expect(checked).toBeGreaterThan(20);
  });
});

describe('headroom run: logs', () => {
  test('no configured secret appears anywhere in the output of this file’s runs', () => {
    const output = allOutput.join('');
    expect(output.length).toBeGreaterThan(1000);
    for (const secret of SECRETS) expect(output).not.toContain(secret);
  });
});
