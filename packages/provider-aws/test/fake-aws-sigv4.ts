import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Result of checking a request's AWS Signature Version 4. */
export type SigV4Check =
  | { ok: true; accessKeyId: string; region: string; service: string }
  | { ok: false; reason: 'missing' | 'unknown-access-key' | 'signature-mismatch'; message: string };

function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * Verifies the `Authorization: AWS4-HMAC-SHA256 …` header of a request the way AWS does: rebuilds
 * the canonical request from the method, path, query, signed headers and body, and compares the
 * signature made with the known secret key.
 */
export function verifySigV4(options: {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  credentials: Record<string, string>;
}): SigV4Check {
  const authorization = options.headers.authorization;
  const match = authorization?.match(
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/,
  );
  if (!match) return { ok: false, reason: 'missing', message: 'Request is missing Authentication Token' };
  const [, accessKeyId = '', date = '', region = '', service = '', signedHeaderList = '', signature = ''] = match;
  const secretAccessKey = options.credentials[accessKeyId];
  if (secretAccessKey === undefined) {
    return {
      ok: false,
      reason: 'unknown-access-key',
      message: 'The security token included in the request is invalid.',
    };
  }
  const amzDate = String(options.headers['x-amz-date'] ?? '');
  const signedHeaders = signedHeaderList.split(';');
  const canonicalHeaders = signedHeaders
    .map((name) => {
      const value = options.headers[name];
      const text = Array.isArray(value) ? value.join(',') : String(value ?? '');
      return `${name}:${text.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const query = [...options.url.searchParams.entries()]
    .map(([key, value]) => [encodeRfc3986(key), encodeRfc3986(value)] as const)
    .sort(([keyA, valueA], [keyB, valueB]) => (keyA === keyB ? (valueA < valueB ? -1 : 1) : keyA < keyB ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const payloadHash = String(options.headers['x-amz-content-sha256'] ?? sha256Hex(options.body));
  const canonicalRequest = [
    options.method,
    options.url.pathname,
    query,
    canonicalHeaders,
    signedHeaderList,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  const expected = createHmac('sha256', signingKey).update(stringToSign).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      reason: 'signature-mismatch',
      message: 'The request signature we calculated does not match the signature you provided.',
    };
  }
  return { ok: true, accessKeyId, region, service };
}
