import { readFile } from 'node:fs/promises';
import {
  HEADROOM_TAGS,
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createAdministratorClient,
  markAsTemplate,
  type ProxyAnswer,
  type RunningVcsim,
  type SoapProxy,
  setGuestProperties,
  startSoapProxy,
  startVcsim,
  VCSIM_PASSWORD,
  VCSIM_USERNAME,
  vcsimAvailable,
  vcsimMissingMessage,
} from '../test/vcsim-harness.js';
import { createVsphereProvider, type VsphereProvider } from './vsphere-provider.js';
import type { VsphereProviderSettings } from './vsphere-provider-settings.js';
import { childOf, referenceOf, textOf, type VsphereSoapClient } from './vsphere-soap-client.js';

const TEMPLATE = 'DC0_C0_RP0_VM0';
const SHAPE = { cores: 2, memoryMb: 2048, gpus: 0 };

async function recorded(fileName: string, status = 200): Promise<ProxyAnswer> {
  return { status, body: await readFile(new URL(`./__fixtures__/recorded/${fileName}`, import.meta.url), 'utf8') };
}

function tagsFor(key: string): Record<string, string> {
  return {
    [HEADROOM_TAGS.managedBy]: 'vcsim-tests',
    [HEADROOM_TAGS.pool]: 'pool-a',
    [HEADROOM_TAGS.autoscale]: 'autoscale-a',
    [HEADROOM_TAGS.intent]: key,
  };
}

