import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FakeCloudServer, startFakeCloudServer } from '@headroom/core/test';
import { Client } from 'ldapts';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { repositoryRoot, runCli } from '../run-cli.js';
import { allOutput, killAll, ServiceProcess, temporaryDirectory, waitFor, writeFile } from './service-process.js';

// The loopback Samba AD DC of scripts/ci/samba/start-samba.sh (its printed environment).
const environment = process.env;
const available = Boolean(
  environment.HEADROOM_AD_URL && environment.HEADROOM_AD_BIND_PASSWORD && environment.HEADROOM_AD_CA_FILE,
);
const MISSING = 'no Active Directory test target: run `export $(bash scripts/ci/samba/start-samba.sh)`';
if (!available && environment.CI) {
  test('the Active Directory test target is running', () => {
    throw new Error(MISSING);
  });
}
if (!available) console.warn(`skipping the Windows server pool example: ${MISSING}`);

const TOKEN = 'windows-example-token';
const CONNECTION_PASSWORD = 'Static-Desk-Password-7';
const BASE_DN = environment.HEADROOM_AD_BASE_DN ?? 'DC=corp,DC=headroom,DC=test';

afterAll(killAll);

describe.skipIf(!available)('examples/windows-server-pool.yaml under headroom run (fake cloud, Samba AD)', () => {
  const ouDn = `OU=headroom-example-${randomBytes(4).toString('hex')},${BASE_DN}`;
  const directory = available ? temporaryDirectory('windows') : '';
  let cloud: FakeCloudServer;

  async function ldap<T>(work: (client: Client) => Promise<T>, as?: { dn: string; password: string }): Promise<T> {
    const client = new Client({
      url: environment.HEADROOM_AD_URL!,
      tlsOptions: {
        ca: readFileSync(environment.HEADROOM_AD_CA_FILE!, 'utf8'),
        servername: environment.HEADROOM_AD_TLS_SERVER_NAME,
      },
    });
    try {
      await client.bind(
        as?.dn ?? environment.HEADROOM_AD_BIND_DN!,
        as?.password ?? environment.HEADROOM_AD_BIND_PASSWORD!,
      );
      return await work(client);
    } finally {
      await client.unbind();
    }
  }
  const computersInOu = () =>
    ldap(
      async (client) =>
        (
          await client.search(ouDn, {
            scope: 'one',
            filter: '(objectClass=computer)',
            attributes: ['sAMAccountName', 'description'],
          })
        ).searchEntries,
    );

  /** The example with this test's fake cloud, OU and state, and `minimumAvailableSessions`. */
  function writeConfig(minimumAvailableSessions: number): string {
    const config = parseYaml(readFileSync(join(repositoryRoot, 'examples/windows-server-pool.yaml'), 'utf8'));
    config.providers.lab = {
      type: 'fake',
      maxInstances: 4,
      url: cloud.url,
      startupScript: config.providers.lab.startupScript,
    };
    config.ldapConfigs.corp.caCertificateFile = environment.HEADROOM_AD_CA_FILE;
    const autoscale = config.pools[0].autoscale[0];
    autoscale.activeDirectory.computerOuDn = ouDn;
    autoscale.minimumAvailableSessions = minimumAvailableSessions;
    autoscale.downscaleBackoffSeconds = 0;
    config.scaler = { intervalSeconds: 1, intentGraceSeconds: 1, orphans: { mode: 'destroy', graceSeconds: 600 } };
    autoscale.connection = {
      ...autoscale.connection,
      credentialType: 'static',
      username: 'desk',
      password: CONNECTION_PASSWORD,
    };
    config.api = { listen: '127.0.0.1:0', token: TOKEN, publicReadOnly: true };
    return writeFile(directory, 'windows.yaml', stringifyYaml(config));
  }
  let running: ServiceProcess | undefined;
  const startService = async (configPath: string) => {
    running = await new ServiceProcess(['run', '--config', configPath, '--state-dir', join(directory, 'state')], {
      env: { HEADROOM_AD_BIND_PASSWORD: environment.HEADROOM_AD_BIND_PASSWORD! },
    }).started(60_000);
    return running;
  };
  const liveInstances = () =>
    cloud.cloud.listInstances({ providerId: 'lab', tags: {} }).filter((instance) => instance.state !== 'stopping');

  beforeAll(async () => {
    cloud = await startFakeCloudServer({ timeoutMs: 60_000 });
    await ldap((client) =>
      client.add(ouDn, { objectClass: ['top', 'organizationalUnit'], ou: ouDn.slice(3, ouDn.indexOf(',')) }),
    );
  });
  afterEach(async () => {
    // A failed test leaves its service running: stop it so the next one can open the state.
    running?.signal('SIGKILL');
    await running?.exited;
  });
  afterAll(async () => {
    await cloud?.close();
    await ldap(async (client) => {
      for (const entry of (await client.search(ouDn, { scope: 'one' })).searchEntries) await client.del(entry.dn);
      await client.del(ouDn);
    }).catch(() => undefined);
  });

  test('headroom script previews the join script with the AD domain and the password masked', () => {
    const result = runCli(
      ['script', '--config', 'examples/windows-server-pool.yaml', '--autoscale', 'windows-desktops/rdp'],
      {
        env: { HEADROOM_AD_BIND_PASSWORD: 'not-used' },
      },
    );
    expect(result.stderr).toContain('masked: {ad_join_credential}');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Add-Computer -Domain "corp.headroom.test"');
    expect(result.stdout).toContain("ConvertTo-SecureString -String '********'");
    expect(result.stdout).toMatch(/Rename-Computer -NewName 'WINDOW-[0-9A-F]{8}'/);
  });

  test('a record per server in the OU, the script joins with its one-time password, destroy removes the record', async () => {
    const service = await startService(writeConfig(1));
    const instance = await waitFor('a server', () => liveInstances()[0], 60_000);
    const [record] = await waitFor('its computer record', async () =>
      (await computersInOu()).length === 1 ? computersInOu() : undefined,
    );
    const computerName = String(record!.sAMAccountName).replace(/\$$/, '');
    expect(record!.dn).toBe(`CN=${computerName},${ouDn}`);
    expect(String(record!.description)).toBe(
      `headroom managed-by=headroom instance=${instance.name} intent=${instance.tags['headroom-intent']}`,
    );
    const script =
      cloud.cloud.getInstanceRecord({ providerId: 'lab', instanceId: instance.instanceId })?.startupScript ?? '';
    expect(script).toContain('Add-Computer -Domain "corp.headroom.test"');
    expect(script).toContain(`Rename-Computer -NewName '${computerName}'`);
    const password = /-String '([^']+)'/.exec(script)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9._+=-]{32}$/);
    // The password is the computer account's: the server can join with it.
    await ldap(async () => undefined, { dn: `${computerName}$@corp.headroom.test`, password: password! });
    expect(allOutput.join('')).not.toContain(password!);

    // The instance record the control plane reads: connection details, secrets only with the token.
    const authenticated = await service.request(`/api/v1/instances/${instance.name}`, { token: TOKEN });
    expect(authenticated.status).toBe(200);
    expect(authenticated.body.instance.computerRecord.computerName).toBe(computerName);
    expect(authenticated.body.connection).toMatchObject({
      type: 'rdp',
      port: 3389,
      credentialType: 'static',
      username: 'desk',
      password: CONNECTION_PASSWORD,
      computerName,
      domain: 'corp.headroom.test',
      agentInstalled: false,
      reusable: true,
      secretsWithheld: false,
    });
    const anonymous = await service.request(`/api/v1/instances/${instance.name}`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.text).not.toContain(CONNECTION_PASSWORD);
    expect(anonymous.body.connection.secretsWithheld).toBe(true);
    expect((await service.request('/api/v1/instances/nope', { token: TOKEN })).status).toBe(404);
    expect(allOutput.join('')).not.toContain(CONNECTION_PASSWORD);

    writeConfig(0); // the service reloads the changed file
    await waitFor('the server destroyed', () => liveInstances().length === 0, 60_000);
    await waitFor('its record deleted', async () => (await computersInOu()).length === 0, 30_000);
    service.signal('SIGTERM');
    expect(await service.exited).toBe(0);
  }, 180_000);

  test('SIGKILL between the record and the server: after restart no record is left', async () => {
    // The next create hangs (and then fails without creating): the process dies in between.
    await fetch(`${cloud.url}/v1/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'create', fault: 'timeout', count: 1 }),
    });
    const crashing = await startService(writeConfig(1));
    await waitFor('a computer record', async () => (await computersInOu()).length > 0, 60_000);
    crashing.signal('SIGKILL');
    await crashing.exited;
    expect(liveInstances()).toHaveLength(0);
    expect((await computersInOu()).length).toBe(1);

    const restarted = await startService(writeConfig(0));
    await waitFor('the stale record deleted', async () => (await computersInOu()).length === 0, 60_000);
    expect(liveInstances()).toHaveLength(0);
    restarted.signal('SIGTERM');
    expect(await restarted.exited).toBe(0);
  }, 180_000);
});
