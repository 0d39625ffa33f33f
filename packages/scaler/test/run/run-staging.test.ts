import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createOpenApiDocument } from '../../src/run/openapi-document.js';
import { expectResponsesMatchOpenApi } from './openapi-responses.js';
import { allResponses, killAll, ServiceProcess, temporaryDirectory, waitFor, writeFile } from './service-process.js';

const API_TOKEN = 'api-token-staging-7c1d9e2f4a';

afterAll(killAll);

describe('headroom run: staging actions in /api/v1/plan', () => {
  const directory = temporaryDirectory('run-staging');
  const configPath = writeFile(
    directory,
    'headroom.yaml',
    `providers:
  cloud: { type: fake, maxInstances: 2, stateFile: ${join(directory, 'cloud.json')} }
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - { id: main, provider: cloud, agent: { cores: 4, memoryMb: 8192 }, downscaleBackoffSeconds: 0 }
staging:
  - id: chrome
    pool: agents
    autoscale: main
    workspace: chrome
    desiredSessions: 2
    requestTimeoutSeconds: 1
    session: { cores: 1, memoryMb: 1024 }
scaler:
  intervalSeconds: 0.2
api:
  listen: 127.0.0.1:0
  token: ${API_TOKEN}
`,
  );
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

  test('the staging need creates an agent, then the plan asks to stage 2 sessions on it', async () => {
    const stage = await waitFor('a stage action in /api/v1/plan', async () => {
      const plan = await service.request('/api/v1/plan', { token: API_TOKEN });
      for (const entry of plan.body.history ?? []) {
        const action = entry.staging?.actions.find((candidate: { type: string }) => candidate.type === 'stage');
        if (action) return { action, entry };
      }
      return undefined;
    });
    expect(stage.action).toMatchObject({
      type: 'stage',
      staging: 'chrome',
      workspace: 'chrome',
      zone: 'default',
      count: 2,
    });
    expect(stage.action.reason).toMatch(
      /^stage 2 × chrome .*: 0 staged, 0 pending, 0 expired; desiredSessions 2; placement spread$/,
    );
    expect(stage.entry.staging.configs[0]).toMatchObject({ staging: 'chrome', desired: 2 });
    expect(expectResponsesMatchOpenApi(createOpenApiDocument(), allResponses)).toBeGreaterThan(0);
  });
});
