import { createHash } from 'node:crypto';

/** Namespace of Headroom server ids (a fixed random UUID). */
const SERVER_ID_NAMESPACE = Buffer.from('5b0e7c2a9f3d4e61a8c4d2b7e0f19a63', 'hex');

/**
 * The `{server_id}` of an instance: a name-based UUID (RFC 9562 version 5) of its create intent
 * key, so the same instance always gets the same id and no two instances share one. Kept in the
 * intent and the ledger entry.
 */
export function serverIdFor(options: { intentKey: string }): string {
  const hash = createHash('sha1').update(SERVER_ID_NAMESPACE).update(options.intentKey).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
