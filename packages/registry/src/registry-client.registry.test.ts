import { backupRepositoryFor, parseImageReference } from '@headroom/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  loopbackClient,
  pushImageManifest,
  pushMultiArchImage,
  type RunningRegistry,
  registryAvailable,
  registryMissingMessage,
  startRegistry,
  startTokenServer,
  type TokenServer,
} from '../test/registry-harness.js';
import { mirrorImage } from './mirror-image.js';
import { RegistryError } from './registry-error.js';

// Against Debian's docker-registry (CNCF distribution) on loopback; images are made in code.
if (!registryAvailable && process.env.CI) {
  test('the registry is available', () => {
    throw new Error(registryMissingMessage);
  });
} else if (!registryAvailable) {
  console.warn(`registry tests skipped: ${registryMissingMessage}`);
  describe.skip(`registry client (skipped: ${registryMissingMessage})`, () => {
    test('registry', () => undefined);
  });
} else {
  describe('registry client against a real registry', () => {
    let source: RunningRegistry;
    let backup: RunningRegistry;
    let tokens: TokenServer;
    const credentials = { username: 'mirror', password: 'correct horse battery' };

    beforeAll(async () => {
      tokens = await startTokenServer(credentials);
      [source, backup] = await Promise.all([startRegistry(), startRegistry({ tokenAuth: tokens.auth })]);
    }, 60_000);
    afterAll(async () => {
      await Promise.all([source?.stop(), backup?.stop()]);
      await tokens?.stop();
    });

    test('resolves a tag of a single manifest, an OCI index and a Docker manifest list to their digests', async () => {
      const client = loopbackClient(source.address);
      const single = await pushImageManifest({
        client,
        repository: 'kasm/single',
        architecture: 'amd64',
        content: 'one',
      });
      await client.putManifest({ repository: 'kasm/single', reference: '1.0', manifest: single });
      const oci = await pushMultiArchImage({
        client,
        repository: 'kasm/chrome',
        tag: '1.16',
        content: 'chrome',
        architectures: ['amd64', 'arm64'],
      });
      const docker = await pushMultiArchImage({
        client,
        repository: 'kasm/firefox',
        tag: 'latest',
        content: 'firefox',
        architectures: ['amd64', 'arm64'],
        mediaType: 'docker',
      });
      expect(await client.resolveDigest({ repository: 'kasm/single', reference: '1.0' })).toBe(single.digest);
      expect(await client.resolveDigest({ repository: 'kasm/chrome', reference: '1.16' })).toBe(oci.index.digest);
      expect(await client.resolveDigest({ repository: 'kasm/firefox', reference: 'latest' })).toBe(docker.index.digest);
      const fetched = await client.getManifest({ repository: 'kasm/firefox', reference: 'latest' });
      expect(fetched.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
      expect(fetched.bytes.equals(docker.index.bytes)).toBe(true);
    });

    test('follows a tag moved between two digests', async () => {
      const client = loopbackClient(source.address);
      const first = await pushImageManifest({
        client,
        repository: 'kasm/moving',
        architecture: 'amd64',
        content: 'v1',
      });
      const second = await pushImageManifest({
        client,
        repository: 'kasm/moving',
        architecture: 'amd64',
        content: 'v2',
      });
      await client.putManifest({ repository: 'kasm/moving', reference: 'stable', manifest: first });
      expect(await client.resolveDigest({ repository: 'kasm/moving', reference: 'stable' })).toBe(first.digest);
      await client.putManifest({ repository: 'kasm/moving', reference: 'stable', manifest: second });
      expect(await client.resolveDigest({ repository: 'kasm/moving', reference: 'stable' })).toBe(second.digest);
      expect(first.digest).not.toBe(second.digest);
    });

    test('an unknown tag is a RegistryError naming the manifest and the registry code', async () => {
      const client = loopbackClient(source.address);
      const error = await client.resolveDigest({ repository: 'kasm/none', reference: 'x' }).catch((caught) => caught);
      expect(error).toBeInstanceOf(RegistryError);
      expect(error.statusCode).toBe(404);
      expect(error.retryable).toBe(false);
    });

    test('token auth: without credentials the registry is refused, with them a token is fetched once per scope', async () => {
      const anonymous = loopbackClient(backup.address);
      const refused = await anonymous.resolveDigest({ repository: 'x/y', reference: 'z' }).catch((caught) => caught);
      expect(refused).toBeInstanceOf(RegistryError);
      expect(refused.statusCode).toBe(401);
      const wrong = loopbackClient(backup.address, { username: 'mirror', password: 'wrong' });
      const denied = await wrong.resolveDigest({ repository: 'x/y', reference: 'z' }).catch((caught) => caught);
      expect(denied).toBeInstanceOf(RegistryError);
      expect(String(denied.message)).not.toContain('wrong');

      const client = loopbackClient(backup.address, credentials);
      const pushed = await pushImageManifest({
        client,
        repository: 'auth/app',
        architecture: 'amd64',
        content: 'auth',
      });
      await client.putManifest({ repository: 'auth/app', reference: 'v1', manifest: pushed });
      const grantsBefore = tokens.grants.filter((grant) => grant.authorized).length;
      expect(await client.resolveDigest({ repository: 'auth/app', reference: 'v1' })).toBe(pushed.digest);
      expect(await client.resolveDigest({ repository: 'auth/app', reference: 'v1' })).toBe(pushed.digest);
      expect(tokens.grants.filter((grant) => grant.authorized).length - grantsBefore).toBe(1);
    });

    test('mirrors an index with both architectures to the backup registry under its source path', async () => {
      const sourceClient = loopbackClient(source.address);
      const image = await pushMultiArchImage({
        client: sourceClient,
        repository: 'kasm/desktop',
        tag: '1.16.0',
        content: 'desktop',
        architectures: ['amd64', 'arm64'],
      });
      const backupClient = loopbackClient(backup.address, credentials);
      const reference = parseImageReference(`${source.address}/kasm/desktop:1.16.0`);
      const repository = backupRepositoryFor(reference, { registry: backup.address, repositoryPrefix: 'mirror' });
      expect(repository).toBe(`mirror/${source.address.replace(':', '-')}/kasm/desktop`);

      const result = await mirrorImage({
        source: { client: sourceClient, repository: 'kasm/desktop', reference: '1.16.0' },
        target: { client: backupClient, repository },
      });
      expect(result).toEqual({ digest: image.index.digest, manifestsCopied: 3, blobsCopied: 4, blobsSkipped: 0 });
      expect(await backupClient.resolveDigest({ repository, reference: '1.16.0' })).toBe(image.index.digest);
      for (const child of image.children) {
        const copy = await backupClient.getManifest({ repository, reference: child.digest });
        expect(copy.bytes.equals(child.bytes)).toBe(true);
      }

      const again = await mirrorImage({
        source: { client: sourceClient, repository: 'kasm/desktop', reference: '1.16.0' },
        target: { client: backupClient, repository },
      });
      expect(again).toMatchObject({ blobsCopied: 0, blobsSkipped: 4 });
    });
  });
}
