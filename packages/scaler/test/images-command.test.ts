import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  loopbackClient,
  pushMultiArchImage,
  type RunningRegistry,
  registryAvailable,
  registryMissingMessage,
  startRegistry,
  startTokenServer,
  type TokenServer,
} from '../../registry/test/registry-harness.js';
import { cliPath, repositoryRoot } from './run-cli.js';

// The token server runs in this process, so the CLI runs asynchronously (spawnSync would block it).
const run = async (args: string[], env: Record<string, string> = {}) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cliPath, ...args], {
      cwd: repositoryRoot,
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
};

if (!registryAvailable && process.env.CI) {
  test('the registry is available', () => {
    throw new Error(registryMissingMessage);
  });
} else if (!registryAvailable) {
  describe.skip(`headroom images (skipped: ${registryMissingMessage})`, () => {
    test('registry', () => undefined);
  });
} else {
  describe('headroom images against real registries', () => {
    let source: RunningRegistry;
    let backup: RunningRegistry;
    let tokens: TokenServer;
    let configPath: string;
    let digest: string;
    const credentials = { username: 'mirror', password: 'backup-secret-value' };

    beforeAll(async () => {
      tokens = await startTokenServer(credentials);
      [source, backup] = await Promise.all([startRegistry(), startRegistry({ tokenAuth: tokens.auth })]);
      const image = await pushMultiArchImage({
        client: loopbackClient(source.address),
        repository: 'kasm/chrome',
        tag: '1.16.0',
        content: 'chrome',
        architectures: ['amd64', 'arm64'],
      });
      digest = image.index.digest;
      const folder = mkdtempSync(join(tmpdir(), 'headroom-images-'));
      writeFileSync(join(folder, 'backup-password'), `${credentials.password}\n`);
      configPath = join(folder, 'headroom.yaml');
      writeFileSync(
        configPath,
        `providers:
  cloud: { type: fake, maxInstances: 2 }
pools:
  - { id: agents, kind: docker-agent, autoscale: [{ id: day, provider: cloud, agent: { cores: 4 } }] }
workspaces:
  - { id: chrome, image: "${source.address}/kasm/chrome:1.16.0", registry: { url: "${source.address}", insecureHttp: true } }
  - { id: pinned, image: "${source.address}/kasm/chrome:1.16.0", digest: "sha256:${'0'.repeat(64)}", registry: { url: "${source.address}", insecureHttp: true } }
imageMirror: { registry: "${backup.address}", repositoryPrefix: mirror, username: mirror, password: { file: backup-password }, insecureHttp: true }
`,
      );
    }, 60_000);
    afterAll(async () => {
      await Promise.all([source?.stop(), backup?.stop()]);
      await tokens?.stop();
    });

    test('resolve prints each workspace digest and whether its pin still holds', async () => {
      const result = await run(['images', 'resolve', '--config', configPath, '--json']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const { workspaces } = JSON.parse(result.stdout);
      expect(workspaces).toEqual([
        expect.objectContaining({
          workspace: 'chrome',
          digest,
          pinned: null,
          status: `not pinned: pin it with digest: ${digest}`,
        }),
        expect.objectContaining({
          workspace: 'pinned',
          digest,
          status: expect.stringMatching(/^pinned to sha256:0+; the tag now points at/),
        }),
      ]);
    });

    test('mirror copies the index with both architectures under the source path; the password stays out of the output', async () => {
      const result = await run(['images', 'mirror', '--config', configPath, '--workspace', 'chrome', '--json']);
      expect(result.code).toBe(0);
      expect(result.stdout + result.stderr).not.toContain(credentials.password);
      const [copy] = JSON.parse(result.stdout).workspaces;
      expect(copy).toMatchObject({ digest, manifestsCopied: 3, blobsCopied: 4 });
      const repository = `mirror/${source.address.replace(':', '-')}/kasm/chrome`;
      expect(copy.target).toBe(`${backup.address}/${repository}`);
      const backupClient = loopbackClient(backup.address, credentials);
      expect(await backupClient.resolveDigest({ repository, reference: '1.16.0' })).toBe(digest);
    });

    test('an unreachable registry is reported per workspace with exit 1; bad arguments exit 2', async () => {
      const unreachable = join(mkdtempSync(join(tmpdir(), 'headroom-images-')), 'down.yaml');
      writeFileSync(
        unreachable,
        'workspaces:\n  - { id: gone, image: "127.0.0.1:1/x/y:1", registry: { url: "127.0.0.1:1", insecureHttp: true } }\n',
      );
      const down = await run(['images', 'resolve', '--config', unreachable]);
      expect(down.code).toBe(1);
      expect(down.stdout).toContain('cannot reach');
      const bad = await run(['images', 'tidy', '--config', configPath]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('the first argument must be resolve or mirror');
    });
  });
}
