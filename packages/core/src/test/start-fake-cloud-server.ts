import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, systemClock, systemTimers } from '../clock/clock.js';
import { InsufficientCapacityError } from '../errors/insufficient-capacity-error.js';
import { InvalidProviderConfigError } from '../errors/invalid-provider-config-error.js';
import { ProviderApiError } from '../errors/provider-api-error.js';
import { QuotaExceededError } from '../errors/quota-exceeded-error.js';
import type { DnsRecordType } from '../provider/v1/dns-record.js';
import { createSeededRandom } from '../random/create-seeded-random.js';
import { createFakeCallRunner, type FakeRateLimit } from './fake-call-runner.js';
import { createFakeCloud, type FakeCloud, type FakeCloudSnapshot } from './fake-cloud.js';
import { FAKE_CLOUD_ERROR_STATUS, type FakeCloudErrorBody, type FakeCloudErrorKind } from './fake-cloud-protocol.js';
import {
  createFaultInjector,
  FAKE_FAULTS,
  FAKE_OPERATIONS,
  type FakeFault,
  type FakeFaultRates,
  type FakeOperation,
} from './fake-faults.js';

export interface FakeCloudServerOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Loopback only: `127.0.0.1` (default), `::1` or `localhost`. */
  host?: string;
  /** JSON state file: loaded at start when it exists, rewritten (atomically) after every change. */
  statePath?: string;
  /** Time from create to `running`, in real milliseconds. Default 0. */
  bootDelayMs?: number;
  destroyDelayMs?: number;
  /** Hard cap of live instances per provider id. */
  maxInstances?: number;
  dnsZones?: string[];
  /** Latency of every call. Default 0. */
  latencyMs?: number;
  /** How long a `timeout` fault hangs before answering 504. Default 2 s. */
  timeoutMs?: number;
  /** Seed of the random function behind fault rates. Default 1. */
  seed?: number;
  faultRates?: FakeFaultRates;
  rateLimit?: FakeRateLimit;
  /** Default: the system clock. */
  clock?: Clock;
}

export interface FakeCloudServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  cloud: FakeCloud;
  close(): Promise<void>;
}

const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);
const maxBodyBytes = 1024 * 1024;
const dnsTypes: ReadonlySet<string> = new Set(['A', 'AAAA', 'CNAME']);

class RequestError extends Error {
  constructor(
    readonly kind: FakeCloudErrorKind,
    message: string,
  ) {
    super(message);
  }
}

function loadSnapshot(statePath: string | undefined): FakeCloudSnapshot | undefined {
  if (!statePath || !existsSync(statePath)) return undefined;
  const snapshot = JSON.parse(readFileSync(statePath, 'utf8')) as FakeCloudSnapshot;
  if (snapshot.version !== 1) throw new Error(`unsupported fake cloud state version in ${statePath}`);
  return snapshot;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new RequestError('bad-request', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw new RequestError('bad-request', 'request body must be a JSON object');
  }
}

function requireString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '')
    throw new RequestError('bad-request', `${key} must be a non-empty string`);
  return value;
}

function requireStringRecord(value: unknown, key: string): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RequestError('bad-request', `${key} must be an object of strings`);
  }
  for (const entry of Object.values(value)) {
    if (typeof entry !== 'string') throw new RequestError('bad-request', `${key} must be an object of strings`);
  }
  return value as Record<string, string>;
}

function requireNumber(value: unknown, key: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RequestError('bad-request', `${key} must be a non-negative number`);
  }
  return value;
}

function requireDnsType(value: unknown): DnsRecordType {
  if (typeof value !== 'string' || !dnsTypes.has(value))
    throw new RequestError('bad-request', 'type must be A, AAAA or CNAME');
  return value as DnsRecordType;
}

/** Removes the `[providerId] ` prefix of a Headroom error message; the client adds its own. */
const bareMessage = (message: string) => message.replace(/^\[[^\]]*\]\s*/, '');

