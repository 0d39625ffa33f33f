import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '@headroom/core';
import { formatJson } from '../format-json.js';
import type { JsonLogger } from './json-logger.js';
import type { TlsMaterial } from './load-tls-material.js';

/** What a route handler returns: a status and a JSON body (or text for metrics). */
export interface ApiResponse {
  status: number;
  body?: unknown;
  text?: string;
  contentType?: string;
}

export interface ApiRequest<Principal = unknown> {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body (undefined when empty). */
  body: unknown;
  remoteAddress: string;
  /** Whether the request carries the configured API bearer token. */
  hasApiToken: boolean;
  bearerToken: string | undefined;
  /** What the route's `authorize` returned (custom access only). */
  principal: Principal;
}

/** Who may call a route: anyone, readers (token unless reads are public) or writers (token). */
export type RouteAccess = 'open' | 'read' | 'write' | 'custom';

// biome-ignore lint/suspicious/noExplicitAny: routes of different principals live in one list
export interface Route<Principal = any> {
  method: 'GET' | 'PUT' | 'POST';
  /** `/api/v1/instances/:id/report` style. */
  path: string;
  access: RouteAccess;
  /**
   * `custom` access: decides from the headers, path and query, BEFORE the body is read; throws an
   * HttpError (401, 404, ...) to refuse. What it returns is the handler's `request.principal`.
   */
  authorize?(request: Omit<ApiRequest, 'body' | 'principal'>): Promise<Principal> | Principal;
  /** Largest accepted body; larger ones get 413 before being read. Default 1 MiB. */
  maxBodyBytes?: number;
  handle(request: ApiRequest<Principal>): Promise<ApiResponse> | ApiResponse;
}

/** Server limits; the defaults suit an API behind a balancer. */
export interface HttpLimits {
  /** Time to receive the request headers. Default 10 s. */
  headersTimeoutMs: number;
  /** Time to receive the whole request. Default 30 s. */
  requestTimeoutMs: number;
  /** How often silent connections are checked against the two timeouts. Default 1 s. */
  connectionsCheckingIntervalMs: number;
  /** Idle keep-alive connections are closed after this. Default 5 s. */
  keepAliveTimeoutMs: number;
  /** Connections open at once; more are closed on accept. Default 1024. */
  maxConnections: number;
}

const DEFAULT_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  connectionsCheckingIntervalMs: 1000,
  keepAliveTimeoutMs: 5000,
  maxConnections: 1024,
};
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface HttpApiOptions {
  routes: Route[];
  logger: JsonLogger;
  /** Current API settings (they may change on reload). */
  access: () => { token?: string; publicReadOnly: boolean };
  limits?: Partial<HttpLimits>;
  /** Serve HTTPS with this certificate and key (same routes, limits and timeouts). */
  tls?: TlsMaterial;
}

export class HttpError extends Error {
  readonly status: number;
  readonly details: unknown;
  constructor(options: { status: number; message: string; details?: unknown }) {
    super(options.message);
    this.status = options.status;
    this.details = options.details;
  }
}

function compile(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path.replace(/:([a-z]+)/gi, (_match, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { pattern: new RegExp(`^${source}$`), names };
}

/** The token of an `Authorization: Bearer …` header; the scheme is case-insensitive (RFC 9110). */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  return match?.[1];
}

function decodeParameter(name: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new HttpError({ status: 400, message: `path parameter ${name}: invalid percent-encoding` });
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new HttpError({ status: 413, message: `request body larger than ${maxBytes} bytes` });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError({ status: 413, message: `request body larger than ${maxBytes} bytes` });
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError({ status: 400, message: 'request body is not valid JSON' });
  }
}

/** A small JSON HTTP server: routing, bearer-token access, errors as JSON, one log line per request. */
export interface HttpApi {
  listen(options: { host: string; port: number }): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
  readonly server: Server;
  /** `https` when started with `tls`. */
  readonly protocol: 'http' | 'https';
  /** Serves new connections with this certificate and key (HTTPS only; open connections keep theirs). */
  updateTls(material: TlsMaterial): void;
}