function createOptions(key: string, name = `headroom-${key}`) {
  return { name, idempotencyKey: key, tags: tagsFor(key), shape: SHAPE };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

if (!vcsimAvailable && process.env.CI) {
  test('vcsim is available', () => {
    throw new Error(vcsimMissingMessage);
  });
} else if (!vcsimAvailable) {
  console.warn(`vsphere vcsim tests skipped: ${vcsimMissingMessage}`);
  describe.skip(`vsphere against vcsim (skipped: ${vcsimMissingMessage})`, () => {
    test('vcsim', () => undefined);
  });
} else {
  describe('vsphere against vcsim', () => {
    let vcsim: RunningVcsim;
    let proxy: SoapProxy;
    let administrator: VsphereSoapClient;
    const providers: VsphereProvider[] = [];

    function provider(overrides: Partial<VsphereProviderSettings> = {}): VsphereProvider {
      const created = createVsphereProvider({
        vcenterAddress: proxy.host,
        vcenterPort: proxy.port,
        protocol: 'http',
        username: VCSIM_USERNAME,
        password: VCSIM_PASSWORD,
        templateName: TEMPLATE,
        datacenter: 'DC0',
        maxInstances: 50,
        cpus: 3,
        memoryMb: 3072,
        taskPollIntervalMs: 10,
        ...overrides,
      });
      providers.push(created);
      return created;
    }

    async function virtualMachineProperties(instanceId: string, paths: string[]) {
      const [object] = await administrator.retrieveProperties({
        objects: [{ type: 'VirtualMachine', value: instanceId }],
        type: 'VirtualMachine',
        paths,
      });
      return object?.properties;
    }

    async function extraConfigOf(instanceId: string): Promise<Map<string, string>> {
      const properties = await virtualMachineProperties(instanceId, ['config.extraConfig']);
      const entries = new Map<string, string>();
      const options = childOf(properties?.['config.extraConfig'], 'OptionValue');
      for (const option of Array.isArray(options) ? options : options ? [options] : []) {
        entries.set(textOf(childOf(option, 'key')) ?? '', textOf(childOf(option, 'value')) ?? '');
      }
      return entries;
    }

    beforeAll(async () => {
      vcsim = await startVcsim();
      proxy = await startSoapProxy(vcsim.url);
      administrator = createAdministratorClient(vcsim.url);
      await markAsTemplate(administrator, TEMPLATE);
    }, 30_000);

    afterAll(async () => {
      await Promise.all(providers.map((created) => created.close?.()));
      await proxy?.close();
      await vcsim?.stop();
    });

    test('clones the template, reconfigures CPUs and memory, powers on and delivers the script through guestinfo', async () => {
      const vsphere = provider();
      const script = '#!/bin/bash\necho "héllo & <headroom>"\n';
      const instance = await vsphere.createInstance({ ...createOptions('lifecycle-1'), startupScript: script });

      expect(instance).toMatchObject({ name: 'headroom-lifecycle-1', state: 'pending', shape: SHAPE });
      expect(instance.tags).toEqual(tagsFor('lifecycle-1'));
      expect(instance.privateAddress).toBeUndefined();
      const properties = await virtualMachineProperties(instance.instanceId, [
        'runtime.powerState',
        'config.hardware.numCPU',
        'config.hardware.memoryMB',
        'config.template',
        'resourcePool',
      ]);
      expect(textOf(properties?.['runtime.powerState'])).toBe('poweredOn');
      expect(textOf(properties?.['config.hardware.numCPU'])).toBe('3');
      expect(textOf(properties?.['config.hardware.memoryMB'])).toBe('3072');
      expect(textOf(properties?.['config.template'])).toBe('false');
      expect(referenceOf(properties?.resourcePool)?.type).toBe('ResourcePool');
      const extraConfig = await extraConfigOf(instance.instanceId);
      expect(Buffer.from(extraConfig.get('guestinfo.userdata') ?? '', 'base64').toString('utf8')).toBe(script);
      expect(extraConfig.get('guestinfo.userdata.encoding')).toBe('base64');
      expect(extraConfig.get('guestinfo.headroom.intent')).toBe('lifecycle-1');

      await setGuestProperties(
        administrator,
        { type: 'VirtualMachine', value: instance.instanceId },
        {
          'guest.ipAddress': '10.20.30.40',
        },
      );
      const [listed] = await vsphere.listInstances({ tags: { [HEADROOM_TAGS.intent]: 'lifecycle-1' } });
      expect(listed).toMatchObject({
        instanceId: instance.instanceId,
        state: 'running',
        privateAddress: '10.20.30.40',
      });

      await vsphere.destroyInstance({ instanceId: instance.instanceId });
      expect(await virtualMachineProperties(instance.instanceId, ['name'])).toBeUndefined();
      expect(await vsphere.listInstances({ tags: { [HEADROOM_TAGS.intent]: 'lifecycle-1' } })).toEqual([]);
      await vsphere.destroyInstance({ instanceId: instance.instanceId });
      await vsphere.destroyInstance({ instanceId: 'vm-does-not-exist' });
    });

    test('finds the VM of an interrupted create by its intent and finishes it (crash after the clone)', async () => {
      const vsphere = provider();
      proxy.answerNext('PowerOnVM_Task', { status: 502, body: 'Bad Gateway', contentType: 'text/plain' });
      const error = await rejectionOf(vsphere.createInstance(createOptions('resume-1')));
      expect(ProviderApiError.isInstance(error) && error.isRetryable).toBe(true);

      const restarted = provider();
      const [orphan] = await restarted.listInstances({ tags: { [HEADROOM_TAGS.intent]: 'resume-1' } });
      expect(orphan).toMatchObject({ name: 'headroom-resume-1', state: 'pending', tags: tagsFor('resume-1') });

      const clonesBefore = proxy.methods.filter((method) => method === 'CloneVM_Task').length;
      const resumed = await restarted.createInstance(createOptions('resume-1'));
      expect(resumed.instanceId).toBe(orphan?.instanceId);
      expect(proxy.methods.filter((method) => method === 'CloneVM_Task').length).toBe(clonesBefore);
      const properties = await virtualMachineProperties(resumed.instanceId, ['runtime.powerState']);
      expect(textOf(properties?.['runtime.powerState'])).toBe('poweredOn');
      await restarted.destroyInstance({ instanceId: resumed.instanceId });
    });

    test('a wrong password is an InvalidProviderConfigError that does not reveal the password', async () => {
      const vsphere = provider({ password: 'Wrong-Password-77' });
      const error = await rejectionOf(vsphere.listInstances({ tags: {} }));
      expect(InvalidProviderConfigError.isInstance(error)).toBe(true);
      expect((error as InvalidProviderConfigError).field).toBe('username');
      expect((error as Error).message).toContain('InvalidLogin');
      expect((error as Error).message).not.toContain('Wrong-Password-77');
    });

    test('a password from the environment logs in', async () => {
      process.env.HEADROOM_VCSIM_TEST_PASSWORD = VCSIM_PASSWORD;
      try {
        const vsphere = provider({ password: { env: 'HEADROOM_VCSIM_TEST_PASSWORD' } });
        expect(Array.isArray(await vsphere.listInstances({ tags: {} }))).toBe(true);
      } finally {
        delete process.env.HEADROOM_VCSIM_TEST_PASSWORD;
      }
    });

    test('a missing template, datacenter or folder is an InvalidProviderConfigError naming the field', async () => {
      for (const [overrides, field] of [
        [{ templateName: 'no-such-template' }, 'templateName'],
        [{ datacenter: 'DC9' }, 'datacenter'],
        [{ vmFolder: 'no/such/folder' }, 'vmFolder'],
        [{ datastore: 'no-such-datastore' }, 'datastore'],
        [{ cluster: 'no-such-cluster' }, 'cluster'],
      ] as const) {
        const error = await rejectionOf(provider(overrides).createInstance(createOptions(`missing-${field}`)));
        expect(InvalidProviderConfigError.isInstance(error), `${field}: ${String(error)}`).toBe(true);
        expect((error as InvalidProviderConfigError).field).toBe(field);
      }
    });

    test('explicit placement (folder, cluster, resource pool, datastore) is used for the clone', async () => {
      const placed = provider({ cluster: 'DC0_C0', datastore: 'LocalDS_0' });
      const instance = await placed.createInstance(createOptions('placement-1'));
      const properties = await virtualMachineProperties(instance.instanceId, ['resourcePool', 'datastore']);
      expect(referenceOf(properties?.resourcePool)?.type).toBe('ResourcePool');
      const cloneRequest = proxy.requests.filter((request) => request.method === 'CloneVM_Task').at(-1)?.body ?? '';
      expect(cloneRequest).toMatch(/<datastore type="Datastore">[^<]+<\/datastore>/);
      expect(cloneRequest).toMatch(/<pool type="ResourcePool">[^<]+<\/pool>/);
      await placed.destroyInstance({ instanceId: instance.instanceId });
    });

    test('a full datastore (NoDiskSpace in the clone task, recorded) is an InsufficientCapacityError', async () => {
      const vsphere = provider();
      proxy.answerNext('CloneVM_Task', await recorded('clone-vm-task.response.xml'));
      proxy.answerNext(
        'RetrievePropertiesEx',
        await recorded('clone-task-no-disk-space.task-info.xml'),
        'task-recorded-1',
      );
      const error = await rejectionOf(vsphere.createInstance(createOptions('full-1')));
      expect(InsufficientCapacityError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain('NoDiskSpace');
    });

    test('a failed task (vcsim: powering on a running VM) is a non-retryable ProviderApiError', async () => {
      const vsphere = provider();
      const instance = await vsphere.createInstance(createOptions('task-1'));
      const error = await rejectionOf(
        vsphere.client.runTask({
          method: 'PowerOnVM_Task',
          thisReference: { type: 'VirtualMachine', value: instance.instanceId },
          timeoutMs: 10_000,
        }),
      );
      expect(ProviderApiError.isInstance(error)).toBe(true);
      expect((error as ProviderApiError).code).toBe('InvalidPowerState');
      expect((error as ProviderApiError).isRetryable).toBe(false);
      await vsphere.destroyInstance({ instanceId: instance.instanceId });
    });

    test('destroy still succeeds when its power-off task fails because the VM was powered off meanwhile', async () => {
      const vsphere = provider();
      const instance = await vsphere.createInstance(createOptions('task-2'));
      const reference = { type: 'VirtualMachine', value: instance.instanceId };
      proxy.beforeNext('PowerOffVM_Task', async () => {
        await administrator.runTask({ method: 'PowerOffVM_Task', thisReference: reference, timeoutMs: 10_000 });
      });
      await vsphere.destroyInstance({ instanceId: instance.instanceId });
      expect(await virtualMachineProperties(instance.instanceId, ['name'])).toBeUndefined();
    });

    test('maxInstances is enforced by the adapter', async () => {
      const vsphere = provider({ maxInstances: 0 });
      const error = await rejectionOf(vsphere.createInstance(createOptions('quota-1')));
      expect(QuotaExceededError.isInstance(error)).toBe(true);
    });

    test('a session that expires mid-run is renewed transparently', async () => {
      const vsphere = provider();
      await vsphere.listInstances({ tags: {} });
      expect(vsphere.client.loginCount).toBe(1);
      const sessionManager = await vsphere.client.serviceReference('sessionManager');
      const [session] = await vsphere.client.retrieveProperties({
        objects: [sessionManager],
        type: 'SessionManager',
        paths: ['currentSession'],
      });
      const sessionKey = textOf(childOf(session?.properties.currentSession, 'key'));
      expect(sessionKey).toBeTruthy();
      await administrator.invoke({
        method: 'TerminateSession',
        thisReference: await administrator.serviceReference('sessionManager'),
        parameters: { sessionId: sessionKey ?? '' },
      });

      const instance = await vsphere.createInstance(createOptions('expiry-1'));
      expect(vsphere.client.loginCount).toBe(2);
      await vsphere.destroyInstance({ instanceId: instance.instanceId });
    });

    test('vmFolder, resourcePool and datastoreCluster are resolved by inventory path and used for the clone', async () => {
      const searchIndex = await administrator.serviceReference('searchIndex');
      const find = async (inventoryPath: string) =>
        referenceOf(
          await administrator.invoke({
            method: 'FindByInventoryPath',
            thisReference: searchIndex,
            parameters: { inventoryPath },
          }),
        );
      const datacenter = await find('DC0');
      const [datacenterFolders] = await administrator.retrieveProperties({
        objects: [datacenter ?? { type: 'Datacenter', value: '' }],
        type: 'Datacenter',
        paths: ['vmFolder', 'datastoreFolder'],
      });
      const folder = referenceOf(
        await administrator.invoke({
          method: 'CreateFolder',
          thisReference: referenceOf(datacenterFolders?.properties.vmFolder) ?? { type: 'Folder', value: '' },
          parameters: { name: 'headroom-agents' },
        }),
      );
      const allocation = {
        $type: 'ResourceAllocationInfo',
        reservation: 0,
        expandableReservation: true,
        limit: -1,
        shares: { $type: 'SharesInfo', shares: 4000, level: 'normal' },
      };
      const pool = referenceOf(
        await administrator.invoke({
          method: 'CreateResourcePool',
          thisReference: (await find('DC0/host/DC0_C0/Resources')) ?? { type: 'ResourcePool', value: '' },
          parameters: {
            name: 'headroom-pool',
            spec: { $type: 'ResourceConfigSpec', cpuAllocation: allocation, memoryAllocation: allocation },
          },
        }),
      );
      const storagePod = referenceOf(
        await administrator.invoke({
          method: 'CreateStoragePod',
          thisReference: referenceOf(datacenterFolders?.properties.datastoreFolder) ?? { type: 'Folder', value: '' },
          parameters: { name: 'headroom-datastores' },
        }),
      );
      const datastore = await find('DC0/datastore/LocalDS_0');
      await administrator.runTask({
        method: 'MoveIntoFolder_Task',
        thisReference: storagePod ?? { type: 'StoragePod', value: '' },
        parameters: { list: datastore ?? { type: 'Datastore', value: '' } },
        timeoutMs: 10_000,
      });

      const vsphere = provider({
        vmFolder: 'headroom-agents',
        resourcePool: 'headroom-pool',
        datastoreCluster: 'headroom-datastores',
      });
      const instance = await vsphere.createInstance(createOptions('placement-2'));
      const properties = await virtualMachineProperties(instance.instanceId, ['parent', 'resourcePool']);
      expect(referenceOf(properties?.parent)).toEqual(folder);
      expect(referenceOf(properties?.resourcePool)).toEqual(pool);
      const cloneRequest = proxy.requests.filter((request) => request.method === 'CloneVM_Task').at(-1)?.body ?? '';
      expect(cloneRequest).toContain(`<datastore type="Datastore">${datastore?.value}</datastore>`);
      await vsphere.destroyInstance({ instanceId: instance.instanceId });
    });

    describe('guest operations (vcsim for the VM, recorded StartProgramInGuest answers)', () => {
      async function createWithGuestTools(vsphere: VsphereProvider, key: string, script: string) {
        const creating = vsphere.createInstance({ ...createOptions(key), startupScript: script });
        creating.catch(() => undefined);
        const lister = provider();
        let ready = false;
        for (let attempt = 0; attempt < 200 && !ready; attempt++) {
          const [listed] = await lister.listInstances({ tags: { [HEADROOM_TAGS.intent]: key } });
          const properties = listed
            ? await virtualMachineProperties(listed.instanceId, ['runtime.powerState'])
            : undefined;
          if (listed && textOf(properties?.['runtime.powerState']) === 'poweredOn') {
            await setGuestProperties(
              administrator,
              { type: 'VirtualMachine', value: listed.instanceId },
              {
                'guest.toolsRunningStatus': 'guestToolsRunning',
              },
            );
            ready = true;
          } else {
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
        expect(ready).toBe(true);
        return creating;
      }

      test('runs the Linux startup script with bash under the guest account', async () => {
        const vsphere = provider({
          startupScriptMethod: 'guest-operations',
          guestUsername: 'kasm-admin',
          guestPassword: 'Guest-Secret-9',
        });
        proxy.answerNext('StartProgramInGuest', await recorded('start-program-in-guest.response.xml'));
        const script = 'curl -fsSL https://example.invalid/agent.sh | bash\necho done';
        const instance = await createWithGuestTools(vsphere, 'guest-linux-1', script);

        const request = proxy.requests.filter((entry) => entry.method === 'StartProgramInGuest').at(-1)?.body ?? '';
        expect(request).toContain('<vm type="VirtualMachine">' + instance.instanceId + '</vm>');
        expect(request).toContain(
          '<auth xsi:type="NamePasswordAuthentication"><interactiveSession>false</interactiveSession><username>kasm-admin</username><password>Guest-Secret-9</password></auth>',
        );
        expect(request).toContain('<programPath>/bin/bash</programPath>');
        const encoded = /echo ([A-Za-z0-9+/=]+) \| base64 -d/.exec(request)?.[1] ?? '';
        expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe(script);
        expect((await extraConfigOf(instance.instanceId)).get('guestinfo.headroom.startup-program')).toBe(
          'started pid 4242',
        );
        expect((await extraConfigOf(instance.instanceId)).has('guestinfo.userdata')).toBe(false);

        const startsBefore = proxy.methods.filter((method) => method === 'StartProgramInGuest').length;
        const again = await vsphere.createInstance({ ...createOptions('guest-linux-1'), startupScript: script });
        expect(again.instanceId).toBe(instance.instanceId);
        expect(proxy.methods.filter((method) => method === 'StartProgramInGuest').length).toBe(startsBefore);
        await vsphere.destroyInstance({ instanceId: instance.instanceId });
      });

      test('runs the Windows startup script with PowerShell -EncodedCommand', async () => {
        const vsphere = provider({
          osFamily: 'windows',
          startupScriptMethod: 'guest-operations',
          guestUsername: 'Administrator',
          guestPassword: 'Guest-Secret-9',
        });
        proxy.answerNext('StartProgramInGuest', await recorded('start-program-in-guest.response.xml'));
        const script = 'Write-Output "héllo"; Start-Service kasm';
        const instance = await createWithGuestTools(vsphere, 'guest-windows-1', script);
        const request = proxy.requests.filter((entry) => entry.method === 'StartProgramInGuest').at(-1)?.body ?? '';
        expect(request).toContain(
          '<programPath>C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe</programPath>',
        );
        const encoded = /-EncodedCommand ([A-Za-z0-9+/=]+)/.exec(request)?.[1] ?? '';
        expect(Buffer.from(encoded, 'base64').toString('utf16le')).toBe(script);
        await vsphere.destroyInstance({ instanceId: instance.instanceId });
      });

      test('wrong guest credentials (recorded InvalidGuestLogin) are an InvalidProviderConfigError', async () => {
        const vsphere = provider({
          startupScriptMethod: 'guest-operations',
          guestUsername: 'kasm-admin',
          guestPassword: 'Wrong-Guest-Secret',
        });
        proxy.answerNext('StartProgramInGuest', await recorded('start-program-in-guest.invalid-guest-login.xml', 500));
        const error = await rejectionOf(createWithGuestTools(vsphere, 'guest-login-1', 'echo hi'));
        expect(InvalidProviderConfigError.isInstance(error)).toBe(true);
        expect((error as InvalidProviderConfigError).field).toBe('guestUsername');
        expect((error as Error).message).not.toContain('Wrong-Guest-Secret');
        const [left] = await vsphere.listInstances({ tags: { [HEADROOM_TAGS.intent]: 'guest-login-1' } });
        if (left) {
          await vsphere.destroyInstance({ instanceId: left.instanceId });
        }
      });
    });
  });
}