function errorBody(error: unknown): FakeCloudErrorBody {
  if (error instanceof RequestError) return { kind: error.kind, message: error.message };
  if (InsufficientCapacityError.isInstance(error)) {
    return { kind: 'insufficient-capacity', message: bareMessage(error.message) };
  }
  if (QuotaExceededError.isInstance(error)) return { kind: 'quota-exceeded', message: bareMessage(error.message) };
  if (InvalidProviderConfigError.isInstance(error)) {
    return {
      kind: 'invalid-config',
      message: bareMessage(error.message),
      ...(error.field !== undefined ? { field: error.field } : {}),
    };
  }
  if (ProviderApiError.isInstance(error)) {
    const kind: FakeCloudErrorKind =
      error.code === 'RequestTimeout' ? 'timeout' : error.statusCode === 429 ? 'throttled' : 'server-error';
    return { kind, message: bareMessage(error.message), ...(error.code !== undefined ? { code: error.code } : {}) };
  }
  return { kind: 'internal', message: 'internal error of the fake cloud' };
}

/**
 * Starts the fake cloud as a loopback HTTP server (see `fake-cloud-protocol.ts` for the routes),
 * with its state in a JSON file so that clients can be killed and restarted against the same
 * cloud, and the server itself restarted on the same file.
 *
 * Length: a factory whose body is the returned object's methods (each short) over shared closure
 * state; splitting it would only thread that state through parameters.
 */
