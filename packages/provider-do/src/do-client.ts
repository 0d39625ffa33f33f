import { type Clock, collectPages, ProviderApiError, type Timers } from '@headroom/core/provider';
import { DO_PROVIDER_ID, type DoErrorBody, mapDoResponseError, mapDoTransportError } from './do-error.js';

/** The `fetch` the client calls (the global one by default). */
export type DoFetch = (input: string, init: RequestInit) => Promise<Response>;

/** One call of the v2 API. */
export interface DoRequest {
  /** Operation name for errors (`CreateDroplet`). */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under the endpoint, starting with `/v2/`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  abortSignal?: AbortSignal | undefined;
}

/** The narrow seam over the DigitalOcean API v2: one authenticated call, and paged listings. */
export interface DoApiClient {
  /** The parsed JSON body of a 2xx answer (`undefined` for 204). @throws Headroom errors */
  call<T>(request: DoRequest): Promise<T>;
  /** Every item under `key` across all pages (`links.pages.next`). */
  listAll<T>(request: Omit<DoRequest, 'method' | 'body'> & { key: string }): Promise<T[]>;
}

export interface DoApiClientOptions {
  /** API base URL without `/v2`. */
  endpoint: string;
  /** Resolves the token (on first use); never logged. */
  getToken: () => Promise<string>;
  fetch: DoFetch;
  clock: Clock;
  timers: Timers;
  requestTimeoutMs: number;
  maxRateLimitWaitMs: number;
  /** Page size of listings (DigitalOcean allows up to 200). */
  pageSize?: number;
}

interface PagedBody {
  links?: { pages?: { next?: string } };
}

/** Reads `ratelimit-reset` (Unix seconds) as epoch milliseconds. */
function readRateLimitResetMs(headers: Headers): number | undefined {
  const reset = Number(headers.get('ratelimit-reset'));
  return Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/**
 * Creates the API v2 client on `fetch`. Every call carries the bearer token and a timeout. After a
 * 429, or an answer with `ratelimit-remaining: 0`, later calls wait (on the injected timers) until
 * the `ratelimit-reset` instant; the 429 itself fails as a retryable error, since the reconciler
 * owns retries. Listings follow `links.pages.next`, only on the endpoint's own origin.
 */
export function createDoApiClient(options: DoApiClientOptions): DoApiClient {
  const base = new URL(options.endpoint);
  const pageSize = options.pageSize ?? 200;
  let blockedUntilMs = 0;

  const waitForRateLimit = async (operation: string, abortSignal: AbortSignal | undefined) => {
    const waitMs = blockedUntilMs - options.clock.now();
    if (waitMs <= 0) return;
    if (waitMs > options.maxRateLimitWaitMs) {
      throw new ProviderApiError({
        providerId: DO_PROVIDER_ID,
        message: `${operation} not sent: rate limited for ${Math.ceil(waitMs / 1000)} s more (ratelimit-reset)`,
        statusCode: 429,
        code: 'too_many_requests',
        isRetryable: true,
      });
    }
    await options.timers.sleep(waitMs, abortSignal);
  };

  const send = async (request: DoRequest, url: URL): Promise<{ body: unknown }> => {
    const { abortSignal, operation } = request;
    abortSignal?.throwIfAborted();
    await waitForRateLimit(operation, abortSignal);
    const token = await options.getToken();
    const timeout = AbortSignal.timeout(options.requestTimeoutMs);
    const signal = abortSignal ? AbortSignal.any([abortSignal, timeout]) : timeout;
    let response: Response;
    let body: unknown;
    try {
      response = await options.fetch(url.toString(), {
        method: request.method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal,
      });
      body = await readJson(response);
    } catch (error) {
      throw mapDoTransportError({ error, operation, abortSignal });
    }
    const resetMs = readRateLimitResetMs(response.headers);
    if (resetMs !== undefined && (response.status === 429 || response.headers.get('ratelimit-remaining') === '0')) {
      blockedUntilMs = Math.max(blockedUntilMs, resetMs);
    }
    if (!response.ok) {
      throw mapDoResponseError({ statusCode: response.status, body: body as DoErrorBody | undefined, operation });
    }
    return { body };
  };

  const buildUrl = (path: string, query: DoRequest['query']): URL => {
    const url = new URL(path.replace(/^\//, ''), base.href.endsWith('/') ? base : `${base.href}/`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  };

  return {
    async call<T>(request: DoRequest): Promise<T> {
      return (await send(request, buildUrl(request.path, request.query))).body as T;
    },
    listAll<T>(request: Omit<DoRequest, 'method' | 'body'> & { key: string }): Promise<T[]> {
      const first = buildUrl(request.path, { ...request.query, per_page: pageSize });
      return collectPages<T>({
        providerId: DO_PROVIDER_ID,
        ...(request.abortSignal ? { abortSignal: request.abortSignal } : {}),
        fetchPage: async (token) => {
          const url = token === undefined ? first : new URL(token);
          const { body } = await send({ ...request, method: 'GET' }, url);
          const items = (body as Record<string, unknown> | undefined)?.[request.key];
          const next = (body as PagedBody | undefined)?.links?.pages?.next;
          if (next !== undefined && new URL(next).origin !== base.origin) {
            throw new ProviderApiError({
              providerId: DO_PROVIDER_ID,
              message: `${request.operation}: the next page is on another host (${new URL(next).host})`,
              isRetryable: false,
            });
          }
          return { items: Array.isArray(items) ? (items as T[]) : [], nextToken: next };
        },
      });
    },
  };
}
