import type { Clock } from '@headroom/core/provider';
import { KEYSTONE_TOKEN_OPERATION } from './openstack-error.js';
import {
  type OpenstackFetch,
  OpenstackHttpError,
  type OpenstackResponse,
  sendOpenstackRequest,
} from './openstack-http.js';

/** Services the adapter calls, by the catalog types it looks for (first found wins). */
export const OPENSTACK_SERVICE_TYPES = {
  compute: ['compute'],
  image: ['image'],
  volume: ['volumev3', 'block-storage', 'volume'],
} as const;

export type OpenstackService = keyof typeof OPENSTACK_SERVICE_TYPES;

/** How to authenticate: the body of Keystone's `POST /v3/auth/tokens`. */
export type KeystoneCredentials =
  | { method: 'applicationCredential'; id: string; secret: string }
  | {
      method: 'password';
      username: string;
      password: string;
      userDomainName: string;
      projectName: string;
      projectDomainName: string;
    };

export interface KeystoneSessionOptions {
  fetch: OpenstackFetch;
  clock: Clock;
  /** Keystone v3 base URL (ends with `/v3`). */
  identityEndpoint: string;
  /** Resolved on each token issue (secrets are resolved lazily and never kept in errors). */
  credentials: () => Promise<KeystoneCredentials>;
  region?: string | undefined;
  endpointInterface: 'public' | 'internal' | 'admin';
  /** Endpoints that replace the catalog's (`%(project_id)s` is replaced). */
  endpointOverrides: Partial<Record<OpenstackService, string>>;
  /** Headers sent to one service on every call (microversions). */
  serviceHeaders: Partial<Record<OpenstackService, Record<string, string>>>;
  timeoutMs: number;
  /** A token is renewed this long before it expires. Default 60 s (or half its lifetime when shorter). */
  renewBeforeExpiryMs?: number;
}

export interface KeystoneRequestOptions {
  service: OpenstackService;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under the service endpoint, e.g. `/servers/detail?limit=100`. */
  path: string;
  body?: unknown;
  abortSignal?: AbortSignal | undefined;
  /** Statuses besides 2xx that resolve instead of rejecting (e.g. 404 on a lookup). */
  acceptStatuses?: readonly number[];
}

/** A Keystone v3 token with its catalog, renewed before expiry and after a 401. */
export interface KeystoneSession {
  request(options: KeystoneRequestOptions): Promise<OpenstackResponse>;
  /** Project the token is scoped to. */
  projectId(abortSignal?: AbortSignal): Promise<string>;
  /** Forgets the token; the next call issues a new one. */
  invalidate(): void;
}

interface CatalogEntry {
  type: string;
  endpoints: Array<{ interface: string; region?: string; region_id?: string; url: string }>;
}

interface IssuedToken {
  token: string;
  renewAtMs: number;
  projectId: string;
  catalog: CatalogEntry[];
}

const defaultRenewBeforeExpiryMs = 60_000;

function authBody(credentials: KeystoneCredentials): unknown {
  if (credentials.method === 'applicationCredential') {
    return {
      auth: {
        identity: {
          methods: ['application_credential'],
          application_credential: { id: credentials.id, secret: credentials.secret },
        },
      },
    };
  }
  return {
    auth: {
      identity: {
        methods: ['password'],
        password: {
          user: {
            name: credentials.username,
            domain: { name: credentials.userDomainName },
            password: credentials.password,
          },
        },
      },
      scope: { project: { name: credentials.projectName, domain: { name: credentials.projectDomainName } } },
    },
  };
}

function substituteProject(url: string, projectId: string): string {
  return url.replace(/[%$]\((project_id|tenant_id)\)s/g, projectId).replace(/\/+$/, '');
}

