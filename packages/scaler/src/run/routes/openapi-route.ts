import type { Route } from '../http-api.js';
import { createOpenApiDocument } from '../openapi-document.js';

/** `GET /api/v1/openapi.json`: open, like a schema, it holds no fleet data. */
export function openApiRoute(): Route {
  let document: Record<string, unknown> | undefined;
  return {
    method: 'GET',
    path: '/api/v1/openapi.json',
    access: 'open',
    handle: () => {
      document ??= createOpenApiDocument();
      return { status: 200, body: document };
    },
  };
}
