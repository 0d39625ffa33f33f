import { createHash, createPublicKey, generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import type { FakeApiRequest, FakeApiResponse } from '@headroom/testkit';

/** An API signing key as an OCI user uploads it: PEM private key, public key, fingerprint. */
export interface OciTestKey {
  privateKeyPem: string;
  publicKey: KeyObject;
  /** MD5 of the DER public key, colon-separated hex (as the OCI console shows it). */
  fingerprint: string;
}

/** A fresh RSA 2048 API key (PKCS#1 PEM, the format `oci setup keys` writes). */
export function createOciTestKey(options: { passphrase?: string } = {}): OciTestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: options.passphrase
      ? { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: options.passphrase }
      : { type: 'pkcs1', format: 'pem' },
  });
  const key = createPublicKey(publicKey);
  const der = key.export({ type: 'spki', format: 'der' });
  const fingerprint = (createHash('md5').update(der).digest('hex').match(/../g) ?? []).join(':');
  return { privateKeyPem: privateKey, publicKey: key, fingerprint };
}

/** Headers OCI requires in the signature (`date` or `x-date`); bodies add the content headers. */
const requiredHeaders = ['(request-target)', 'host'];
const bodyHeaders = ['content-length', 'content-type', 'x-content-sha256'];
const maxClockSkewMs = 5 * 60 * 1000;

function parseSignatureParameters(header: string): Record<string, string> | undefined {
  if (!header.startsWith('Signature ')) return undefined;
  const parameters: Record<string, string> = {};
  for (const match of header.slice('Signature '.length).matchAll(/(\w+)="([^"]*)"/g)) {
    parameters[match[1] as string] = match[2] as string;
  }
  return parameters;
}

/**
 * Verifies an OCI request signature (draft-cavage-http-signatures, `rsa-sha256`) with the public
 * half of the configured key: the key id, the signed header list (including `x-content-sha256` and
 * `content-length` for bodies, checked against the body received), the date's freshness, and the
 * RSA signature over the signing string. Returns why it failed, or undefined when it is valid.
 */
export function verifyOciSignature(options: {
  request: FakeApiRequest;
  key: OciTestKey;
  keyId: string;
  now: number;
}): string | undefined {
  const { request } = options;
  const header = request.headers.authorization;
  const parameters = typeof header === 'string' ? parseSignatureParameters(header) : undefined;
  if (!parameters) return 'no Signature authorization header';
  if (parameters.version !== '1') return `signature version ${parameters.version}`;
  if (parameters.algorithm !== 'rsa-sha256') return `algorithm ${parameters.algorithm}`;
  if (parameters.keyId !== options.keyId) return `unknown keyId ${parameters.keyId}`;
  const signed = (parameters.headers ?? '').toLowerCase().split(' ');
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(request.method);
  for (const name of [...requiredHeaders, ...(hasBody ? bodyHeaders : [])]) {
    if (!signed.includes(name)) return `header ${name} is not signed`;
  }
  const dateHeader = signed.includes('x-date') ? 'x-date' : signed.includes('date') ? 'date' : undefined;
  if (!dateHeader) return 'neither date nor x-date is signed';
  const date = Date.parse(String(request.headers[dateHeader]));
  if (!Number.isFinite(date) || Math.abs(date - options.now) > maxClockSkewMs) return 'date is missing or stale';
  if (hasBody) {
    const digest = createHash('sha256').update(request.rawBody).digest('base64');
    if (request.headers['x-content-sha256'] !== digest) return 'x-content-sha256 does not match the body';
    if (Number(request.headers['content-length']) !== request.rawBody.length) return 'content-length does not match';
  }
  const query = request.query.toString();
  const target = `${request.method.toLowerCase()} ${request.path}${query ? `?${query}` : ''}`;
  const signingString = signed
    .map((name) =>
      name === '(request-target)' ? `(request-target): ${target}` : `${name}: ${request.headers[name] ?? ''}`,
    )
    .join('\n');
  const signature = Buffer.from(parameters.signature ?? '', 'base64');
  return verify('sha256', Buffer.from(signingString), options.key.publicKey, signature)
    ? undefined
    : 'signature does not verify';
}

/** The API's answer to an unauthenticated request. */
export function ociNotAuthenticated(): FakeApiResponse {
  return {
    status: 401,
    body: {
      code: 'NotAuthenticated',
      message: 'The required information to complete authentication was not provided or was incorrect.',
    },
  };
}
