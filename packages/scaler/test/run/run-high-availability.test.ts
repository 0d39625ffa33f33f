import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  allOutput,
  killAll,
  type LogEntry,
  ServiceProcess,
  temporaryDirectory,
  waitFor,
  writeFile,
} from './service-process.js';

const API_TOKEN = 'ha-api-token-3e8d0c1b9a7f';
const SIGNING_KEY = 'ha-checkin-signing-key-0f1e2d3c4b5a69788796';
/** Sent in the URL; trust authentication ignores it, so it exercises redaction only. */
const DATABASE_PASSWORD = 'pg-password-7c6b5a4d3e2f';
const database = `headroom_run_ha_${process.pid}_${Date.now()}`;

function psql(sql: string, on = 'postgres'): { ok: boolean; output: string } {
  const result = spawnSync(
    'psql',
    ['-h', '127.0.0.1', '-p', '5432', '-U', 'postgres', '-d', on, '-v', 'ON_ERROR_STOP=1', '-Atc', sql],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

const postgresAvailable = psql('select 1').ok;
if (!postgresAvailable && process.env.CI) {
  throw new Error(
    'PostgreSQL does not answer on 127.0.0.1:5432 (CI needs it: scripts/ci/ensure-postgres.sh starts one)',
  );
}

interface CloudSnapshot {
  instances: { name: string; startupScript?: string; destroyRequestedAtMs?: number }[];
  stats: { providers: Record<string, { maxLiveInstances: number; liveInstances: number }> };
}

const firstIndex = (logs: LogEntry[], message: string) => logs.findIndex((entry) => entry.msg === message);
const actionMessages = new Set(['instance-create-start', 'instance-destroy-start', 'orphan-destroyed']);

afterAll(async () => {
  await killAll();
  if (postgresAvailable) psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

describe.skipIf(!postgresAvailable)('headroom run: two replicas on PostgreSQL', () => {
  const directory = temporaryDirectory('ha');
  const cloudFile = join(directory, 'cloud.json');
  const configText = (standbyCores: number) => `providers:
  cloud: { type: fake, maxInstances: 6, stateFile: ${cloudFile}, startupScript: "agent --checkin-token={checkin_jwt}" }
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - { id: main, provider: cloud, standby: { cores: ${standbyCores} }, agent: { cores: 4, memoryMb: 8192 }, downscaleBackoffSeconds: 0 }
scaler: { intervalSeconds: 0.5 }
state:
  postgres: { url: "postgres://postgres:${DATABASE_PASSWORD}@127.0.0.1:5432/${database}" }
api: { listen: "127.0.0.1:0", token: ${API_TOKEN} }
checkin: { signingKey: ${SIGNING_KEY} }
`;
  const configPath = writeFile(directory, 'headroom.yaml', configText(8));
  const replica = (name: string) =>
    new ServiceProcess([
      'run',
      '--config',
      configPath,
      '--state-dir',
      join(directory, name),
      '--holder-id',
      name,
    ]).started();
  /** Checks in the first live instance with the token from its startup script; resolves its name and the answer. */
  const checkin = async (replica: ServiceProcess) => {
    const cloud = JSON.parse(readFileSync(cloudFile, 'utf8')) as CloudSnapshot;
    const instance = cloud.instances.find((record) => record.destroyRequestedAtMs === undefined);
    const token = /--checkin-token=([\w.-]+)/.exec(instance?.startupScript ?? '')?.[1] ?? 'missing';
    const response = await fetch(`${replica.baseUrl}/api/set_server_status?token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'running', status_message: 'up', status_progress: '100' }),
    });
    return { name: instance?.name, status: response.status };
  };
  let first: ServiceProcess;
  let second: ServiceProcess;

  beforeAll(() => {
    const created = psql(`CREATE DATABASE ${database}`);
    if (!created.ok) throw new Error(`cannot create the test database: ${created.output}`);
  });

  test('one leader acts, the follower reports who leads', async () => {
    first = await replica('replica-a');
    await waitFor(
      'replica-a to lead',
      async () => (await first.request('/api/v1/plan', { token: API_TOKEN })).body.leader === true,
    );
    second = await replica('replica-b');
    await waitFor(
      '2 running instances',
      async () =>
        (await first.metric('headroom_instances{pool="agents",autoscale="main",state="running"}', API_TOKEN)) === 2,
    );
    const followerPlan = await waitFor('the follower to see the leader', async () => {
      const plan = await second.request('/api/v1/plan', { token: API_TOKEN });
      return plan.body.currentLeader?.holderId === 'replica-a' ? plan.body : undefined;
    });
    expect(followerPlan.leader).toBe(false);
    expect((await second.request('/readyz')).status).toBe(200);
    expect(await second.metric('headroom_leader', API_TOKEN)).toBe(0);
    expect(await first.metric('headroom_leader', API_TOKEN)).toBe(1);
    // The follower serves metrics from the shared store.
    await waitFor(
      'the follower to count the instances',
      async () =>
        (await second.metric('headroom_instances{pool="agents",autoscale="main",state="running"}', API_TOKEN)) === 2,
    );
    expect(second.logs.filter((entry) => actionMessages.has(entry.msg))).toEqual([]);
    // Only the leader is ready for leader-only traffic.
    expect((await second.request('/readyz?leader=1')).status).toBe(503);
    expect((await first.request('/readyz?leader=1')).status).toBe(200);
  });

  test('a check-in sent to the follower is kept in the store and applied by the leader', async () => {
    const follower = await checkin(second);
    expect(follower.status).toBe(200);
    const entry = await waitFor('the leader to record the check-in', async () => {
      const fleet = await first.request('/api/v1/fleet', { token: API_TOKEN });
      const ledger = fleet.body.ledger as { id: string; checkedInAt?: string; serverStatus?: object }[];
      const found = ledger.find((candidate) => candidate.id === follower.name);
      return found?.checkedInAt === undefined ? undefined : found;
    });
    expect(entry.serverStatus).toMatchObject({ status: 'running', message: 'up', progress: '100' });
    expect(first.logs.some((entry) => entry.msg === 'check-in')).toBe(false);
    expect(second.logs.find((entry) => entry.msg === 'check-in')).toMatchObject({
      instanceId: follower.name,
      keptForLeader: true,
    });
    await waitFor(
      'the leader to delete the applied check-in',
      async () => psql('SELECT count(*) FROM headroom.pending_checkins', database).output.trim() === '0',
    );
  });

  test('the leader is killed, the follower takes over; never two actors', async () => {
    const killedAt = Date.now();
    first.signal('SIGKILL');
    await first.exited;
    await waitFor(
      'replica-b to lead',
      async () => (await second.request('/api/v1/plan', { token: API_TOKEN })).body.leader === true,
      60_000,
    );
    const failoverMs = Date.now() - killedAt;
    console.log(
      `[headroom run HA] failover after SIGKILL of the leader: ${failoverMs} ms (follower poll 2 s, interval 0.5 s)`,
    );

    // The new leader acts: a larger standby needs 2 more instances.
    writeFile(directory, 'headroom.yaml', configText(16));
    await waitFor(
      '4 running instances',
      async () =>
        (await second.metric('headroom_instances{pool="agents",autoscale="main",state="running"}', API_TOKEN)) === 4,
      30_000,
    );

    const becameLeader = firstIndex(second.logs, 'became leader');
    expect(becameLeader).toBeGreaterThanOrEqual(0);
    expect(second.logs.slice(0, becameLeader).filter((entry) => actionMessages.has(entry.msg))).toEqual([]);
    const epochs = [...first.logs, ...second.logs]
      .filter((entry) => entry.msg === 'became leader')
      .map((entry) => Number(entry.epoch));
    expect(epochs).toHaveLength(2);
    expect(epochs[1]).toBeGreaterThan(epochs[0]!);
    // The first leader's last action came before the kill; the cloud never held more than asked for.
    const lastActionOfFirst = first.logs.filter((entry) => actionMessages.has(entry.msg)).at(-1);
    expect(Date.parse(String(lastActionOfFirst?.time))).toBeLessThan(killedAt);
    const cloud = JSON.parse(readFileSync(cloudFile, 'utf8')) as CloudSnapshot;
    expect(cloud.stats.providers.cloud?.maxLiveInstances).toBe(4);
    expect(cloud.instances.filter((record) => record.destroyRequestedAtMs === undefined)).toHaveLength(4);
    expect(second.logs.filter((entry) => entry.msg === 'orphan-found')).toEqual([]);

    expect((await checkin(second)).status).toBe(200);
    second.signal('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 90_000);

  test('no configured secret appears anywhere in the output', () => {
    const output = allOutput.join('');
    expect(output).toContain('became leader');
    for (const secret of [API_TOKEN, SIGNING_KEY, DATABASE_PASSWORD]) expect(output).not.toContain(secret);
  });
});
