import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A self-signed certificate for 127.0.0.1 and localhost, for loopback HTTPS fakes. */
export interface TestTlsCertificate {
  certificatePem: string;
  keyPem: string;
  certificateFile: string;
  keyFile: string;
}

/** Environment variable naming the folder that holds `cert.pem` and `key.pem`. */
export const TEST_TLS_DIRECTORY_VARIABLE = 'HEADROOM_TEST_TLS_DIR';

function defaultDirectory(): string {
  return join(tmpdir(), `headroom-test-tls-${process.getuid?.() ?? 'user'}`);
}

/**
 * Creates (once per folder, with `openssl`) and returns the test certificate. The folder is
 * `HEADROOM_TEST_TLS_DIR`, else a fixed folder under the temp dir, so every test process shares it.
 */
export function loadTestTlsCertificate(directory = process.env[TEST_TLS_DIRECTORY_VARIABLE] ?? defaultDirectory()) {
  const certificateFile = join(directory, 'cert.pem');
  const keyFile = join(directory, 'key.pem');
  if (!existsSync(certificateFile) || !existsSync(keyFile)) {
    mkdirSync(directory, { recursive: true });
    const temporaryKey = `${keyFile}.${process.pid}.tmp`;
    const temporaryCertificate = `${certificateFile}.${process.pid}.tmp`;
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '30',
        '-keyout',
        temporaryKey,
        '-out',
        temporaryCertificate,
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    // Rename-free publish: the key first, then the certificate whose presence marks completion.
    writeFileSync(keyFile, readFileSync(temporaryKey));
    writeFileSync(certificateFile, readFileSync(temporaryCertificate));
  }
  return {
    certificatePem: readFileSync(certificateFile, 'utf8'),
    keyPem: readFileSync(keyFile, 'utf8'),
    certificateFile,
    keyFile,
  } satisfies TestTlsCertificate;
}

/**
 * Makes test processes trust the test certificate: writes a CA bundle of the current
 * `NODE_EXTRA_CA_CERTS` (if any) plus the certificate and points both variables at it. Call it in
 * the test runner's config, before workers start: Node reads `NODE_EXTRA_CA_CERTS` only at start-up.
 */
export function trustTestTlsCertificate(environment: NodeJS.ProcessEnv = process.env): TestTlsCertificate {
  const directory = environment[TEST_TLS_DIRECTORY_VARIABLE] ?? defaultDirectory();
  const certificate = loadTestTlsCertificate(directory);
  const bundleFile = join(directory, 'ca-bundle.pem');
  const existing = environment.NODE_EXTRA_CA_CERTS;
  if (existing !== bundleFile) {
    const previous = existing && existsSync(existing) ? readFileSync(existing, 'utf8') : '';
    writeFileSync(bundleFile, `${previous}\n${certificate.certificatePem}`);
    environment.NODE_EXTRA_CA_CERTS = bundleFile;
  }
  environment[TEST_TLS_DIRECTORY_VARIABLE] = directory;
  return certificate;
}
