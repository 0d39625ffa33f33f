import { request as httpsRequest } from 'node:https';
import { afterEach, describe, expect, test } from 'vitest';
import {
  createFakeApiServer,
  createIdempotencyMap,
  type FakeApiServer,
  paginate,
} from '../src/create-fake-api-server.js';

let server: FakeApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const items = new Map<string, { name: string; zone: string }>();

async function start(tls = false) {
  items.clear();
  server = await createFakeApiServer({
    tls,
    routes: [
      {
        name: 'insert',
        method: 'POST',
        path: '/v1/zones/:zone/items',
        handler: ({ params, body }) => {
          const { name } = body as { name: string };
          items.set(name, { name, zone: params.zone as string });
          return { status: 201, body: items.get(name) };
        },
      },
      { method: 'GET', path: '/v1/files/*rest', handler: ({ params }) => ({ status: 200, body: params }) },
    ],
    authenticate: (request) =>
      request.headers.authorization === 'Bearer good' ? undefined : { status: 401, body: { error: 'unauthorized' } },
    faultResponse: (fault) =>
      fault === 'throttled'
        ? { status: 429, headers: { 'retry-after': '1' }, body: { error: 'slow down' } }
        : { status: 500, body: { error: fault } },
  });
  return server;
}

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${server?.url}${path}`, { ...init, headers: { authorization: 'Bearer good', ...init.headers } });

describe('createFakeApiServer', () => {
  test('routes by method and pattern, decodes parameters, parses JSON and logs requests', async () => {
    await start();
    const response = await call('/v1/zones/eu%2Dwest/items', { method: 'POST', body: JSON.stringify({ name: 'a' }) });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ name: 'a', zone: 'eu-west' });
    expect((await call('/v1/files/a/b%20c')).status).toBe(200);
    expect(await (await call('/v1/files/a/b%20c')).json()).toEqual({ rest: 'a/b c' });
    expect((await call('/v1/nothing')).status).toBe(404);
    expect(server?.requests.map((entry) => [entry.route, entry.status])).toEqual([
      ['insert', 201],
      ['GET /v1/files/*rest', 200],
      ['GET /v1/files/*rest', 200],
      [undefined, 404],
    ]);
    expect(server?.requests[0]?.body).toEqual({ name: 'a' });
  });

  test('authenticates before routing and answers bad percent-encoding with 400', async () => {
    await start();
    expect((await fetch(`${server?.url}/v1/files/x`)).status).toBe(401);
    expect((await call('/v1/files/%E0%A4%A')).status).toBe(400);
  });

  test('queued faults hit matching requests only, as many times as asked', async () => {
    await start();
    server?.failNext({ route: 'insert', fault: 'throttled', count: 2 });
    server?.failNext({ match: (request) => request.path.endsWith('/boom'), fault: { status: 503, body: 'down' } });
    const post = () => call('/v1/zones/z/items', { method: 'POST', body: JSON.stringify({ name: 'b' }) });
    expect((await call('/v1/files/ok')).status).toBe(200);
    const throttled = await post();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect((await post()).status).toBe(429);
    expect((await post()).status).toBe(201);
    const down = await call('/v1/files/boom');
    expect([down.status, await down.text()]).toEqual([503, 'down']);
    expect((await call('/v1/files/boom')).status).toBe(200);
  });

  test('serves HTTPS with the test certificate, which Node trusts', async () => {
    await start(true);
    expect(server?.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const outgoing = httpsRequest(
        `${server?.url}/v1/files/x`,
        { headers: { authorization: 'Bearer good' } },
        (incoming) => {
          incoming.resume();
          resolve(incoming.statusCode);
        },
      );
      outgoing.on('error', reject);
      outgoing.end();
    });
    expect(status).toBe(200);
  });
});

describe('paginate', () => {
  test('walks every item once and refuses tokens it did not issue', () => {
    const all = Array.from({ length: 7 }, (_, index) => index);
    const seen: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const { page, nextToken } = paginate(all, { pageSize: 3, token });
      seen.push(...page);
      token = nextToken;
      pages += 1;
    } while (token);
    expect(seen).toEqual(all);
    expect(pages).toBe(3);
    expect(() => paginate(all, { pageSize: 3, token: 'bogus' })).toThrow(RangeError);
  });
});

test('createIdempotencyMap replays the first result of a key', () => {
  const map = createIdempotencyMap<number>();
  let calls = 0;
  expect(map.once('k', () => ++calls)).toEqual({ value: 1, replayed: false });
  expect(map.once('k', () => ++calls)).toEqual({ value: 1, replayed: true });
  expect(map.once(undefined, () => ++calls)).toEqual({ value: 2, replayed: false });
});
