import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ConformanceFault } from './conformance-runner.js';
import { loadTestTlsCertificate } from './test-tls-certificate.js';

/** One request as a fake API handler sees it. */
export interface FakeApiRequest {
  method: string;
  /** Path without the query string, percent-decoded per segment by the router for `params`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parameters of the route pattern (`/zones/:zone` → `{ zone }`). */
  params: Record<string, string>;
  /** The body as received. */
  rawBody: Buffer;
  /** The body parsed as JSON when it is JSON, else the text; `undefined` when empty. */
  body: unknown;
  /** Name of the route that matched. */
  route: string;
}

/** What a handler answers. An object or array body is sent as JSON; a string or Buffer as is. */
export interface FakeApiResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type FakeApiHandler = (request: FakeApiRequest) => FakeApiResponse | Promise<FakeApiResponse>;

export interface FakeApiRoute {
  /** Used in the request log and by `failNext({ route })`. Default: `METHOD pattern`. */
  name?: string;
  method: string;
  /** Path pattern: literal segments, `:name` for one segment, a trailing `*rest` for the remainder. */
  path: string;
  handler: FakeApiHandler;
}

/** A logged request (headers lower-cased, body parsed as for the handler). */
export interface FakeApiRequestRecord {
  route: string | undefined;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: unknown;
  status: number;
}

export interface CreateFakeApiServerOptions {
  routes: readonly FakeApiRoute[];
  /** Serve HTTPS with the test certificate (see `loadTestTlsCertificate`). Default false. */
  tls?: boolean;
  /**
   * Runs before routing; answering a response refuses the request (e.g. 401 on a bad signature).
   * Runs after the body was read, so signature checks can hash it.
   */
  authenticate?: (request: FakeApiRequest) => FakeApiResponse | undefined | Promise<FakeApiResponse | undefined>;
  /** The cloud's error response for an injected conformance fault. Required to inject by fault name. */
  faultResponse?: (fault: ConformanceFault, request: FakeApiRequest) => FakeApiResponse;
  /** Largest body accepted; larger gets 413. Default 4 MiB. */
  maxBodyBytes?: number;
}

/** A queued fault: a conformance fault name or a literal response. */
export type FakeApiFault = ConformanceFault | FakeApiResponse;

export interface FakeApiServer {
  /** Base URL, `http://127.0.0.1:<port>` or `https://…`, without a trailing slash. */
  url: string;
  host: string;
  port: number;
  /** PEM of the certificate when serving TLS, for clients that take a CA. */
  certificatePem: string | undefined;
  /** Every request so far, oldest first. */
  readonly requests: FakeApiRequestRecord[];
  /**
   * Makes the next `count` (default 1) requests matching `route` (a route name) or `match` answer
   * with the fault instead of reaching the handler.
   */
  failNext(options: {
    route?: string;
    match?: (request: FakeApiRequest) => boolean;
    fault: FakeApiFault;
    count?: number;
  }): void;
  /** Forgets queued faults and the request log. */
  reset(): void;
  close(): Promise<void>;
}

interface CompiledRoute {
  name: string;
  method: string;
  segments: string[];
  handler: FakeApiHandler;
}

interface QueuedFault {
  route: string | undefined;
  match: ((request: FakeApiRequest) => boolean) | undefined;
  fault: FakeApiFault;
  remaining: number;
}

const splitPath = (path: string): string[] => path.split('/').filter((segment) => segment !== '');

function compileRoute(route: FakeApiRoute): CompiledRoute {
  return {
    name: route.name ?? `${route.method.toUpperCase()} ${route.path}`,
    method: route.method.toUpperCase(),
    segments: splitPath(route.path),
    handler: route.handler,
  };
}

/** Matches a path against a route's segments; the decoded parameters, or undefined. */
function matchRoute(route: CompiledRoute, pathSegments: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let index = 0; index < route.segments.length; index++) {
    const pattern = route.segments[index] as string;
    if (pattern.startsWith('*')) {
      params[pattern.slice(1)] = pathSegments.slice(index).map(decodeURIComponent).join('/');
      return params;
    }
    const segment = pathSegments[index];
    if (segment === undefined) return undefined;
    if (pattern.startsWith(':')) params[pattern.slice(1)] = decodeURIComponent(segment);
    else if (pattern !== segment) return undefined;
  }
  return pathSegments.length === route.segments.length ? params : undefined;
}

