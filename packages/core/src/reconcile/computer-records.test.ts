import { describe, expect, test } from 'vitest';
import { parseConfig } from '../config/parse-config.js';
import { DirectoryError } from '../errors/directory-error.js';
import { ProviderApiError } from '../errors/provider-api-error.js';
import { createFakeClock } from '../test/create-fake-clock.js';
import { createFakeDirectory } from '../test/create-fake-directory.js';
import { seedOpenIntent } from '../test/test-fixtures.js';
import { createHarness, T0 } from './reconcile-fixtures.test-helpers.js';
import { MAX_CONNECTION_SECRET_ATTEMPTS } from './steps/fetch-connection-secrets.js';

const OU = 'OU=Desktops,DC=corp,DC=example';
const JOIN_SCRIPT = [
  "$joinCred = New-Object pscredential -ArgumentList ([pscustomobject]@{{ UserName = $null; Password = (ConvertTo-SecureString -String '{ad_join_credential}' -AsPlainText -Force)[0] }})",
  'Rename-Computer -NewName {computer_name}',
  'Add-Computer -Domain "{domain}" -Options UnsecuredJoin,PasswordPass -Credential $joinCred -Force -Restart',
].join('\n');

function windowsConfig(autoscale: Record<string, unknown> = {}) {
  return parseConfig({
    providers: { cloud: { type: 'fake', maxInstances: 10, startupScript: JOIN_SCRIPT } },
    ldapConfigs: { corp: { url: 'ldaps://dc.corp.example', bindDn: 'CN=svc,DC=corp,DC=example', bindPassword: 'x' } },
    pools: [
      {
        id: 'win',
        kind: 'server',
        autoscale: [
          {
            id: 'rdp',
            provider: 'cloud',
            minimumAvailableSessions: 2,
            downscaleBackoffSeconds: 0,
            activeDirectory: {
              createComputerRecord: true,
              ldapConfig: 'corp',
              computerOuDn: OU,
              domain: 'corp.example',
            },
            ...autoscale,
          },
        ],
      },
    ],
  });
}

let passwordCounter = 0;
function windowsHarness(options: { config?: ReturnType<typeof windowsConfig> } = {}) {
  const clock = createFakeClock({ startMs: T0 });
  const directory = createFakeDirectory({ clock, ous: [OU] });
  const harness = createHarness({
    clock,
    config: options.config ?? windowsConfig(),
    autoscaler: {
      directories: { corp: directory },
      generateJoinPassword: () => {
        passwordCounter += 1;
        return `One-Time-${passwordCounter}-Pw`;
      },
      intentGraceSeconds: 60,
    },
  });
  return { harness, directory };
}

const passwordIn = (script: string | undefined) => /-String '([^']+)'/.exec(script ?? '')?.[1];

