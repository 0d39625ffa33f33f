import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import type { ConfigIssue } from '@headroom/core';
import { resolveSecretPath } from '@headroom/core/provider';

/** The PEM certificate chain and private key the API serves HTTPS with. */
export interface TlsMaterial {
  cert: string;
  key: string;
}

async function readPem(
  path: string,
  field: string,
  options: { baseDirectory: string; issues: ConfigIssue[] },
): Promise<string | undefined> {
  try {
    return await readFile(resolveSecretPath(path, options.baseDirectory), 'utf8');
  } catch (error) {
    options.issues.push({
      path: field,
      message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    });
    return undefined;
  }
}

/** OpenSSL's reason without its library prefix, e.g. "no start line". */
const reasonOf = (error: unknown) =>
  ((error as Error).message ?? 'error').replace(/^error:[0-9A-F]+:[^:]*:[^:]*:/i, '').trim();

/**
 * Reads and checks `api.tls`: both files readable, the certificate a PEM X.509 certificate, the
 * key a PEM private key, and the key the certificate's. Problems are pushed to `issues` by field
 * (`api.tls.certFile`, `api.tls.keyFile`); the key's content never appears in them. Relative
 * paths are relative to `baseDirectory` (the config file's folder).
 */
export async function loadTlsMaterial(options: {
  tls: { certFile: string; keyFile: string };
  baseDirectory: string;
  issues: ConfigIssue[];
}): Promise<TlsMaterial | undefined> {
  const { tls, issues } = options;
  const before = issues.length;
  const cert = await readPem(tls.certFile, 'api.tls.certFile', options);
  const key = await readPem(tls.keyFile, 'api.tls.keyFile', options);
  if (cert !== undefined) {
    try {
      new X509Certificate(cert);
    } catch (error) {
      issues.push({
        path: 'api.tls.certFile',
        message: `${tls.certFile} is not a PEM certificate (${reasonOf(error)})`,
      });
    }
  }
  if (key !== undefined) {
    try {
      createPrivateKey(key);
    } catch (error) {
      issues.push({ path: 'api.tls.keyFile', message: `${tls.keyFile} is not a PEM private key (${reasonOf(error)})` });
    }
  }
  if (issues.length > before || cert === undefined || key === undefined) return undefined;
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    issues.push({
      path: 'api.tls.keyFile',
      message: `${tls.keyFile} does not match the certificate of api.tls.certFile (${reasonOf(error)})`,
    });
    return undefined;
  }
  return { cert, key };
}
