import { createHash } from 'node:crypto';
import { type Clock, systemClock } from '@headroom/core/provider';
import { parseAuthenticateChallenge } from './parse-authenticate-challenge.js';
import { RegistryError } from './registry-error.js';

/** Media types of manifests, indexes first: what a client that handles multi-arch images accepts. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;

export const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/** Credentials for one registry (the seed's "Docker Registry Username / Password"). */
export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface RegistryClientOptions {
  /** Registry host[:port] (`registry.example.com`, `127.0.0.1:5000`). */
  registry: string;
  credentials?: RegistryCredentials;
  /** Speak plain HTTP (a registry on loopback in tests, a lab registry). Default false: HTTPS. */
  insecureHttp?: boolean;
  fetch?: typeof fetch;
  clock?: Clock;
  /** Per request. Default 30 s. */
  requestTimeoutMs?: number;
}

/** A manifest as stored: its exact bytes (the digest is over them), media type and digest. */
export interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

interface CachedToken {
  token: string;
  expiresAtMs: number;
}

/** The Distribution API (`/v2/`) of one registry, with Bearer-token and Basic authentication. */
export interface RegistryClient {
  readonly registry: string;
  /** The digest a tag (or digest) points at now: `HEAD` of the manifest with the full Accept list. */
  resolveDigest(options: { repository: string; reference: string; abortSignal?: AbortSignal }): Promise<string>;
  getManifest(options: { repository: string; reference: string; abortSignal?: AbortSignal }): Promise<StoredManifest>;
  putManifest(options: {
    repository: string;
    reference: string;
    manifest: StoredManifest;
    abortSignal?: AbortSignal;
  }): Promise<void>;
  hasBlob(options: { repository: string; digest: string; abortSignal?: AbortSignal }): Promise<boolean>;
  getBlob(options: { repository: string; digest: string; abortSignal?: AbortSignal }): Promise<Buffer>;
  /** Uploads a blob in one request (`POST` upload session, then `PUT ?digest=`). */
  putBlob(options: { repository: string; digest: string; bytes: Buffer; abortSignal?: AbortSignal }): Promise<void>;
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const encodeRepository = (repository: string) => repository.split('/').map(encodeURIComponent).join('/');

/**
 * Creates a client; nothing is sent until the first call.
 * Length: the returned methods (each short) share one token cache and fetch wrapper in closure.
 */
export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const fetchFunction = options.fetch ?? fetch;
  const clock = options.clock ?? systemClock;
  const base = `${options.insecureHttp ? 'http' : 'https'}://${options.registry}`;
  const tokens = new Map<string, CachedToken>();
  /** The authorization that last worked per scope, sent up front until it expires. */
  const authorizations = new Map<string, { value: string; expiresAtMs: number }>();
  const basic = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`
    : undefined;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;

  const signalFor = (abortSignal: AbortSignal | undefined) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    return abortSignal ? AbortSignal.any([abortSignal, timeout]) : timeout;
  };

  async function send(url: string, init: RequestInit, abortSignal: AbortSignal | undefined): Promise<Response> {
    try {
      return await fetchFunction(url, { ...init, signal: signalFor(abortSignal) });
    } catch (error) {
      abortSignal?.throwIfAborted();
      throw new RegistryError({
        registry: options.registry,
        message: `cannot reach ${url}`,
        retryable: true,
        cause: error,
      });
    }
  }

  /** A Bearer token for the challenge's scope, from cache or from the token service. */
  async function bearerToken(
    challenge: Record<string, string>,
    scope: string,
    abortSignal: AbortSignal | undefined,
  ): Promise<CachedToken> {
    const realm = challenge.realm;
    if (!realm) throw new RegistryError({ registry: options.registry, message: 'Bearer challenge without realm' });
    const wanted = challenge.scope ?? scope;
    const key = `${realm} ${challenge.service ?? ''} ${wanted}`;
    const cached = tokens.get(key);
    if (cached && cached.expiresAtMs > clock.now()) return cached;
    const url = new URL(realm);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    url.searchParams.set('scope', wanted);
    const response = await send(url.href, { headers: basic ? { authorization: basic } : {} }, abortSignal);
    if (!response.ok) throw await RegistryError.fromResponse(options.registry, response, 'token request refused');
    const body = (await response.json()) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError({ registry: options.registry, message: 'token service answered no token' });
    const lifetimeSeconds = Math.min(Math.max(body.expires_in ?? 60, 10), 3600);
    const cachedToken = { token, expiresAtMs: clock.now() + (lifetimeSeconds - 5) * 1000 };
    tokens.set(key, cachedToken);
    return cachedToken;
  }

  /** Sends a request; on a 401 challenge, authenticates as it asks and sends once more. */
  async function request(call: {
    method: string;
    path: string;
    scope: string;
    headers?: Record<string, string>;
    body?: Buffer;
    abortSignal: AbortSignal | undefined;
    /** Absolute URL (an upload location) instead of `path`. */
    url?: string;
  }): Promise<Response> {
    const url = call.url ?? `${base}${call.path}`;
    const init = (authorization: string | undefined): RequestInit => ({
      method: call.method,
      headers: { ...call.headers, ...(authorization ? { authorization } : {}) },
      ...(call.body ? { body: call.body } : {}),
      redirect: 'follow',
    });
    const remembered = authorizations.get(call.scope);
    const cachedAuthorization = remembered && remembered.expiresAtMs > clock.now() ? remembered.value : undefined;
    let response = await send(url, init(cachedAuthorization), call.abortSignal);
    if (response.status !== 401) return response;
    await response.body?.cancel();
    const challenge = parseAuthenticateChallenge(response.headers.get('www-authenticate') ?? '');
    let authorization: string;
    if (challenge?.scheme === 'bearer') {
      const token = await bearerToken(challenge.parameters, call.scope, call.abortSignal);
      authorization = `Bearer ${token.token}`;
      authorizations.set(call.scope, { value: authorization, expiresAtMs: token.expiresAtMs });
    } else if (challenge?.scheme === 'basic' && basic) {
      authorization = basic;
      authorizations.set(call.scope, { value: basic, expiresAtMs: Number.POSITIVE_INFINITY });
    } else {
      throw new RegistryError({
        registry: options.registry,
        statusCode: 401,
        message: basic ? 'authentication refused' : 'the registry needs credentials (username and password)',
      });
    }
    response = await send(url, init(authorization), call.abortSignal);
    if (response.status === 401) {
      await response.body?.cancel();
      throw new RegistryError({ registry: options.registry, statusCode: 401, message: 'authentication refused' });
    }
    return response;
  }

  const pullScope = (repository: string) => `repository:${repository}:pull`;
  const pushScope = (repository: string) => `repository:${repository}:pull,push`;
  const manifestPath = (repository: string, reference: string) =>
    `/v2/${encodeRepository(repository)}/manifests/${encodeURIComponent(reference)}`;
  const blobPath = (repository: string, digest: string) =>
    `/v2/${encodeRepository(repository)}/blobs/${encodeURIComponent(digest)}`;
  const accept = { accept: MANIFEST_MEDIA_TYPES.join(', ') };

  const expectOk = async (response: Response, what: string) => {
    if (!response.ok) throw await RegistryError.fromResponse(options.registry, response, what);
  };

  return {
    registry: options.registry,
    async getManifest({ repository, reference, abortSignal }) {
      const response = await request({
        method: 'GET',
        path: manifestPath(repository, reference),
        scope: pullScope(repository),
        headers: accept,
        abortSignal,
      });
      await expectOk(response, `manifest ${repository}:${reference}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      const digest = sha256Digest(bytes);
      const mediaType =
        response.headers.get('content-type')?.split(';')[0]?.trim() ??
        ((JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType as string);
      if (reference.startsWith('sha256:') && reference !== digest) {
        throw new RegistryError({
          registry: options.registry,
          message: `manifest ${repository}@${reference} has digest ${digest}: refusing a tampered manifest`,
        });
      }
      return { bytes, mediaType, digest };
    },
    async resolveDigest({ repository, reference, abortSignal }) {
      const response = await request({
        method: 'HEAD',
        path: manifestPath(repository, reference),
        scope: pullScope(repository),
        headers: accept,
        abortSignal,
      });
      await expectOk(response, `manifest ${repository}:${reference}`);
      const digest = response.headers.get('docker-content-digest');
      if (digest) return digest;
      return (await this.getManifest({ repository, reference, ...(abortSignal ? { abortSignal } : {}) })).digest;
    },
    async putManifest({ repository, reference, manifest, abortSignal }) {
      const response = await request({
        method: 'PUT',
        path: manifestPath(repository, reference),
        scope: pushScope(repository),
        headers: { 'content-type': manifest.mediaType },
        body: manifest.bytes,
        abortSignal,
      });
      await expectOk(response, `push of manifest ${repository}:${reference}`);
      await response.body?.cancel();
    },
    async hasBlob({ repository, digest, abortSignal }) {
      const response = await request({
        method: 'HEAD',
        path: blobPath(repository, digest),
        scope: pullScope(repository),
        abortSignal,
      });
      await response.body?.cancel();
      if (response.status === 404) return false;
      await expectOk(response, `blob ${repository}@${digest}`);
      return true;
    },
    async getBlob({ repository, digest, abortSignal }) {
      const response = await request({
        method: 'GET',
        path: blobPath(repository, digest),
        scope: pullScope(repository),
        abortSignal,
      });
      await expectOk(response, `blob ${repository}@${digest}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      if (digest.startsWith('sha256:') && sha256Digest(bytes) !== digest) {
        throw new RegistryError({ registry: options.registry, message: `blob ${digest} arrived corrupted` });
      }
      return bytes;
    },
    async putBlob({ repository, digest, bytes, abortSignal }) {
      const started = await request({
        method: 'POST',
        path: `/v2/${encodeRepository(repository)}/blobs/uploads/`,
        scope: pushScope(repository),
        abortSignal,
      });
      await expectOk(started, `upload of blob ${digest} to ${repository}`);
      await started.body?.cancel();
      const location = started.headers.get('location');
      if (!location) throw new RegistryError({ registry: options.registry, message: 'upload without a Location' });
      const uploadUrl = new URL(location, base);
      uploadUrl.searchParams.set('digest', digest);
      const finished = await request({
        method: 'PUT',
        path: '',
        url: uploadUrl.href,
        scope: pushScope(repository),
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
        body: bytes,
        abortSignal,
      });
      await expectOk(finished, `upload of blob ${digest} to ${repository}`);
      await finished.body?.cancel();
    },
  };
}
