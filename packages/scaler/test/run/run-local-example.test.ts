import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli } from '../run-cli.js';
import { killAll, ServiceProcess, temporaryDirectory, waitFor } from './service-process.js';

const TOKEN = 'local-development-token';
const createdSeries =
  'headroom_scale_actions_total{pool="agents",autoscale="default",action="create",reason="scale-up"}';

afterAll(killAll);

describe('examples/local.yaml with headroom load', () => {
  test('the fake cloud scales up while the load generator reports sessions; the generator stops by itself', async () => {
    const directory = temporaryDirectory('local');
    const service = await new ServiceProcess([
      'run',
      '--config',
      'examples/local.yaml',
      '--listen',
      '127.0.0.1:0',
      '--state-dir',
      join(directory, 'state'),
    ]).started();
    await waitFor('the standby instance', async () => ((await service.metric(createdSeries)) ?? 0) >= 1);
    const before = (await service.metric(createdSeries)) ?? 0;

    const load = new ServiceProcess(
      [
        'load',
        '--url',
        service.baseUrl,
        '--pool',
        'agents',
        '--rate',
        '120',
        '--duration',
        '12',
        '--session-seconds',
        '60',
        '--cores',
        '4',
        '--memory-mb',
        '4096',
        '--interval-seconds',
        '1',
      ],
      { env: { HEADROOM_API_TOKEN: TOKEN } },
    );
    expect(await load.exited).toBe(0);
    expect(load.stdout).toMatch(/done: started \d+ sessions/);
    expect(load.stdout).toMatch(/queued/);
    await waitFor(
      'more instances for the queued sessions',
      async () => ((await service.metric(createdSeries)) ?? 0) > before,
      30_000,
    );
    const plan = await service.request('/api/v1/plan');
    expect(plan.status).toBe(200);
    expect(plan.body.lastWithActions.configs[0].reasons.join(' ')).toMatch(/scale up/);
    service.signal('SIGTERM');
    expect(await service.exited).toBe(0);
  }, 90_000);

  test('headroom load only talks to 127.0.0.1 unless told otherwise', () => {
    const result = runCli(['load', '--url', 'http://192.0.2.10:8080', '--pool', 'agents', '--rate', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('only 127.0.0.1 is allowed unless --allow-remote is given');
  });
});
