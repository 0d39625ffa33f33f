import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import { loadTestTlsCertificate } from '@headroom/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createOpenApiDocument } from '../../src/run/openapi-document.js';
import { runCli } from '../run-cli.js';
import { expectResponsesMatchOpenApi, type RecordedResponse } from './openapi-responses.js';
import { allOutput, killAll, ServiceProcess, temporaryDirectory, waitFor, writeFile } from './service-process.js';

const run = promisify(execFile);
const API_TOKEN = 'kasm-api-token-7c1d9e2f4a6b';
const SIGNING_KEY = 'kasm-checkin-signing-key-5e8a1c3f7b9d2e4f60';

/** The check-in of Kasm's Linux VM scripts, as they write it: https hard-coded, `-k`, one attempt. */
const LINUX_CHECKIN_SCRIPT = [
  '#!/usr/bin/env bash',
  'KASM_UPSTREAM_AUTH_ADDRESS="{upstream_auth_address}"',
  'KASM_CHECKIN_JWT="{checkin_jwt}"',
  "SERVER_ID='{server_id}' PROVIDER_NAME='{provider_name}' GIVEN_FQDN='{server_external_fqdn}' HOST='{server_hostname}'",
  "KASM_VNC_USER={connection_username} KASM_VNC_PASSWD='{connection_password}'",
  'AUTHORIZED_KEY="{ssh_key}"',
  `curl -k -fsS -X POST -H "Content-Type: application/json" --data '{{"status":"running","status_message":"Startup complete","status_progress":"100"}}' "https://$KASM_UPSTREAM_AUTH_ADDRESS/api/set_server_status?token=$KASM_CHECKIN_JWT"`,
  '',
].join('\n');

interface CloudRecord {
  instanceId: string;
  name: string;
  startupScript?: string;
  destroyRequestedAtMs?: number;
}

const liveCloudInstances = (directory: string): CloudRecord[] =>
  (JSON.parse(readFileSync(join(directory, 'cloud.json'), 'utf8')) as { instances: CloudRecord[] }).instances.filter(
    (record) => record.destroyRequestedAtMs === undefined,
  );

/** A port above 20000 picked at random: the upstream address must name it before the service starts. */
const randomPort = () => 20_000 + Math.floor(Math.random() * 40_000);

