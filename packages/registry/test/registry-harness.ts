import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'vitest';
import { createRegistryClient, type RegistryClient, type StoredManifest, sha256Digest } from '../src/index.js';

/** Debian's `docker-registry` (CNCF distribution 2.8), installed by `.ci/run`. */
export const REGISTRY_BINARY = process.env.HEADROOM_REGISTRY_BINARY ?? '/usr/bin/docker-registry';
export const registryAvailable = existsSync(REGISTRY_BINARY);
export const registryMissingMessage = `no registry binary at ${REGISTRY_BINARY} (apt-get install docker-registry)`;

export interface RunningRegistry {
  /** host:port on 127.0.0.1. */
  address: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitUntilUp(address: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`registry exited early (${child.exitCode}): ${output()}`);
    try {
      const response = await fetch(`http://${address}/v2/`);
      await response.body?.cancel();
      if (response.status === 200 || response.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`registry at ${address} did not come up: ${output()}`);
}

/** Token auth settings of the registry (distribution's `auth.token`). */
export interface RegistryTokenAuth {
  realm: string;
  service: string;
  issuer: string;
  certificateFile: string;
}

/** Starts a throwaway registry on 127.0.0.1 with its storage in a temp folder. */
export async function startRegistry(options: { tokenAuth?: RegistryTokenAuth } = {}): Promise<RunningRegistry> {
  const folder = mkdtempSync(join(tmpdir(), 'headroom-registry-'));
  const address = `127.0.0.1:${await freePort()}`;
  const auth = options.tokenAuth
    ? `auth:\n  token:\n    realm: ${options.tokenAuth.realm}\n    service: ${options.tokenAuth.service}\n    issuer: ${options.tokenAuth.issuer}\n    rootcertbundle: ${options.tokenAuth.certificateFile}\n`
    : '';
  const config = join(folder, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${join(folder, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${address}\n${auth}`,
  );
  const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output = (output + String(chunk)).slice(-4000);
  });
  child.stderr?.on('data', (chunk) => {
    output = (output + String(chunk)).slice(-4000);
  });
  try {
    await waitUntilUp(address, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    address,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

export interface TokenServer {
  auth: RegistryTokenAuth;
  /** Requests the token server answered, with the scope asked for and whether credentials were right. */
  readonly grants: Array<{ scope: string | null; authorized: boolean }>;
  stop(): Promise<void>;
}

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/**
 * A token service for the registry's `auth.token` mode: checks Basic credentials and issues RS256
 * JWTs with the requested access, signed by a self-signed certificate the registry trusts (`x5c`).
 */
export async function startTokenServer(credentials: { username: string; password: string }): Promise<TokenServer> {
  const folder = mkdtempSync(join(tmpdir(), 'headroom-registry-token-'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = join(folder, 'key.pem');
  const certificateFile = join(folder, 'cert.pem');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-new',
      '-key',
      keyFile,
      '-out',
      certificateFile,
      '-days',
      '2',
      '-subj',
      '/CN=headroom-test-token',
    ],
    {
      stdio: 'ignore',
    },
  );
  const certificateDer = Buffer.from(
    execFileSync('openssl', ['x509', '-in', certificateFile, '-outform', 'DER']),
  ).toString('base64');
  const issuer = 'headroom-test-issuer';
  const service = 'headroom-test-registry';
  const grants: TokenServer['grants'] = [];
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const scope = url.searchParams.get('scope');
    const authorized = request.headers.authorization === expected;
    grants.push({ scope, authorized });
    if (!authorized) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
      return;
    }
    const access = (scope ?? '')
      .split(' ')
      .filter(Boolean)
      .map((entry) => {
        const [type, name, actions] = entry.split(':');
        return { type, name, actions: (actions ?? '').split(',') };
      });
    const nowSeconds = Math.floor(Date.now() / 1000);
    const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [certificateDer] }));
    const claims = base64url(
      JSON.stringify({
        iss: issuer,
        sub: credentials.username,
        aud: service,
        exp: nowSeconds + 300,
        nbf: nowSeconds - 10,
        iat: nowSeconds,
        jti: randomBytes(8).toString('hex'),
        access,
      }),
    );
    const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(privateKey).toString('base64url');
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token: `${header}.${claims}.${signature}`, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    auth: { realm: `http://127.0.0.1:${port}/token`, service, issuer, certificateFile },
    grants,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** A client of a loopback registry over plain HTTP. */
export function loopbackClient(address: string, credentials?: { username: string; password: string }): RegistryClient {
  return createRegistryClient({ registry: address, insecureHttp: true, ...(credentials ? { credentials } : {}) });
}

const jsonBytes = (value: unknown) => Buffer.from(JSON.stringify(value));

/** Pushes a one-layer image manifest built in code; returns it (bytes, media type, digest). */
export async function pushImageManifest(options: {
  client: RegistryClient;
  repository: string;
  architecture: string;
  content: string;
  mediaType?: 'oci' | 'docker';
}): Promise<StoredManifest> {
  const { client, repository } = options;
  const docker = options.mediaType === 'docker';
  const layer = Buffer.from(`layer of ${options.content} for ${options.architecture}`);
  const config = jsonBytes({
    architecture: options.architecture,
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [sha256Digest(layer)] },
  });
  for (const blob of [layer, config]) await client.putBlob({ repository, digest: sha256Digest(blob), bytes: blob });
  const mediaType = docker
    ? 'application/vnd.docker.distribution.manifest.v2+json'
    : 'application/vnd.oci.image.manifest.v1+json';
  const bytes = jsonBytes({
    schemaVersion: 2,
    mediaType,
    config: {
      mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json',
      digest: sha256Digest(config),
      size: config.length,
    },
    layers: [
      {
        mediaType: docker
          ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
          : 'application/vnd.oci.image.layer.v1.tar',
        digest: sha256Digest(layer),
        size: layer.length,
      },
    ],
  });
  const manifest = { bytes, mediaType, digest: sha256Digest(bytes) };
  await client.putManifest({ repository, reference: manifest.digest, manifest });
  return manifest;
}

/** Pushes an index over one manifest per architecture and tags it. */
export async function pushMultiArchImage(options: {
  client: RegistryClient;
  repository: string;
  tag: string;
  content: string;
  architectures: readonly string[];
  mediaType?: 'oci' | 'docker';
}): Promise<{ index: StoredManifest; children: StoredManifest[] }> {
  const docker = options.mediaType === 'docker';
  const children: StoredManifest[] = [];
  for (const architecture of options.architectures) {
    children.push(await pushImageManifest({ ...options, architecture }));
  }
  const mediaType = docker
    ? 'application/vnd.docker.distribution.manifest.list.v2+json'
    : 'application/vnd.oci.image.index.v1+json';
  const bytes = jsonBytes({
    schemaVersion: 2,
    mediaType,
    manifests: children.map((child, index) => ({
      mediaType: child.mediaType,
      digest: child.digest,
      size: child.bytes.length,
      platform: { architecture: options.architectures[index], os: 'linux' },
    })),
  });
  const index = { bytes, mediaType, digest: sha256Digest(bytes) };
  await options.client.putManifest({ repository: options.repository, reference: options.tag, manifest: index });
  return { index, children };
}

/**
 * `describe(name, define)` when the registry binary is installed; without it the block is skipped,
 * except in CI, where a missing binary is a failing test.
 */
export function describeWithRegistry(name: string, define: () => void): void {
  if (registryAvailable) describe(name, define);
  else if (process.env.CI) {
    test('the registry is available', () => {
      throw new Error(registryMissingMessage);
    });
  } else describe.skip(`${name} (skipped: ${registryMissingMessage})`, define);
}