function parseBody(rawBody: Buffer, contentType: string | undefined): unknown {
  if (rawBody.length === 0) return undefined;
  const text = rawBody.toString('utf8');
  if (contentType?.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

async function readBody(request: IncomingMessage, maxBodyBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, answer: FakeApiResponse): void {
  const headers: Record<string, string> = { ...answer.headers };
  let payload: Buffer | string | undefined;
  if (answer.body === undefined) payload = undefined;
  else if (typeof answer.body === 'string' || Buffer.isBuffer(answer.body)) payload = answer.body;
  else {
    payload = JSON.stringify(answer.body);
    if (!Object.keys(headers).some((key) => key.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
  }
  response.writeHead(answer.status, headers);
  response.end(payload);
}

/**
 * A loopback HTTP(S) server for an adapter's endpoint fake: routes by method and path pattern,
 * parses JSON bodies, logs every request, and answers queued faults before the handler runs.
 * The cloud's API shapes (state, paging, idempotency) live in the handlers; see `paginate` and
 * `createIdempotencyMap` for the usual parts.
 */
export async function createFakeApiServer(options: CreateFakeApiServerOptions): Promise<FakeApiServer> {
  const routes = options.routes.map(compileRoute);
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const requests: FakeApiRequestRecord[] = [];
  let faults: QueuedFault[] = [];
  const certificate = options.tls ? loadTestTlsCertificate() : undefined;

  const takeFault = (request: FakeApiRequest): FakeApiFault | undefined => {
    const queued = faults.find(
      (entry) =>
        entry.remaining > 0 &&
        (entry.route === undefined || entry.route === request.route) &&
        (entry.match === undefined || entry.match(request)),
    );
    if (!queued) return undefined;
    queued.remaining -= 1;
    if (queued.remaining === 0) faults = faults.filter((entry) => entry !== queued);
    return queued.fault;
  };

  const answer = async (incoming: IncomingMessage, request: FakeApiRequest): Promise<FakeApiResponse> => {
    const refused = await options.authenticate?.(request);
    if (refused) return refused;
    const fault = takeFault(request);
    if (fault !== undefined) {
      if (typeof fault !== 'string') return fault;
      if (!options.faultResponse) throw new TypeError(`no faultResponse to answer fault ${fault}`);
      return options.faultResponse(fault, request);
    }
    const pathSegments = splitPath(request.path);
    for (const route of routes) {
      if (route.method !== incoming.method) continue;
      const params = matchRoute(route, pathSegments);
      if (!params) continue;
      return route.handler({ ...request, params, route: route.name });
    }
    return { status: 404, body: { error: `no route for ${incoming.method} ${request.path}` } };
  };

  const routeNameOf = (method: string, path: string): string | undefined => {
    const pathSegments = splitPath(path);
    return routes.find((route) => route.method === method && matchRoute(route, pathSegments))?.name;
  };

  const handle = async (incoming: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
    const method = incoming.method ?? 'GET';
    const rawBody = await readBody(incoming, maxBodyBytes);
    const record: FakeApiRequestRecord = {
      route: undefined,
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: incoming.headers,
      body: undefined,
      status: 0,
    };
    requests.push(record);
    if (rawBody === undefined) {
      record.status = 413;
      send(response, { status: 413, body: { error: 'request body too large' } });
      return;
    }
    let route: string | undefined;
    try {
      route = routeNameOf(method, url.pathname);
    } catch {
      record.status = 400;
      send(response, { status: 400, body: { error: 'bad percent-encoding in the path' } });
      return;
    }
    const request: FakeApiRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      params: {},
      rawBody,
      body: parseBody(rawBody, incoming.headers['content-type']),
      route: route ?? '',
    };
    record.route = route;
    record.body = request.body;
    let result: FakeApiResponse;
    try {
      result = await answer(incoming, request);
    } catch (error) {
      result = { status: 500, body: { error: `fake handler failed: ${(error as Error).message}` } };
    }
    record.status = result.status;
    send(response, result);
  };

  const listener = (incoming: IncomingMessage, response: ServerResponse) => {
    handle(incoming, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, { status: 500, body: { error: String(error) } });
      else response.destroy();
    });
  };
  const server: Server = certificate
    ? createHttpsServer({ key: certificate.keyPem, cert: certificate.certificatePem }, listener)
    : createHttpServer(listener);
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${certificate ? 'https' : 'http'}://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    certificatePem: certificate?.certificatePem,
    requests,
    failNext({ route, match, fault, count = 1 }) {
      faults.push({ route, match, fault, remaining: count });
    },
    reset() {
      faults = [];
      requests.length = 0;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * One page of `items` for a fake listing: `token` is the offset of the previous page's
 * `nextToken` (opaque to clients); `nextToken` is undefined on the last page.
 * @throws RangeError on a token this function did not issue.
 */
export function paginate<Item>(
  items: readonly Item[],
  options: { pageSize: number; token?: string | null | undefined },
): { page: Item[]; nextToken: string | undefined } {
  const offset = options.token ? Number(Buffer.from(options.token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > items.length) throw new RangeError('invalid page token');
  const end = offset + options.pageSize;
  return {
    page: items.slice(offset, end),
    nextToken: end < items.length ? Buffer.from(String(end), 'utf8').toString('base64url') : undefined,
  };
}

/** Remembers the result of a create by its idempotency key (a client token, a request id). */
export interface IdempotencyMap<Value> {
  /** The value of the first call with this key, else runs `create` and remembers its value. */
  once(key: string | undefined, create: () => Value): { value: Value; replayed: boolean };
  clear(): void;
}

export function createIdempotencyMap<Value>(): IdempotencyMap<Value> {
  const values = new Map<string, Value>();
  return {
    once(key, create) {
      if (key !== undefined && values.has(key)) return { value: values.get(key) as Value, replayed: true };
      const value = create();
      if (key !== undefined) values.set(key, value);
      return { value, replayed: false };
    },
    clear() {
      values.clear();
    },
  };
}
