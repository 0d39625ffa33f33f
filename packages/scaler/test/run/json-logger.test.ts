import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { collectConfigSecrets } from '../../src/run/collect-config-secrets.js';
import { createJsonLogger } from '../../src/run/json-logger.js';

function capture() {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  return { stream, lines };
}

describe('JSON logger', () => {
  test('one JSON object per line, below the level dropped, secrets, JWTs and URL passwords redacted', () => {
    const { stream, lines } = capture();
    const logger = createJsonLogger({ stream, level: 'info', now: () => Date.parse('2026-11-23T12:00:00Z') });
    logger.addSecrets(['s3cr3t-token-value', 'x']);
    logger.debug('hidden');
    logger.info('called with s3cr3t-token-value', {
      url: 'postgres://postgres:hunter2hunter2@127.0.0.1:5432/db',
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudCJ9.c2lnbmF0dXJlLXZhbHVl',
      nested: { token: 's3cr3t-token-value' },
      error: new Error('failed for s3cr3t-token-value'),
    });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ time: '2026-11-23T12:00:00.000Z', level: 'info', msg: 'called with [redacted]' });
    expect(entry.url).toBe('postgres://postgres:[redacted]@127.0.0.1:5432/db');
    expect(entry.jwt).toBe('[redacted]');
    expect(entry.nested.token).toBe('[redacted]');
    expect(entry.error).toMatchObject({ name: 'Error', message: 'failed for [redacted]' });
    logger.info('listening', { api: 'http://127.0.0.1:8080', contact: 'ops@example.com' });
    expect(JSON.parse(lines[1]!)).toMatchObject({ api: 'http://127.0.0.1:8080', contact: 'ops@example.com' });
    // Values shorter than 4 characters are not registered (they would redact ordinary words).
    expect(logger.redact('x marks')).toBe('x marks');
  });

  test('errors keep their stack and cause chain; infinite numbers are written explicitly', () => {
    const { stream, lines } = capture();
    const logger = createJsonLogger({ stream });
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    logger.error('store failed', { error: new Error('cannot open the store', { cause }), need: Infinity });
    const entry = JSON.parse(lines[0]!);
    expect(entry.error.stack).toMatch(/cannot open the store\n\s+at /);
    expect(entry.error.cause).toMatchObject({ message: cause.message, code: 'ECONNREFUSED' });
    expect(entry.error.cause.stack).toMatch(/\n\s+at /);
    expect(entry.need).toBe('Infinity');
  });

  test('query-string tokens in URLs and request paths are redacted', () => {
    const { stream, lines } = capture();
    const logger = createJsonLogger({ stream });
    logger.warn('inventory poll failed', {
      url: 'https://inventory.example/fleet?token=q-secret-1&region=eu',
      path: '/api/set_server_status?token=q-secret-2',
      error: 'GET http://127.0.0.1:9/x?access_token=q-secret-3 failed',
    });
    expect(lines[0]).not.toMatch(/q-secret/);
    expect(JSON.parse(lines[0]!).url).toBe('https://inventory.example/fleet?token=[redacted]&region=[redacted]');
  });
});

describe('collectConfigSecrets', () => {
  test('inline secrets, variables named by { env } and URL passwords; plain URLs are not secrets', async () => {
    process.env.HEADROOM_TEST_SECRET_VARIABLE = 'from-the-environment-1234';
    const secrets = await collectConfigSecrets({
      api: { token: 'inline-api-token', listen: '127.0.0.1:8080' },
      checkin: { signingKey: { env: 'HEADROOM_TEST_SECRET_VARIABLE' } },
      state: { postgres: { url: 'postgres://user:p%40ss-word@db/headroom' } },
      inventory: { url: 'http://control-plane/snapshot' },
      providers: { vc: { type: 'vsphere', password: 'vsphere-password', username: 'admin' } },
    });
    expect(secrets.sort()).toEqual([
      'from-the-environment-1234',
      'inline-api-token',
      'p%40ss-word',
      'p@ss-word',
      'vsphere-password',
    ]);
    delete process.env.HEADROOM_TEST_SECRET_VARIABLE;
  });
});