/** `curl` against the TLS service; `--cacert` verifies the certificate (the scripts' `-k` does not). */
async function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('curl', ['-sS', '--max-time', '10', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** SHA-256 fingerprint of the certificate the service presents now. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

afterAll(killAll);

describe("headroom run serves Kasm's startup scripts over TLS", () => {
  const directory = temporaryDirectory('kasm');
  const certificate = loadTestTlsCertificate();
  const certFile = writeFile(directory, 'cert.pem', certificate.certificatePem);
  const keyFile = writeFile(directory, 'key.pem', certificate.keyPem);
  const sshKeyFile = join(directory, 'connection-key.pem');
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-f', sshKeyFile]);
  const responses: RecordedResponse[] = [];
  let port = 0;
  let service: ServiceProcess;

  const configText = () => `providers:
  cloud:
    type: fake
    maxInstances: 2
    stateFile: ${join(directory, 'cloud.json')}
    startupScript: ${JSON.stringify(LINUX_CHECKIN_SCRIPT)}
pools:
  - id: linux
    kind: server
    autoscale:
      - id: vm
        provider: cloud
        minimumAvailableSessions: 1
        requireCheckin: true
        connection: { type: ssh, username: kasm, generatePassword: true, privateKey: { file: connection-key.pem } }
scaler:
  intervalSeconds: 0.2
api:
  listen: 127.0.0.1:${port}
  token: ${API_TOKEN}
  tls: { certFile: cert.pem, keyFile: ${keyFile} }
checkin:
  signingKey: ${SIGNING_KEY}
  upstreamAuthAddress: 127.0.0.1:${port}
  fileMappings: [{ src: /mnt/share, dest: C:\\Share }]
`;

  beforeAll(async () => {
    for (let attempt = 0; ; attempt++) {
      port = randomPort();
      const configPath = writeFile(directory, 'headroom.yaml', configText());
      const candidate = new ServiceProcess(['run', '--config', configPath, '--state-dir', join(directory, 'state')]);
      try {
        service = await candidate.started();
        break;
      } catch (error) {
        if (attempt >= 4 || !candidate.stderr.includes('EADDRINUSE')) throw error;
      }
    }
  });

  /** An API call with the token over verified TLS; the JSON answer is kept for the OpenAPI check. */
  const api = async (path: string, options: { method?: string; body?: unknown; token?: boolean } = {}) => {
    const method = options.method ?? 'GET';
    const result = await curl([
      ...['--cacert', certFile, '-X', method, '-w', '\n%{http_code}'],
      ...(options.token === false ? [] : ['-H', `Authorization: Bearer ${API_TOKEN}`]),
      ...(options.body ? ['-H', 'Content-Type: application/json', '--data', JSON.stringify(options.body)] : []),
      `https://127.0.0.1:${port}${path}`,
    ]);
    const newline = result.stdout.lastIndexOf('\n');
    const status = Number(result.stdout.slice(newline + 1));
    // biome-ignore lint/suspicious/noExplicitAny: the JSON answers are checked by assertions and the OpenAPI document
    const body: any = JSON.parse(result.stdout.slice(0, newline));
    responses.push({ method, path, status, body });
    return { status, body };
  };

  test('the API answers HTTPS with the configured certificate', async () => {
    expect(service.baseUrl).toBe(`https://127.0.0.1:${port}`);
    const health = await curl(['--cacert', certFile, `https://127.0.0.1:${port}/healthz`]);
    expect(health.code).toBe(0);
    const plain = await curl([`http://127.0.0.1:${port}/healthz`]);
    expect(plain.stdout).not.toContain('"status"');
  });

  test("the Linux VM script's check-in, as written (https, -k, one attempt), marks the server checked in", async () => {
    const instance = await waitFor('a server with its script', () => liveCloudInstances(directory)[0]);
    const scriptFile = writeFile(directory, 'startup.sh', instance.startupScript ?? '');
    expect(instance.startupScript).toContain(`KASM_UPSTREAM_AUTH_ADDRESS="127.0.0.1:${port}"`);
    const { stdout } = await run('bash', [scriptFile]);
    expect(JSON.parse(stdout)).toEqual({ status: 'ok' });
    const checkedInAt = await waitFor('the check-in in the ledger', async () => {
      const fleet = (await api('/api/v1/fleet')).body;
      return fleet.ledger.find((entry: { id: string; checkedInAt?: string }) => entry.id === instance.name)
        ?.checkedInAt;
    });
    expect(Date.parse(checkedInAt)).toBeGreaterThan(0);
    const token = /KASM_CHECKIN_JWT="([\w.-]+)"/.exec(instance.startupScript ?? '')?.[1];
    expect(allOutput.join('')).not.toContain(token!);
  });

  test("every placeholder of the script has Kasm's meaning; the Windows file-mappings call and statuses are answered", async () => {
    const instance = liveCloudInstances(directory)[0]!;
    const script = instance.startupScript ?? '';
    const token = /KASM_CHECKIN_JWT="([\w.-]+)"/.exec(script)?.[1] ?? '';
    const { body } = await api(`/api/v1/instances/${instance.name}`);
    expect(body.instance.serverId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(script).toContain(
      `SERVER_ID='${body.instance.serverId}' PROVIDER_NAME='fake' GIVEN_FQDN='None' HOST='${instance.name}'`,
    );
    // The generated password is the server's: in its script and, with the API token, in its record.
    expect(body.connection.password).toMatch(/^[A-Za-z0-9._+=-]{32}$/);
    expect(script).toContain(`KASM_VNC_USER=kasm KASM_VNC_PASSWD='${body.connection.password}'`);
    expect(allOutput.join('')).not.toContain(body.connection.password);
    const anonymous = await api(`/api/v1/instances/${instance.name}`, { token: false });
    expect(anonymous.status).toBe(401);
    const publicKey = execFileSync('ssh-keygen', ['-y', '-f', sshKeyFile], { encoding: 'utf8' }).trim();
    expect(script).toContain(`AUTHORIZED_KEY="${publicKey}"`);

    // The Windows desktop-service script's first call, as it makes it.
    const mappings = await api(`/api/admin/get_server_file_mappings?token=${token}`, { token: false });
    expect(mappings).toEqual({ status: 200, body: { file_mappings: [{ src: '/mnt/share', dest: 'C:\\Share' }] } });
    expect(JSON.stringify(mappings.body)).not.toContain('Access Denied!');
    expect((await api('/api/admin/get_server_file_mappings?token=forged', { token: false })).status).toBe(401);
    expect((await api('/api/admin/get_server_file_mappings', { token: false })).status).toBe(401);

    // A status other than running is kept and shown; it does not undo the check-in.
    const progress = { status: 'installing', status_message: 'Installing the agent', status_progress: 40 };
    const posted = await api(`/api/set_server_status?token=${token}`, { method: 'POST', body: progress, token: false });
    expect(posted.status).toBe(200);
    const shown = await waitFor('the status in the ledger', async () => {
      const { body: view } = await api(`/api/v1/instances/${instance.name}`);
      return view.instance.serverStatus?.status === 'installing' ? view.instance : undefined;
    });
    expect(shown.serverStatus).toEqual({
      status: 'installing',
      message: 'Installing the agent',
      progress: '40',
      at: expect.any(String),
    });
    expect(shown.checkedInAt).toBeDefined();
    const fleet = await api('/api/v1/fleet');
    expect(fleet.body.ledger.find((entry: { id: string }) => entry.id === instance.name).serverStatus.status).toBe(
      'installing',
    );
    expect(expectResponsesMatchOpenApi(createOpenApiDocument(), responses)).toBeGreaterThan(8);
  });

  test('a renewed certificate is served after a file change and after SIGHUP; a broken one is refused', async () => {
    const before = await servedFingerprint(port);
    const renewedKey = join(directory, 'renewed-key.pem');
    const renewedCert = join(directory, 'renewed-cert.pem');
    await run(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1'].concat([
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        renewedKey,
        '-out',
        renewedCert,
      ]),
    );
    // Key first, then the certificate: the reload that sees a mismatched pair in between is refused.
    writeFileSync(keyFile, readFileSync(renewedKey));
    writeFileSync(certFile, readFileSync(renewedCert));
    const after = await waitFor('the renewed certificate served', async () => {
      const served = await servedFingerprint(port);
      return served !== before ? served : undefined;
    });
    expect((await curl(['--cacert', renewedCert, `https://127.0.0.1:${port}/healthz`])).code).toBe(0);

    writeFileSync(certFile, 'not a certificate\n');
    await waitFor('the broken certificate refused', () =>
      service.logs.find(
        (entry) =>
          entry.msg === 'config reload refused; keeping the running config' &&
          JSON.stringify(entry.issues).includes('api.tls.certFile'),
      ),
    );
    expect(await servedFingerprint(port)).toBe(after);

    // Back to the first pair, and SIGHUP (the file watcher may see the change first: both re-read the pair).
    writeFileSync(certFile, certificate.certificatePem);
    writeFileSync(keyFile, certificate.keyPem);
    service.signal('SIGHUP');
    await waitFor('the SIGHUP reload', () => service.log('SIGHUP received; reloading the config'));
    await waitFor('the first certificate served again', async () => (await servedFingerprint(port)) === before);
  });
});

describe('headroom script and validation of the Kasm placeholders', () => {
  test('the docker-agent script previews with the manager token masked; an upstream address with a scheme is refused', () => {
    const directory = temporaryDirectory('kasm-script');
    const config = (upstream: string) =>
      writeFile(
        directory,
        'agents.yaml',
        `providers: { cloud: { type: fake, maxInstances: 1 } }
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - id: a
        provider: cloud
        agent: { cores: 4 }
        sshPublicKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKasm admin@example
        startupScript: "bash install.sh -p {server_external_fqdn} -m {upstream_auth_address} -i {server_id} -r {provider_name} -M {manager_token} -k '{ssh_key}'"
checkin: { signingKey: { env: UNUSED }, upstreamAuthAddress: ${upstream}, managerToken: manager-token-value-1234 }
`,
      );
    const preview = runCli(['script', '--config', config('kasm.example.com'), '--autoscale', 'agents/a']);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(
      /^bash install\.sh -p None -m kasm\.example\.com -i [0-9a-f-]{36} -r fake -M \*{8} -k 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKasm admin@example'$/m,
    );
    expect(preview.stdout).not.toContain('manager-token-value-1234');
    expect(preview.stderr).toContain('masked: {manager_token}');
    const refused = runCli(['validate', '--config', config('https://kasm.example.com')]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'checkin.upstreamAuthAddress must be host[:port] without a scheme: the scripts add https:// themselves (write "kasm.example.com", not "https://kasm.example.com")',
    );
  });
});

describe('api.tls is checked before the service starts', () => {
  test('unreadable files and PEM problems are refused naming the field, without the key', async () => {
    const directory = temporaryDirectory('kasm-tls');
    const certificate = loadTestTlsCertificate();
    const other = writeFile(directory, 'other-key.pem', certificate.keyPem.replace(/[A-Za-z]{8}/, 'AAAAAAAA'));
    const start = async (tls: string) => {
      const configPath = writeFile(
        directory,
        'headroom.yaml',
        `providers: { cloud: { type: fake, maxInstances: 1, stateFile: ${join(directory, 'cloud.json')} } }
pools: []
api: { listen: 127.0.0.1:0, tls: ${tls} }
`,
      );
      const process = new ServiceProcess(['run', '--config', configPath, '--state-dir', join(directory, 'state')]);
      const code = await process.exited;
      return { code, stderr: process.stderr };
    };
    const missing = await start(`{ certFile: nope.pem, keyFile: ${certificate.keyFile} }`);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/api\.tls\.certFile: cannot read nope\.pem: ENOENT/);
    const notPem = await start(`{ certFile: ${certificate.keyFile}, keyFile: ${certificate.certificateFile} }`);
    expect(notPem.stderr).toContain('api.tls.certFile');
    expect(notPem.stderr).toContain('is not a PEM certificate');
    expect(notPem.stderr).toContain('api.tls.keyFile');
    expect(notPem.stderr).toContain('is not a PEM private key');
    const broken = await start(`{ certFile: ${certificate.certificateFile}, keyFile: ${other} }`);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toContain('api.tls.keyFile');
    expect(broken.stderr).not.toContain('PRIVATE KEY');
  });
});
