import type { FakeFault } from './fake-faults.js';

/**
 * The wire format of the fake cloud HTTP server (all under `/v1`, JSON bodies):
 *
 * - `POST   /v1/providers/:providerId/instances` `{ name, idempotencyKey, tags, shape, startupScript? }` → instance
 * - `GET    /v1/providers/:providerId/instances?tags=<JSON object>` → `{ instances }`
 * - `DELETE /v1/providers/:providerId/instances/:instanceId` → 204 (missing counts as success)
 * - `GET    /v1/providers/:providerId/instances/:instanceId/record` → stored record, startup script included
 * - `POST   /v1/providers/:providerId/instances/:instanceId/fail` → 204
 * - `PUT    /v1/dns/zones/:zone/records` `{ name, type, value, ttlSeconds }` → 204
 * - `DELETE /v1/dns/zones/:zone/records?name=&type=` → 204
 * - `GET    /v1/dns/zones/:zone/records` → `{ records }`
 * - `GET    /v1/stats` (also `/stats`) → FakeCloudStats (`maxLiveInstances` per provider and per pool)
 * - `GET    /v1/state` (also `/state`) → FakeCloudSnapshot
 * - `POST   /v1/faults` `{ operation, fault, count? }` → 204 (one-shot faults)
 * - `PUT    /v1/fault-rates` `{ rates, operations? }` → 204
 * - `POST   /v1/reset` → 204
 *
 * Failures answer `{ error: FakeCloudErrorBody }` with the status of `FAKE_CLOUD_ERROR_STATUS`;
 * a `response-lost` fault performs the call and then resets the connection.
 */
export type FakeCloudErrorKind =
  | Exclude<FakeFault, 'response-lost'>
  | 'invalid-config'
  | 'bad-request'
  | 'not-found'
  | 'internal';

export interface FakeCloudErrorBody {
  kind: FakeCloudErrorKind;
  message: string;
  code?: string;
  field?: string;
}

export const FAKE_CLOUD_ERROR_STATUS: Record<FakeCloudErrorKind, number> = {
  'insufficient-capacity': 503,
  'quota-exceeded': 403,
  throttled: 429,
  'server-error': 500,
  timeout: 504,
  'invalid-config': 400,
  'bad-request': 400,
  'not-found': 404,
  internal: 500,
};
