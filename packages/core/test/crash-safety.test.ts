import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { createSqliteStateStore } from '../../store-sqlite/src/index.js';
import type { FleetSnapshot, Instance } from '../src/model/instance.js';
import { createSeededRandom } from '../src/random/create-seeded-random.js';
import { type FakeCloudServer, startFakeCloudServer } from '../src/test/start-fake-cloud-server.js';

/**
 * Crash safety, end to end with real processes: `crash-scaler.mjs` (the built packages, a SQLite
 * state store file, the fake cloud HTTP server with state on disk) is SIGKILLed at seeded random
 * points of its create/destroy cycles and restarted. Set HEADROOM_CRASH_SEED to replay a run.
 */
const SEED = Number(process.env.HEADROOM_CRASH_SEED ?? 7);
const KILL_POINTS = Number(process.env.HEADROOM_CRASH_KILLS ?? 104);
const MAX_INSTANCES = 6;
const ZONE = 'agents.crash.test';
const SESSIONS_PER_AGENT = 2;
const here = dirname(fileURLToPath(import.meta.url));
const scalerScript = join(here, 'crash-scaler.mjs');
const builtEntries = [
  join(here, '../dist/index.js'),
  join(here, '../dist/test/index.js'),
  join(here, '../../store-sqlite/dist/index.js'),
];

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The control plane: places wanted sessions on running instances at snapshot time; the rest queue. */
function startControlPlane(options: { cloud: FakeCloudServer['cloud'] }) {
  const sessions = new Map<string, number>();
  let demand = (_elapsedMs: number) => 0;
  const startedAt = Date.now();
  let snapshots = 0;
  const snapshot = (): FleetSnapshot => {
    snapshots += 1;
    const running = options.cloud
      .listInstances({ providerId: 'fake', tags: {} })
      .filter((instance) => instance.state === 'running');
    const runningNames = new Set(running.map((instance) => instance.name));
    for (const name of sessions.keys()) if (!runningNames.has(name)) sessions.delete(name);
    const wanted = demand(Date.now() - startedAt);
    let placed = [...sessions.values()].reduce((sum, count) => sum + count, 0);
    for (const [name, count] of [...sessions.entries()].sort((a, b) => a[1] - b[1])) {
      if (placed <= wanted) break;
      const removed = Math.min(count, placed - wanted);
      sessions.set(name, count - removed);
      placed -= removed;
    }
    for (const instance of running) {
      let count = sessions.get(instance.name) ?? 0;
      while (placed < wanted && count < SESSIONS_PER_AGENT) {
        count += 1;
        placed += 1;
      }
      sessions.set(instance.name, count);
    }
    const at = new Date().toISOString();
    const instances: Instance[] = running.map((instance) => ({
      id: instance.name,
      pool: 'agents',
      autoscale: 'main',
      provider: 'cloud',
      state: 'running',
      checkedIn: true,
      createdAt: instance.createdAt ?? at,
      capacity: { cores: SESSIONS_PER_AGENT, memoryMb: 0, gpus: 0 },
      sessions: Array.from({ length: sessions.get(instance.name) ?? 0 }, (_, index) => ({
        id: `${instance.name}-s${index}`,
        cores: 1,
        memoryMb: 0,
        gpus: 0,
        staged: false,
      })),
    }));
    const queued = Array.from({ length: Math.max(0, wanted - placed) }, () => ({
      pool: 'agents',
      cores: 1,
      memoryMb: 0,
      gpus: 0,
      since: at,
    }));
    return { at, instances, queued };
  };
  const server: Server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/snapshot') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(snapshot()));
      return;
    }
    response.writeHead(404).end();
  });
  return {
    sessions,
    setDemand(next: (elapsedMs: number) => number) {
      demand = next;
    },
    get snapshots() {
      return snapshots;
    },
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface ScalerRun {
  child: ChildProcess;
  events: string[];
  exited: Promise<number | null>;
  stderr: string[];
}

function startScaler(options: {
  cloudUrl: string;
  controlPlaneUrl: string;
  storePath: string;
  onEvent?: (type: string, run: ScalerRun) => void;
}): ScalerRun {
  const child = spawn(process.execPath, [scalerScript, options.cloudUrl, options.controlPlaneUrl, options.storePath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CRASH_MAX_INSTANCES: String(MAX_INSTANCES) },
  });
  const run: ScalerRun = {
    child,
    events: [],
    stderr: [],
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      const { type } = JSON.parse(line) as { type: string };
      run.events.push(type);
      options.onEvent?.(type, run);
    } catch {
      run.stderr.push(`stdout: ${line}`);
    }
  });
  createInterface({ input: child.stderr! }).on('line', (line) => run.stderr.push(line));
  return run;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('crash safety with real processes', () => {
  test(`SIGKILL at ≥ 100 seeded points of create/destroy cycles leaves no orphans, no stale DNS, maxInstances respected, no busy instance destroyed`, async () => {
    const missing = builtEntries.filter((path) => !existsSync(path));
    if (missing.length > 0) throw new Error(`build the packages first (pnpm -s build); missing ${missing.join(', ')}`);
    const random = createSeededRandom(SEED);
    const directory = mkdtempSync(join(tmpdir(), 'headroom-crash-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const storePath = join(directory, 'state.sqlite');

    const cloudServer = await startFakeCloudServer({
      statePath: join(directory, 'cloud.json'),
      bootDelayMs: 300,
      destroyDelayMs: 200,
      latencyMs: 5,
      dnsZones: [ZONE],
      seed: SEED,
    });
    cleanups.push(() => cloudServer.close());
    const controlPlane = startControlPlane({ cloud: cloudServer.cloud });
    const controlPlaneUrl = await controlPlane.listen();
    cleanups.push(() => controlPlane.close());

    // Every destroy that reaches the cloud is checked against the control plane's sessions at that moment.
    const violations: string[] = [];
    const destroyInCloud = cloudServer.cloud.destroyInstance.bind(cloudServer.cloud);
    cloudServer.cloud.destroyInstance = (input) => {
      const record = cloudServer.cloud.getInstanceRecord(input);
      const busy = record ? (controlPlane.sessions.get(record.name) ?? 0) : 0;
      if (record && record.destroyRequestedAtMs === undefined && busy > 0)
        violations.push(`${record.name} destroyed with ${busy} session(s)`);
      destroyInCloud(input);
    };
    // Demand waves of 3 s: 13 sessions (7 agents wanted, capped at maxInstances 6), then 2 sessions (1 agent).
    controlPlane.setDemand((elapsedMs) => (Math.floor(elapsedMs / 3000) % 2 === 0 ? 13 : 2));

    const start = { cloudUrl: cloudServer.url, controlPlaneUrl, storePath };
    const killedAfter = new Map<string, number>();
    let kills = 0;
    let idleKills = 0;
    let orphansCollected = 0;
    const startedAtMs = Date.now();
    while (kills - idleKills < KILL_POINTS && Date.now() - startedAtMs < 600_000) {
      const eventsBeforeKill = 1 + Math.floor(random() * 4);
      const delayMs = Math.floor(random() * 25);
      let scheduled = false;
      const run = startScaler({
        ...start,
        onEvent: (type, current) => {
          if (type === 'orphan-destroyed') orphansCollected += 1;
          if (type === 'ready' || scheduled) return;
          const actions = current.events.filter((event) => event !== 'ready').length;
          if (actions >= eventsBeforeKill) {
            scheduled = true;
            killedAfter.set(type, (killedAfter.get(type) ?? 0) + 1);
            setTimeout(() => current.child.kill('SIGKILL'), delayMs);
          }
        },
      });
      const idleTimer = setTimeout(() => {
        if (!scheduled) {
          scheduled = true;
          idleKills += 1;
          run.child.kill('SIGKILL');
        }
      }, 6000);
      const code = await run.exited;
      clearTimeout(idleTimer);
      if (code !== null && code !== 0) throw new Error(`scaler exited with ${code}: ${run.stderr.join('\n')}`);
      kills += 1;
    }

    // Converge with a steady demand, stop gracefully, then compare the cloud with the ledger.
    controlPlane.setDemand(() => 5);
    const steady = startScaler(start);
    await sleep(6000);
    steady.child.kill('SIGTERM');
    expect(await steady.exited).toBe(0);
    const store = createSqliteStateStore({ path: storePath });
    await store.init();
    const ledger = await store.listInstances();
    const openIntents = await store.listIntents({ status: 'open' });
    await store.close();
    const ledgerIds = new Set(ledger.map((entry) => entry.providerInstanceId));
    const live = cloudServer.cloud.listInstances({ providerId: 'fake', tags: {} });
    const orphans = live.filter((instance) => !ledgerIds.has(instance.instanceId));
    const ledgerDnsNames = new Set(ledger.map((entry) => entry.dnsName));
    const staleRecords = cloudServer.cloud
      .listRecords({ zone: ZONE })
      .filter((record) => !ledgerDnsNames.has(record.name));
    const liveAfterSteady = live.length;

    // Wind down to zero demand: every instance and record must go.
    controlPlane.setDemand(() => 0);
    const windDown = startScaler(start);
    for (let poll = 0; poll < 100; poll++) {
      if (
        cloudServer.cloud.listInstances({ providerId: 'fake', tags: {} }).length === 0 &&
        cloudServer.cloud.listRecords({ zone: ZONE }).length === 0
      ) {
        break;
      }
      await sleep(200);
    }
    windDown.child.kill('SIGTERM');
    expect(await windDown.exited).toBe(0);
    const stats = cloudServer.cloud.stats();
    const counters = stats.providers.fake!;
    const remaining = cloudServer.cloud.listInstances({ providerId: 'fake', tags: {} });
    const remainingRecords = cloudServer.cloud.listRecords({ zone: ZONE });

    console.log(
      [
        `[crash-safety] seed ${SEED} (HEADROOM_CRASH_SEED), store: SQLite file (@headroom/store-sqlite), cloud: fake cloud HTTP server with state on disk`,
        `  kill points: ${kills} SIGKILLs (${kills - idleKills} right after an action event, ${idleKills} idle), in ${Math.round((Date.now() - startedAtMs) / 1000)} s`,
        `  killed after: ${[...killedAfter.entries()].map(([type, count]) => `${type} ${count}`).join(', ')}`,
        `  cloud: ${counters.createdInstances} instances created, ${counters.destroyedInstances} destroyed, max live ${counters.maxLiveInstances} (maxInstances ${MAX_INSTANCES})`,
        `  orphans collected by the scaler during the run: ${orphansCollected}`,
        `  after steady state: ${liveAfterSteady} live, ${orphans.length} orphaned instances, ${staleRecords.length} stale DNS records, ${openIntents.length} open intents`,
        `  after wind-down: ${remaining.length} instances, ${remainingRecords.length} DNS records; destroys of instances with sessions: ${violations.length}`,
      ].join('\n'),
    );

    expect(kills).toBeGreaterThanOrEqual(100);
    expect(kills - idleKills).toBeGreaterThanOrEqual(100);
    expect(violations).toEqual([]);
    expect(counters.maxLiveInstances).toBeLessThanOrEqual(MAX_INSTANCES);
    expect(counters.createdInstances).toBeGreaterThan(20);
    expect(orphans).toEqual([]);
    expect(staleRecords).toEqual([]);
    expect(openIntents).toEqual([]);
    expect(liveAfterSteady).toBeGreaterThan(0);
    expect(remaining).toEqual([]);
    expect(remainingRecords).toEqual([]);
  }, 720_000);
});