export function createHttpApi(options: HttpApiOptions): HttpApi {
  const routes = options.routes.map((route) => ({ route, ...compile(route.path) }));
  const limits = { ...DEFAULT_LIMITS, ...options.limits };

  const send = (response: ServerResponse, result: ApiResponse) => {
    const text = result.text ?? formatJson(result.body ?? {});
    response.writeHead(result.status, {
      'content-type':
        result.contentType ??
        (result.text !== undefined ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8'),
      'cache-control': 'no-store',
      ...(result.status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
      ...(result.status === 503 ? { 'retry-after': '5' } : {}),
    });
    response.end(text);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const started = Date.now();
    const method = request.method ?? 'GET';
    let url = new URL('http://localhost/');
    let status = 500;
    let bodyRead = method !== 'PUT' && method !== 'POST';
    try {
      try {
        url = new URL(request.url ?? '/', 'http://localhost');
      } catch {
        throw new HttpError({ status: 400, message: 'invalid request target' });
      }
      const candidates = routes.filter((entry) => entry.pattern.test(url.pathname));
      const match = candidates.find(
        (entry) => entry.route.method === method || (method === 'HEAD' && entry.route.method === 'GET'),
      );
      if (!match) {
        throw candidates.length > 0
          ? new HttpError({ status: 405, message: `${method} not allowed on ${url.pathname}` })
          : new HttpError({ status: 404, message: `no endpoint ${url.pathname}` });
      }
      const values = match.pattern.exec(url.pathname)?.slice(1) ?? [];
      const params = Object.fromEntries(
        match.names.map((name, index) => [name, decodeParameter(name, values[index] ?? '')]),
      );
      const bearerToken = bearerTokenOf(request.headers.authorization);
      const access = options.access();
      const hasApiToken =
        access.token !== undefined && bearerToken !== undefined && sameSecret(bearerToken, access.token);
      const route = match.route;
      if ((route.access === 'write' || (route.access === 'read' && !access.publicReadOnly)) && !hasApiToken) {
        if (access.token === undefined && route.access === 'write') {
          throw new HttpError({ status: 403, message: 'mutating endpoints are disabled: api.token is not configured' });
        }
        throw new HttpError({ status: 401, message: 'a valid bearer token is required' });
      }
      const head = {
        method,
        path: url.pathname,
        query: url.searchParams,
        params,
        headers: request.headers,
        remoteAddress: request.socket.remoteAddress ?? '',
        hasApiToken,
        bearerToken,
      };
      // Authentication comes before the body is read: an anonymous caller cannot make us buffer anything.
      const principal = route.access === 'custom' && route.authorize ? await route.authorize(head) : undefined;
      const body = bodyRead ? undefined : await readBody(request, route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
      bodyRead = true;
      const result = await route.handle({ ...head, body, principal });
      status = result.status;
      send(response, result);
    } catch (error) {
      // An unread body is not drained: the connection is closed after the answer.
      if (!bodyRead) response.shouldKeepAlive = false;
      if (error instanceof HttpError) {
        status = error.status;
        send(response, {
          status,
          body: { error: error.message, ...(error.details !== undefined ? { details: error.details } : {}) },
        });
      } else if (ConfigError.isInstance(error)) {
        status = 400;
        send(response, { status, body: { error: 'invalid request body', issues: error.issues } });
      } else {
        status = 500;
        options.logger.error('request failed', { method, path: url.pathname, error });
        send(response, { status, body: { error: 'internal error' } });
      }
    } finally {
      // The path only: query strings may carry tokens.
      options.logger.debug('http request', { method, path: url.pathname, status, durationMs: Date.now() - started });
    }
  };

  const serverOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  };
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch(() => response.destroy());
  };
  const httpsServer: HttpsServer | undefined = options.tls
    ? createHttpsServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }, listener)
    : undefined;
  const server: Server = httpsServer ?? createServer(serverOptions, listener);
  server.maxConnections = limits.maxConnections;

  return {
    server,
    protocol: httpsServer ? 'https' : 'http',
    updateTls(material) {
      httpsServer?.setSecureContext({ cert: material.cert, key: material.key });
    },
    listen({ host, port }) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          resolve({ host: address.address, port: address.port });
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
    },
  };
}
