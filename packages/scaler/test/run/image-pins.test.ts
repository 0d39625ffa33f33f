import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStateStore, emptyPlannerState, type HeadroomConfig, parseConfig } from '@headroom/core';
import { createFakeClock } from '@headroom/core/test';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  describeWithRegistry,
  loopbackClient,
  pushMultiArchImage,
  type RunningRegistry,
  startRegistry,
} from '../../../registry/test/registry-harness.js';
import { createImagePins, IMAGE_PIN_RETRY_SECONDS, ImagePinError } from '../../src/run/image-pins.js';

const PASSWORD = 'registry-password-5e1f0c';

function captureLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  return {
    lines,
    info: (message: string, fields?: Record<string, unknown>) =>
      lines.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
    warn: (message: string, fields?: Record<string, unknown>) =>
      lines.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
    redact: (text: string) => text.replaceAll(PASSWORD, '[redacted]'),
  };
}

const configFor = (registry: string): HeadroomConfig =>
  parseConfig({
    providers: { cloud: { type: 'fake', maxInstances: 2 } },
    pools: [{ id: 'agents', kind: 'docker-agent', autoscale: [{ id: 'day', provider: 'cloud', agent: { cores: 4 } }] }],
    workspaces: [
      { id: 'app', image: `${registry}/team/app:2`, registry: { url: registry, insecureHttp: true } },
      { id: 'fixed', image: `${registry}/team/app:2`, digest: `sha256:${'0'.repeat(64)}`, registry: { url: registry } },
      { id: 'preloaded', image: 'kasmweb/terminal:1.16.0' },
    ],
  });

describeWithRegistry('service image pins against a real registry', () => {
  let registry: RunningRegistry;
  const push = (content: string) =>
    pushMultiArchImage({
      client: loopbackClient(registry.address),
      repository: 'team/app',
      tag: '2',
      content,
      architectures: ['amd64', 'arm64'],
    }).then((image) => image.index.digest);
  const directory = mkdtempSync(join(tmpdir(), 'headroom-image-pins-'));

  beforeAll(async () => {
    registry = await startRegistry();
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
  });

  test('pins at the first resolution, keeps the pin when the tag moves, and moves it only on a roll', async () => {
    const first = await push('first');
    const store = createMemoryStateStore();
    const logger = captureLogger();
    const pins = createImagePins({
      config: () => configFor(registry.address),
      configDirectory: directory,
      store,
      logger,
      clock: createFakeClock({ startMs: 0 }),
    });
    // Only the workspace with a registry and no digest in the config is pinned by the service.
    expect(await pins.current()).toEqual({ app: first });
    const second = await push('second');
    expect(second).not.toBe(first);
    expect(await pins.current()).toEqual({ app: first });
    expect(await pins.roll('app')).toEqual({ workspace: 'app', previous: first, digest: second });
    expect(await pins.current()).toEqual({ app: second });
    expect(logger.lines.map((line) => line.message)).toEqual(['image pinned', 'image rolled']);
  });

  test('stored pins survive a restart: a new service uses them without resolving again', async () => {
    const stored = `sha256:${'e'.repeat(64)}`;
    const store = createMemoryStateStore();
    await store.putPlannerState({ epoch: 1, state: { ...emptyPlannerState(), imagePins: { app: stored } } });
    const pins = createImagePins({
      config: () => configFor(registry.address),
      configDirectory: directory,
      store,
      logger: captureLogger(),
      clock: createFakeClock({ startMs: 0 }),
    });
    expect(await pins.current()).toEqual({ app: stored });
  });

  test('a roll names what it cannot do; a registry that is down is logged without credentials and retried later', async () => {
    const clock = createFakeClock({ startMs: 0 });
    const logger = captureLogger();
    const down = '127.0.0.1:9';
    const config = parseConfig({
      ...configFor(registry.address),
      workspaces: [
        {
          id: 'app',
          image: `${down}/team/app:2`,
          registry: { url: down, insecureHttp: true, username: 'ann', password: PASSWORD },
        },
        { id: 'preloaded', image: 'kasmweb/terminal:1.16.0' },
      ],
    });
    const pins = createImagePins({
      config: () => config,
      configDirectory: directory,
      store: createMemoryStateStore(),
      logger,
      clock,
    });
    expect(await pins.current()).toEqual({});
    expect(await pins.current()).toEqual({});
    expect(logger.lines.filter((line) => line.message === 'image pin failed')).toHaveLength(1);
    await clock.advanceTo(IMAGE_PIN_RETRY_SECONDS * 1000);
    await pins.current();
    expect(logger.lines.filter((line) => line.message === 'image pin failed')).toHaveLength(2);
    expect(JSON.stringify(logger.lines)).not.toContain(PASSWORD);
    for (const [workspace, status] of [
      ['missing', 404],
      ['preloaded', 409],
      ['app', 502],
    ] as const) {
      const error = await pins.roll(workspace).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ImagePinError);
      expect((error as ImagePinError).status).toBe(status);
      expect((error as ImagePinError).message).not.toContain(PASSWORD);
    }
  });
});
