import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DemandSampleRecord } from '@headroom/core';
import { createSqliteStateStore } from '@headroom/store-sqlite';
import { afterAll, describe, expect, test } from 'vitest';
import { createOpenApiDocument } from '../../src/run/openapi-document.js';
import { runCli } from '../run-cli.js';
import { expectResponsesMatchOpenApi } from './openapi-responses.js';
import { allResponses, killAll, ServiceProcess, temporaryDirectory, waitFor, writeFile } from './service-process.js';

// Runs the BUILT binary (`pnpm -s build` first).
const API_TOKEN = 'api-token-3e8a1c5f7b9d2e4a';
const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR_MS;

afterAll(killAll);

function configText(options: { directory: string; predictiveStandby: string }): string {
  return `providers:
  cloud: { type: fake, maxInstances: 8, stateFile: ${join(options.directory, 'cloud.json')} }
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - id: main
        provider: cloud
        standby: { cores: 0 }
        agent: { cores: 4, memoryMb: 8192 }
        predictiveStandby: ${options.predictiveStandby}
scaler:
  intervalSeconds: 0.2
api:
  listen: 127.0.0.1:0
  token: ${API_TOKEN}
`;
}

/**
 * Writes into the SQLite store what a service running last week would have recorded: in the
 * hour of the week of now and the next one, demand growing by 10 cores a minute.
 */
async function seedLastWeek(path: string, nowMs: number): Promise<void> {
  const store = createSqliteStateStore({ path });
  try {
    await store.init();
    const hourStartMs = Math.floor(nowMs / HOUR_MS) * HOUR_MS - WEEK_MS;
    const samples: DemandSampleRecord[] = Array.from({ length: 120 }, (_, minute) => ({
      pool: 'agents',
      atMs: hourStartMs + minute * 60_000,
      cores: (minute % 60) * 10,
      memoryMb: 0,
      gpus: 0,
    }));
    await store.putDemandSamples({ epoch: 1, samples });
  } finally {
    await store.close();
  }
}

describe('headroom run: predictive standby learnt from history', () => {
  test('learns from the SQLite store at start, plans with it, shows the gauge, and records its own samples', async () => {
    const directory = temporaryDirectory('run-history');
    const stateDirectory = join(directory, 'state');
    const databasePath = join(stateDirectory, 'state.sqlite');
    mkdirSync(stateDirectory, { recursive: true });
    const startedAtMs = Date.now();
    await seedLastWeek(databasePath, startedAtMs);
    const configPath = writeFile(
      directory,
      'headroom.yaml',
      configText({
        directory,
        predictiveStandby: '{ quantile: 1, horizonSeconds: 120, confidenceFloor: 3, learnFrom: history }',
      }),
    );
    const service = await new ServiceProcess(['run', '--config', configPath, '--state-dir', stateDirectory]).started();
    expect(service.logs.find((entry) => String(entry.msg).includes('simulate only'))).toBeUndefined();

    const series = 'headroom_predicted_standby{pool="agents",autoscale="main",resource="cores"}';
    await waitFor('the predicted standby gauge', async () => (await service.metric(series, API_TOKEN)) === 20);
    expect(await service.metric(series.replace('resource="cores"', 'resource="memory_bytes"'), API_TOKEN)).toBe(0);
    const learnt = service.log('demand-profile-learnt');
    expect(learnt).toMatchObject({ pool: 'agents', autoscale: 'main', horizonSeconds: 120 });
    expect(learnt!.samples).toBeGreaterThanOrEqual(120);
    expect(learnt!.confidentHourOfWeekSlots).toBeGreaterThanOrEqual(1);

    const plan = await service.request('/api/v1/plan', { token: API_TOKEN });
    const latest = plan.body.history[0].configs[0];
    expect(latest.predictedStandby).toEqual({ cores: 20, memoryMb: 0, gpus: 0 });
    expect(latest.reasons[0]).toMatch(/^predictive standby: learnt growth within 120 s for .* is 20 cores/);
    // 20 cores of standby on 4-core agents.
    await waitFor(
      '5 instances',
      async () => (await service.metric('headroom_desired_instances{pool="agents",autoscale="main"}', API_TOKEN)) === 5,
    );

    service.signal('SIGTERM');
    expect(await service.exited).toBe(0);
    const store = createSqliteStateStore({ path: databasePath });
    try {
      await store.init();
      const recorded = await store.listDemandSamples({ pool: 'agents', fromMs: startedAtMs });
      expect(recorded.length).toBeGreaterThanOrEqual(1);
      expect(recorded[0]).toMatchObject({ pool: 'agents', memoryMb: 0, gpus: 0 });
    } finally {
      await store.close();
    }
    expect(expectResponsesMatchOpenApi(createOpenApiDocument(), allResponses)).toBeGreaterThanOrEqual(1);
  }, 120_000);

  test('learnFrom trace is refused at start with the field path, exit 2, nothing acted on', async () => {
    const directory = temporaryDirectory('run-trace');
    const configPath = writeFile(
      directory,
      'headroom.yaml',
      configText({ directory, predictiveStandby: '{ quantile: 0.9 }' }),
    );
    const child = new ServiceProcess(['run', '--config', configPath, '--state-dir', join(directory, 'state')]);
    expect(await child.exited).toBe(2);
    expect(child.stderr).toContain(
      'pools[0].autoscale[0].predictiveStandby.learnFrom: "trace" is learnt by headroom simulate from a replayed trace; headroom run learns from "history"',
    );
    expect(child.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(existsSync(join(directory, 'state'))).toBe(false);
    expect(existsSync(join(directory, 'cloud.json'))).toBe(false);
  });

  test('headroom validate accepts learnFrom history (and trace, for headroom simulate)', () => {
    const directory = temporaryDirectory('validate-history');
    for (const learnFrom of ['history', 'trace']) {
      const configPath = writeFile(
        directory,
        `${learnFrom}.yaml`,
        configText({ directory, predictiveStandby: `{ quantile: 0.9, learnFrom: ${learnFrom} }` }),
      );
      const result = runCli(['validate', '--config', configPath]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^ok: /);
    }
  });
});