describe('Active Directory computer records', () => {
  test('a record is created in the OU before each server, and its script carries the AD domain and that one-time password', async () => {
    const { harness, directory } = windowsHarness();
    const result = await harness.tick();
    expect(result.actions.created).toHaveLength(2);
    expect(directory.objects.size).toBe(2);
    const passwords = new Set<string>();
    for (const call of harness.provider.createCalls) {
      const record = [...directory.objects.values()].find((object) => object.instanceName === call.name)!;
      expect(record.dn).toBe(`CN=${record.computerName},${OU}`);
      expect(record.computerName).toMatch(/^WIN-[0-9A-F]{8}$/);
      expect(call.startupScript).toContain('Add-Computer -Domain "corp.example"');
      expect(call.startupScript).toContain(`Rename-Computer -NewName ${record.computerName}`);
      expect(passwordIn(call.startupScript)).toBe(record.joinPassword);
      passwords.add(record.joinPassword);
    }
    expect(passwords.size).toBe(2);
    expect(result.actions.computerRecordsCreated.sort()).toEqual([...directory.objects.keys()].sort());
    // The ledger and intents remember where each record is, never its password.
    const stored = JSON.stringify([await harness.store.listInstances(), await harness.store.listIntents()]);
    for (const password of passwords) expect(stored).not.toContain(password);
    for (const instance of await harness.store.listInstances())
      expect(instance.computerRecord?.dn).toBe(
        [...directory.objects.values()].find((object) => object.instanceName === instance.id)?.dn,
      );
  });

  test('destroying a server deletes its record', async () => {
    const { harness, directory } = windowsHarness();
    await harness.tick();
    expect(directory.objects.size).toBe(2);
    harness.autoscaler.updateConfig(windowsConfig({ minimumAvailableSessions: 0 }));
    await harness.tick();
    await harness.clock.advance(1000);
    await harness.tick();
    expect(harness.provider.instances()).toHaveLength(0);
    expect(directory.calls.delete).toBe(2);
    expect(directory.objects.size).toBe(0);
  });

  test('a crash between the record and the server: after restart the intent fails and the record is deleted', async () => {
    const { harness, directory } = windowsHarness({ config: windowsConfig({ minimumAvailableSessions: 0 }) });
    const intent = await seedOpenIntent({
      store: harness.store,
      key: 'hr-crashed0000000000000',
      instanceName: 'win-rdp-0badc0de',
      pool: 'win',
      autoscale: 'rdp',
      atMs: T0,
      requested: { shape: { cores: 0, memoryMb: 0, gpus: 0 } },
    });
    const computerRecord = { ldapConfig: 'corp', dn: `CN=WIN-0BADC0DE,${OU}`, computerName: 'WIN-0BADC0DE' };
    await harness.store.putIntent({ epoch: 1, intent: { ...intent, computerRecord } });
    await directory.createComputerRecord({
      ouDn: OU,
      computerName: 'WIN-0BADC0DE',
      instanceName: 'win-rdp-0badc0de',
      intentKey: intent.key,
      managedBy: 'headroom',
      joinPassword: 'Crashed-Pw-1',
    });
    harness.restart();
    await harness.tick();
    expect(directory.objects.size).toBe(1); // within the intent grace: the create may still land
    await harness.clock.advance(61_000);
    const result = await harness.tick();
    expect(result.actions.computerRecordsDeleted).toEqual([computerRecord.dn]);
    expect(directory.objects.size).toBe(0);
    expect((await harness.store.listIntents()).find((entry) => entry.key === intent.key)?.status).toBe('failed');
    expect(harness.provider.createCalls).toHaveLength(0);
  });

  test('a directory failure fails the create before the provider is called', async () => {
    const { harness, directory } = windowsHarness();
    directory.failWith = new DirectoryError({ directory: 'corp', problem: 'permission', message: 'denied' });
    const result = await harness.tick();
    expect(harness.provider.createCalls).toHaveLength(0);
    expect(result.actions.createFailed).toBeGreaterThan(0);
    expect(await harness.store.listInstances()).toEqual([]);
    expect((await harness.store.listIntents()).every((intent) => intent.status === 'failed')).toBe(true);
  });

  test('a failed server create deletes the record it made', async () => {
    const { harness, directory } = windowsHarness({ config: windowsConfig({ minimumAvailableSessions: 1 }) });
    harness.provider.nextCreateError = new ProviderApiError({
      providerId: 'fake',
      message: 'bad request',
      statusCode: 400,
    });
    const result = await harness.tick();
    expect(result.actions.created).toEqual([]);
    expect(result.actions.computerRecordsCreated).toHaveLength(1);
    expect(result.actions.computerRecordsDeleted).toEqual(result.actions.computerRecordsCreated);
    expect(directory.objects.size).toBe(0);
  });

  test('stale records of this installation are collected; records of another are not', async () => {
    const { harness, directory } = windowsHarness({ config: windowsConfig({ minimumAvailableSessions: 0 }) });
    for (const [managedBy, name] of [
      ['headroom', 'WIN-00000001'],
      ['other-install', 'WIN-00000002'],
    ] as const) {
      await directory.createComputerRecord({
        ouDn: OU,
        computerName: name,
        instanceName: `win-rdp-${name.slice(4).toLowerCase()}`,
        intentKey: `hr-${name}`,
        managedBy,
        joinPassword: 'x',
      });
    }
    const result = await harness.tick();
    expect(result.actions.computerRecordsDeleted).toEqual([`CN=WIN-00000001,${OU}`]);
    expect([...directory.objects.keys()]).toEqual([`CN=WIN-00000002,${OU}`]);
  });
});

describe('connection secrets', () => {
  test('a blank static password is read from the provider once the server runs, with bounded attempts', async () => {
    const clock = createFakeClock({ startMs: T0 });
    let available = false;
    let calls = 0;
    const harness = createHarness({
      clock,
      config: windowsConfig({
        minimumAvailableSessions: 1,
        activeDirectory: undefined,
        startupScript: 'echo {server_id}',
      }),
      wrapProvider: (provider) => ({
        ...provider,
        createInstance: provider.createInstance.bind(provider),
        destroyInstance: provider.destroyInstance.bind(provider),
        listInstances: provider.listInstances.bind(provider),
        async retrieveConnectionSecret() {
          calls += 1;
          return available ? 'Windows-Admin-Pw-1' : undefined;
        },
      }),
    });
    await harness.tick();
    await harness.clock.advance(1000);
    await harness.tick();
    expect((await harness.store.listInstances())[0]?.connectionSecret).toBeUndefined();
    available = true;
    await harness.tick();
    const [entry] = await harness.store.listInstances();
    expect(entry?.connectionSecret).toBe('Windows-Admin-Pw-1');
    const callsAfter = calls;
    await harness.tick();
    expect(calls).toBe(callsAfter);

    available = false;
    const other = createHarness({
      clock: createFakeClock({ startMs: T0 }),
      config: windowsConfig({
        minimumAvailableSessions: 1,
        activeDirectory: undefined,
        startupScript: 'echo {server_id}',
      }),
      wrapProvider: (provider) => ({
        ...provider,
        createInstance: provider.createInstance.bind(provider),
        destroyInstance: provider.destroyInstance.bind(provider),
        listInstances: provider.listInstances.bind(provider),
        retrieveConnectionSecret: async () => undefined,
      }),
    });
    for (let tick = 0; tick < MAX_CONNECTION_SECRET_ATTEMPTS + 5; tick++) await other.tick();
    expect((await other.store.listInstances())[0]?.connectionSecretAttempts).toBe(MAX_CONNECTION_SECRET_ATTEMPTS);
  });
});