export async function startFakeCloudServer(options: FakeCloudServerOptions = {}): Promise<FakeCloudServer> {
  const host = options.host ?? '127.0.0.1';
  if (!loopbackHosts.has(host)) throw new Error(`the fake cloud listens on loopback only, not ${host}`);
  const clock = options.clock ?? systemClock;
  const snapshot = loadSnapshot(options.statePath);
  const cloud = createFakeCloud({
    clock,
    ...(options.bootDelayMs !== undefined ? { bootDelayMs: options.bootDelayMs } : {}),
    ...(options.destroyDelayMs !== undefined ? { destroyDelayMs: options.destroyDelayMs } : {}),
    ...(options.maxInstances !== undefined ? { maxInstances: options.maxInstances } : {}),
    ...(options.dnsZones !== undefined ? { dnsZones: options.dnsZones } : {}),
    ...(snapshot ? { snapshot } : {}),
  });
  const injector = createFaultInjector({ random: createSeededRandom(options.seed ?? 1) });
  if (options.faultRates) injector.setRates({ rates: options.faultRates });
  const runner = createFakeCallRunner({
    providerId: 'fake-cloud',
    clock,
    timers: systemTimers,
    injector,
    timeoutMs: options.timeoutMs ?? 2_000,
    ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
    ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
  });

  const persist = () => {
    if (!options.statePath) return;
    const temporaryPath = `${options.statePath}.${process.pid}.tmp`;
    writeFileSync(temporaryPath, JSON.stringify(cloud.snapshot()));
    renameSync(temporaryPath, options.statePath);
  };
  persist();

  const send = (response: ServerResponse, status: number, body?: unknown) => {
    if (body === undefined) {
      response.writeHead(status).end();
      return;
    }
    const text = JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  };

  /** Runs a cloud call through latency, rate limit and faults; persists when it changed state. */
  const call = <T>(operation: FakeOperation, perform: () => T, changes: boolean): Promise<T> =>
    runner.run({
      operation,
      abortSignal: undefined,
      perform: () => {
        const result = perform();
        if (changes) persist();
        return result;
      },
    });

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://fake-cloud');
    // `/stats` and `/state` are also served without the version prefix, for scripts.
    const pathname = url.pathname === '/stats' || url.pathname === '/state' ? `/v1${url.pathname}` : url.pathname;
    const segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = request.method ?? 'GET';
    if (segments[0] !== 'v1') throw new RequestError('not-found', `no route ${method} ${url.pathname}`);
    const [, resource, id, collection, itemId, action] = segments;

    if (resource === 'providers' && id && collection === 'instances') {
      const providerId = id;
      if (itemId === undefined && method === 'POST') {
        const body = await readJson(request);
        const shape = body.shape as Record<string, unknown> | undefined;
        if (!shape || typeof shape !== 'object') throw new RequestError('bad-request', 'shape must be an object');
        const input = {
          providerId,
          name: requireString(body, 'name'),
          idempotencyKey: requireString(body, 'idempotencyKey'),
          tags: requireStringRecord(body.tags, 'tags'),
          shape: {
            cores: requireNumber(shape.cores, 'shape.cores'),
            memoryMb: requireNumber(shape.memoryMb, 'shape.memoryMb'),
            gpus: requireNumber(shape.gpus ?? 0, 'shape.gpus'),
          },
          ...(typeof body.startupScript === 'string' ? { startupScript: body.startupScript } : {}),
        };
        send(response, 200, await call('create', () => cloud.createInstance(input).instance, true));
        return;
      }
      if (itemId === undefined && method === 'GET') {
        let tags: Record<string, string> = {};
        const tagsParameter = url.searchParams.get('tags');
        if (tagsParameter) {
          try {
            tags = requireStringRecord(JSON.parse(tagsParameter), 'tags');
          } catch (error) {
            if (error instanceof RequestError) throw error;
            throw new RequestError('bad-request', 'tags must be a JSON object of strings');
          }
        }
        send(response, 200, { instances: await call('list', () => cloud.listInstances({ providerId, tags }), false) });
        return;
      }
      if (itemId !== undefined && action === undefined && method === 'DELETE') {
        await call('destroy', () => cloud.destroyInstance({ providerId, instanceId: itemId }), true);
        send(response, 204);
        return;
      }
      if (itemId !== undefined && action === 'record' && method === 'GET') {
        const record = cloud.getInstanceRecord({ providerId, instanceId: itemId });
        if (!record) throw new RequestError('not-found', `instance ${itemId} not found`);
        send(response, 200, record);
        return;
      }
      if (itemId !== undefined && action === 'fail' && method === 'POST') {
        cloud.failInstance({ providerId, instanceId: itemId });
        persist();
        send(response, 204);
        return;
      }
    }

    if (resource === 'dns' && id === 'zones' && collection && itemId === 'records' && action === undefined) {
      const zone = collection;
      if (method === 'PUT') {
        const body = await readJson(request);
        const record = {
          zone,
          name: requireString(body, 'name'),
          type: requireDnsType(body.type),
          value: requireString(body, 'value'),
          ttlSeconds: requireNumber(body.ttlSeconds, 'ttlSeconds'),
        };
        await call('dns-upsert', () => cloud.upsertRecord(record), true);
        send(response, 204);
        return;
      }
      if (method === 'DELETE') {
        const name = url.searchParams.get('name');
        if (!name) throw new RequestError('bad-request', 'name is required');
        const type = requireDnsType(url.searchParams.get('type'));
        await call('dns-delete', () => cloud.deleteRecord({ zone, name, type }), true);
        send(response, 204);
        return;
      }
      if (method === 'GET') {
        send(response, 200, { records: await call('dns-list', () => cloud.listRecords({ zone }), false) });
        return;
      }
    }

    if (segments.length === 2 && resource) {
      if (resource === 'stats' && method === 'GET') return send(response, 200, cloud.stats());
      if (resource === 'state' && method === 'GET') return send(response, 200, cloud.snapshot());
      if (resource === 'reset' && method === 'POST') {
        cloud.reset();
        injector.clear();
        runner.reset();
        persist();
        return send(response, 204);
      }
      if (resource === 'faults' && method === 'POST') {
        const body = await readJson(request);
        const operation = body.operation as FakeOperation;
        const fault = body.fault as FakeFault;
        if (!FAKE_OPERATIONS.includes(operation) || !FAKE_FAULTS.includes(fault)) {
          throw new RequestError('bad-request', 'unknown operation or fault');
        }
        try {
          injector.enqueue({ operation, fault, ...(typeof body.count === 'number' ? { count: body.count } : {}) });
        } catch (error) {
          throw new RequestError('bad-request', (error as Error).message);
        }
        return send(response, 204);
      }
      if (resource === 'fault-rates' && method === 'PUT') {
        const body = await readJson(request);
        const operations = body.operations as FakeOperation[] | undefined;
        if (operations !== undefined && !operations.every((operation) => FAKE_OPERATIONS.includes(operation))) {
          throw new RequestError('bad-request', 'unknown operation');
        }
        try {
          injector.setRates({ rates: body.rates as FakeFaultRates, ...(operations ? { operations } : {}) });
        } catch (error) {
          throw new RequestError('bad-request', (error as Error).message);
        }
        return send(response, 204);
      }
    }
    throw new RequestError('not-found', `no route ${method} ${url.pathname}`);
  };

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (ProviderApiError.isInstance(error) && error.code === 'ResponseLost') {
        request.socket.destroy();
        return;
      }
      const body = errorBody(error);
      if (!response.headersSent) send(response, FAKE_CLOUD_ERROR_STATUS[body.kind], { error: body });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    cloud,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