/** Creates a session; no call is made until the first request. */
export function createKeystoneSession(options: KeystoneSessionOptions): KeystoneSession {
  let current: IssuedToken | undefined;
  let issuing: Promise<IssuedToken> | undefined;

  const issue = async (abortSignal: AbortSignal | undefined): Promise<IssuedToken> => {
    const response = await sendOpenstackRequest({
      fetch: options.fetch,
      method: 'POST',
      url: `${options.identityEndpoint}/auth/tokens`,
      operation: KEYSTONE_TOKEN_OPERATION,
      headers: {},
      body: authBody(await options.credentials()),
      timeoutMs: options.timeoutMs,
      abortSignal,
    });
    const token = response.headers.get('x-subject-token');
    const body = response.body as {
      token?: { expires_at?: string; issued_at?: string; project?: { id?: string }; catalog?: CatalogEntry[] };
    };
    const projectId = body?.token?.project?.id;
    if (!token || !projectId) {
      throw new OpenstackHttpError({
        operation: KEYSTONE_TOKEN_OPERATION,
        status: response.status,
        message: 'Keystone issued no project-scoped token (is the user a member of the project?)',
      });
    }
    const now = options.clock.now();
    const expiresAtMs = Date.parse(body.token?.expires_at ?? '') || now + 3_600_000;
    const issuedAtMs = Date.parse(body.token?.issued_at ?? '') || now;
    const margin = Math.min(
      options.renewBeforeExpiryMs ?? defaultRenewBeforeExpiryMs,
      Math.max(0, (expiresAtMs - issuedAtMs) / 2),
    );
    return { token, renewAtMs: expiresAtMs - margin, projectId, catalog: body.token?.catalog ?? [] };
  };

  const getToken = async (abortSignal: AbortSignal | undefined): Promise<IssuedToken> => {
    if (current && options.clock.now() < current.renewAtMs) return current;
    issuing ??= issue(abortSignal).finally(() => {
      issuing = undefined;
    });
    current = await issuing;
    return current;
  };

  const endpointOf = (token: IssuedToken, service: OpenstackService): string => {
    const override = options.endpointOverrides[service];
    if (override) return substituteProject(override, token.projectId);
    for (const type of OPENSTACK_SERVICE_TYPES[service]) {
      const entry = token.catalog.find((candidate) => candidate.type === type);
      const endpoint = entry?.endpoints.find(
        (candidate) =>
          candidate.interface === options.endpointInterface &&
          (options.region === undefined || (candidate.region_id ?? candidate.region) === options.region),
      );
      if (endpoint) return substituteProject(endpoint.url, token.projectId);
    }
    throw new OpenstackHttpError({
      operation: `catalog ${service}`,
      message: `the catalog has no ${options.endpointInterface} ${OPENSTACK_SERVICE_TYPES[service].join('/')} endpoint${
        options.region ? ` in region ${options.region}` : ''
      }`,
    });
  };

  const send = async (token: IssuedToken, request: KeystoneRequestOptions): Promise<OpenstackResponse> => {
    let base = endpointOf(token, request.service);
    if (request.service === 'image') base = base.replace(/\/v2$/, '');
    return sendOpenstackRequest({
      fetch: options.fetch,
      method: request.method,
      url: `${base}${request.path}`,
      operation: `${request.method} ${request.service} ${request.path.split('?')[0]}`,
      headers: { 'X-Auth-Token': token.token, ...options.serviceHeaders[request.service] },
      body: request.body,
      timeoutMs: options.timeoutMs,
      abortSignal: request.abortSignal,
      ...(request.acceptStatuses ? { acceptStatuses: request.acceptStatuses } : {}),
    });
  };

  return {
    async request(request) {
      const token = await getToken(request.abortSignal);
      try {
        return await send(token, request);
      } catch (error) {
        // A revoked or expired token: issue a new one and retry once.
        if (!OpenstackHttpError.isInstance(error) || error.status !== 401) throw error;
        if (current === token) current = undefined;
        try {
          return await send(await getToken(request.abortSignal), request);
        } catch (retryError) {
          if (!OpenstackHttpError.isInstance(retryError) || retryError.status !== 401) throw retryError;
          throw new OpenstackHttpError({
            operation: retryError.operation,
            status: 401,
            message: `refused a freshly issued token (${retryError.message}); do the credential's roles or access rules allow this call?`,
            cause: retryError,
          });
        }
      }
    },
    async projectId(abortSignal) {
      return (await getToken(abortSignal)).projectId;
    },
    invalidate() {
      current = undefined;
    },
  };
}
