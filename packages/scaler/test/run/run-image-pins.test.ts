import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  describeWithRegistry,
  loopbackClient,
  pushMultiArchImage,
  type RunningRegistry,
  startRegistry,
} from '../../../registry/test/registry-harness.js';
import { createOpenApiDocument } from '../../src/run/openapi-document.js';
import { expectResponsesMatchOpenApi } from './openapi-responses.js';
import { allResponses, killAll, ServiceProcess, temporaryDirectory, waitFor, writeFile } from './service-process.js';

// Runs the BUILT binary (`pnpm -s build` first) against Debian's docker-registry on loopback.
const API_TOKEN = 'api-token-7c1d9e2f4a6b8c0d';

afterAll(killAll);

describeWithRegistry('headroom run: digest pins and rolls', () => {
  let registry: RunningRegistry;
  const directory = temporaryDirectory('run-image-pins');
  const push = (content: string) =>
    pushMultiArchImage({
      client: loopbackClient(registry.address),
      repository: 'team/app',
      tag: '2',
      content,
      architectures: ['amd64', 'arm64'],
    }).then((image) => image.index.digest);
  const start = () =>
    new ServiceProcess([
      'run',
      '--config',
      join(directory, 'headroom.yaml'),
      '--state-dir',
      join(directory, 'state'),
    ]).started();

  beforeAll(async () => {
    registry = await startRegistry();
    writeFile(
      directory,
      'headroom.yaml',
      `providers:
  cloud: { type: fake, maxInstances: 2, stateFile: ${join(directory, 'cloud.json')} }
pools:
  - { id: agents, kind: docker-agent, autoscale: [{ id: main, provider: cloud, agent: { cores: 4, memoryMb: 8192 } }] }
workspaces:
  - { id: app, image: "${registry.address}/team/app:2", registry: { url: "${registry.address}", insecureHttp: true } }
  - { id: preloaded, image: "kasmweb/terminal:1.16.0" }
scaler:
  intervalSeconds: 0.2
api:
  listen: 127.0.0.1:0
  token: ${API_TOKEN}
`,
    );
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
  });

  test('pins at the first resolution, keeps the pin across a restart while the tag moves, and rolls on request', async () => {
    const first = await push('first');
    const service = await start();
    await waitFor('the first pin', async () => service.log('image pinned'));
    expect(service.log('image pinned')).toMatchObject({ workspace: 'app', digest: first });
    // A few ticks store the pin with the planner state; then the process stops.
    await waitFor('a tick after the pin', async () => {
      const plan = await service.request('/api/v1/plan', { token: API_TOKEN });
      return plan.body.history.length >= 3 ? true : undefined;
    });
    service.signal('SIGTERM');
    expect(await service.exited).toBe(0);

    const second = await push('second');
    const restarted = await start();
    // The stored pin holds: no new first resolution although the tag moved.
    await waitFor('a tick of the restarted service', async () => {
      const plan = await restarted.request('/api/v1/plan', { token: API_TOKEN });
      return plan.body.history.length >= 2 ? true : undefined;
    });
    expect(restarted.log('image pinned')).toBeUndefined();

    expect((await restarted.request('/api/v1/images/app/roll', { method: 'POST' })).status).toBe(401);
    expect((await restarted.request('/api/v1/images/missing/roll', { method: 'POST', token: API_TOKEN })).status).toBe(
      404,
    );
    expect(
      (await restarted.request('/api/v1/images/preloaded/roll', { method: 'POST', token: API_TOKEN })).status,
    ).toBe(409);
    const roll = await restarted.request('/api/v1/images/app/roll', { method: 'POST', token: API_TOKEN });
    expect(roll.status).toBe(200);
    expect(roll.body).toEqual({ workspace: 'app', previous: first, digest: second });
    const again = await restarted.request('/api/v1/images/app/roll', { method: 'POST', token: API_TOKEN });
    expect(again.body).toEqual({ workspace: 'app', previous: second, digest: second });
    expect(expectResponsesMatchOpenApi(createOpenApiDocument(), allResponses)).toBeGreaterThan(4);
  }, 120_000);
});
