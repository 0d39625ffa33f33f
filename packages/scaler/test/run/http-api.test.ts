import { connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpApi, HttpError, type HttpLimits } from '../../src/run/http-api.js';
import { createJsonLogger } from '../../src/run/json-logger.js';

const TOKEN = 'api-token-for-http-tests';

async function startApi(limits: Partial<HttpLimits> = {}) {
  const handled: string[] = [];
  const api = createHttpApi({
    logger: createJsonLogger({ stream: new PassThrough() }),
    access: () => ({ token: TOKEN, publicReadOnly: false }),
    limits,
    routes: [
      {
        method: 'GET',
        path: '/api/v1/things/:id',
        access: 'read',
        handle: (request) => ({ status: 200, body: { id: request.params.id } }),
      },
      {
        method: 'POST',
        path: '/api/v1/things/:id/report',
        access: 'custom',
        maxBodyBytes: 64,
        authorize: (request) => {
          if (request.bearerToken !== 'instance-token') throw new HttpError({ status: 401, message: 'no' });
          return { instanceId: request.params.id };
        },
        handle: (request) => {
          handled.push(JSON.stringify(request.body));
          return { status: 200, body: { principal: request.principal, body: request.body } };
        },
      },
    ],
  });
  const address = await api.listen({ host: '127.0.0.1', port: 0 });
  return { api, handled, base: `http://127.0.0.1:${address.port}`, port: address.port };
}

/** Sends raw bytes and resolves with everything the server wrote until it closed the connection. */
function rawExchange(port: number, text: string): Promise<{ received: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ received, socket }));
  });
}

describe('HTTP API hardening', () => {
  let server: Awaited<ReturnType<typeof startApi>>;
  beforeAll(async () => {
    server = await startApi();
  });
  afterAll(() => server.api.close());

  test('the Bearer scheme is case-insensitive', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const response = await fetch(`${server.base}/api/v1/things/a`, {
        headers: { authorization: `${scheme} ${TOKEN}` },
      });
      expect(response.status).toBe(200);
    }
    const wrong = await fetch(`${server.base}/api/v1/things/a`, { headers: { authorization: `Basic ${TOKEN}` } });
    expect(wrong.status).toBe(401);
  });

  test('bad percent-encoding in a path parameter is a 400 naming it', async () => {
    const response = await fetch(`${server.base}/api/v1/things/%E0%A4%A`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/id: invalid percent-encoding/);
  });

  test('a custom route authenticates before reading the body: 401 without waiting for 10 MB', async () => {
    const { received } = await rawExchange(
      server.port,
      'POST /api/v1/things/a/report HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{"x":',
    );
    expect(received).toMatch(/^HTTP\/1\.1 401/);
    expect(received).toMatch(/connection: close/i);
    expect(server.handled).toEqual([]);
  });

  test('a body over the route limit is refused with 413 before it is read', async () => {
    const response = await fetch(`${server.base}/api/v1/things/a/report`, {
      method: 'POST',
      headers: { authorization: 'Bearer instance-token', 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(100) }),
    });
    expect(response.status).toBe(413);
    const accepted = await fetch(`${server.base}/api/v1/things/a/report`, {
      method: 'POST',
      headers: { authorization: 'Bearer instance-token', 'content-type': 'application/json' },
      body: JSON.stringify({ ok: true }),
    });
    expect(await accepted.json()).toEqual({ principal: { instanceId: 'a' }, body: { ok: true } });
  });
});

describe('HTTP API connection limits', () => {
  test('a connection that never sends its headers is closed by the server', async () => {
    const { api, port } = await startApi({ headersTimeoutMs: 200, connectionsCheckingIntervalMs: 50 });
    try {
      // Half a request line, then silence: the server closes it (the test would hang otherwise).
      const { received } = await rawExchange(port, 'GET /api/v1/thi');
      expect(received === '' || /^HTTP\/1\.1 408/.test(received)).toBe(true);
    } finally {
      await api.close();
    }
  });

  test('connections over maxConnections are closed on accept', async () => {
    const { api, port } = await startApi({ maxConnections: 2 });
    const open: Socket[] = [];
    try {
      for (let index = 0; index < 2; index += 1) {
        const socket = connect(port, '127.0.0.1');
        await new Promise((resolve) => socket.once('connect', resolve));
        open.push(socket);
      }
      const { received } = await rawExchange(port, 'GET /api/v1/things/a HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(received).toBe('');
    } finally {
      for (const socket of open) socket.destroy();
      await api.close();
    }
  });
});
