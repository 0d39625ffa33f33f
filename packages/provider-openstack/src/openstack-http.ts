/** The `fetch` the client uses (the global one by default; injectable for tests and proxies). */
export type OpenstackFetch = (url: string, init: RequestInit) => Promise<Response>;

/** A parsed HTTP answer of an OpenStack API. */
export interface OpenstackResponse {
  status: number;
  headers: Headers;
  /** The JSON body, the text when it is not JSON, `undefined` when empty. */
  body: unknown;
}

const name = 'OpenstackHttpError';
const marker = Symbol.for(`headroom.openstack.${name}`);

/**
 * An OpenStack API answered with an error status, or could not be reached (`status` undefined).
 * `message` is the service's own message (Nova's `{"forbidden": {"message": …}}`, Keystone's
 * `{"error": {"message": …}}`), never a request body or a token.
 */
export class OpenstackHttpError extends Error {
  readonly [marker] = true;
  readonly status: number | undefined;
  /** `GET compute /servers/detail`. */
  readonly operation: string;
  /** Seconds from a `Retry-After` header, when present. */
  readonly retryAfterSeconds: number | undefined;
  readonly timedOut: boolean;

  constructor(options: {
    operation: string;
    message: string;
    status?: number;
    retryAfterSeconds?: number;
    timedOut?: boolean;
    cause?: unknown;
  }) {
    super(options.message, { cause: options.cause });
    this.name = name;
    this.operation = options.operation;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.timedOut = options.timedOut ?? false;
  }

  static isInstance(error: unknown): error is OpenstackHttpError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

const maxMessageLength = 500;

/** The service's own error message out of an error body (Nova, Cinder, Keystone, Glance shapes). */
export function extractOpenstackMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    const text = body
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    return text === '' ? undefined : text.slice(0, maxMessageLength);
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  if (typeof record.message === 'string') return record.message.slice(0, maxMessageLength);
  for (const value of Object.values(record)) {
    if (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string') {
      return (value as { message: string }).message.slice(0, maxMessageLength);
    }
  }
  return undefined;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function parseRetryAfter(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/**
 * Sends one JSON request with a timeout. Resolves for 2xx (and for `acceptStatuses`), rejects with
 * an `OpenstackHttpError` otherwise; an abort by the caller rejects with the signal's reason.
 */
export async function sendOpenstackRequest(options: {
  fetch: OpenstackFetch;
  method: string;
  url: string;
  operation: string;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  abortSignal?: AbortSignal | undefined;
  acceptStatuses?: readonly number[];
}): Promise<OpenstackResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, timeout]) : timeout;
  let response: Response;
  try {
    response = await options.fetch(options.url, {
      method: options.method,
      headers: {
        Accept: 'application/json',
        ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal,
    });
  } catch (error) {
    if (options.abortSignal?.aborted) throw options.abortSignal.reason;
    const timedOut = timeout.aborted;
    const code = (error as { cause?: { code?: unknown } })?.cause?.code;
    throw new OpenstackHttpError({
      operation: options.operation,
      message: timedOut
        ? `no answer within ${options.timeoutMs} ms`
        : `cannot reach ${new URL(options.url).host}${typeof code === 'string' ? ` (${code})` : ''}`,
      timedOut,
      cause: error,
    });
  }
  const body = await readBody(response);
  if ((response.status >= 200 && response.status < 300) || options.acceptStatuses?.includes(response.status)) {
    return { status: response.status, headers: response.headers, body };
  }
  const retryAfterSeconds = parseRetryAfter(response.headers);
  throw new OpenstackHttpError({
    operation: options.operation,
    status: response.status,
    message: extractOpenstackMessage(body) ?? `HTTP ${response.status}`,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}
