import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, test } from 'vitest';
import { createOpenApiDocument } from '../../src/run/openapi-document.js';

describe('OpenAPI document', () => {
  test('is a valid OpenAPI 3.1 document (checked by @seriousme/openapi-schema-validator)', async () => {
    const document = createOpenApiDocument();
    const validator = new Validator();
    const result = await validator.validate(document as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  test('covers /api/v1/*, the check-in endpoint and the operations endpoints', () => {
    const paths = Object.keys((createOpenApiDocument() as { paths: object }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/plan',
        '/api/v1/schedule',
        '/api/v1/fleet',
        '/api/v1/instances/{id}/report',
        '/api/v1/images/{workspace}/roll',
        '/api/v1/instances/{id}/drain',
        '/api/v1/instances/{id}/undrain',
        '/api/v1/openapi.json',
        '/api/set_server_status',
        '/healthz',
        '/readyz',
      ]),
    );
  });
});
