import {
  type Clock,
  type ComputeProviderV1,
  type CreateInstanceOptionsV1,
  type DestroyInstanceOptionsV1,
  type ListInstancesOptionsV1,
  matchesTags,
  ProviderApiError,
  type ProviderInstance,
  parseProviderSettings,
  QuotaExceededError,
  resolveSecret,
  systemClock,
  systemTimers,
  type Timers,
} from '@headroom/core/provider';
import { convertToVsphereCloneParameters, optionValue } from './convert-to-vsphere-clone-spec.js';
import { guestProgramFor } from './guest-program.js';
import {
  isManaged,
  toProviderInstance,
  toVirtualMachineView,
  type VirtualMachineView,
  VM_PROPERTIES,
  VSPHERE_EXTRA_CONFIG_KEYS,
} from './map-vsphere-virtual-machine.js';
import { VSPHERE_PROVIDER_ID } from './vsphere-error.js';
import { configError, createVsphereInventory } from './vsphere-placement.js';
import {
  type ResolvedVsphereProviderSettings,
  type VsphereProviderSettings,
  vsphereProviderSettingsSchema,
} from './vsphere-provider-settings.js';
import {
  isMissingObjectError,
  type ManagedObjectReference,
  referenceOf,
  type SoapNode,
  type SoapValue,
  textOf,
  VsphereSoapClient,
} from './vsphere-soap-client.js';

export { VSPHERE_EXTRA_CONFIG_KEYS } from './map-vsphere-virtual-machine.js';

/** The vSphere adapter; `client` is exposed for tests and diagnostics. */
export interface VsphereProvider extends ComputeProviderV1 {
  readonly providerId: 'vsphere';
  readonly client: VsphereSoapClient;
}

function parseSettings(settings: VsphereProviderSettings): ResolvedVsphereProviderSettings {
  const {
    fetch: _fetch,
    taskPollIntervalMs: _taskPollIntervalMs,
    clock: _clock,
    timers: _timers,
    ...configured
  } = settings;
  return parseProviderSettings({
    schema: vsphereProviderSettingsSchema,
    settings: configured,
    providerId: VSPHERE_PROVIDER_ID,
  });
}

/**
 * Creates the vSphere adapter: clones VMs from a template through vCenter's vim25 SOAP API.
 * Settings are checked here; secrets are resolved at the first login.
 * @throws InvalidProviderConfigError when a setting is missing or malformed (the field is named).
 */
export function createVsphereProvider(settings: VsphereProviderSettings): VsphereProvider {
  const resolved = parseSettings(settings);
  const clock: Clock = settings.clock ?? systemClock;
  const timers: Timers = settings.timers ?? systemTimers;
  const client = new VsphereSoapClient({
    clock,
    timers,
    url: `${resolved.protocol}://${resolved.vcenterAddress}:${resolved.vcenterPort}/sdk`,
    username: resolved.username,
    password: () => resolveSecret({ value: resolved.password, field: 'password', providerId: VSPHERE_PROVIDER_ID }),
    requestTimeoutMs: resolved.requestTimeoutMs,
    ...(settings.taskPollIntervalMs === undefined ? {} : { taskPollIntervalMs: settings.taskPollIntervalMs }),
    ...(settings.fetch ? { fetch: settings.fetch } : {}),
  });
  const { placement, propertiesOf } = createVsphereInventory({ client, settings: resolved });

  async function managedVirtualMachines(abortSignal: AbortSignal | undefined): Promise<VirtualMachineView[]> {
    const { datacenterVmFolder } = await placement(abortSignal);
    const objects = await client.retrieveContainerProperties({
      container: datacenterVmFolder,
      type: 'VirtualMachine',
      paths: VM_PROPERTIES,
      ...(abortSignal ? { abortSignal } : {}),
    });
    return objects.map(toVirtualMachineView).filter(isManaged);
  }

  async function virtualMachine(
    reference: ManagedObjectReference,
    abortSignal: AbortSignal | undefined,
  ): Promise<VirtualMachineView | undefined> {
    const [object] = await client.retrieveProperties({
      objects: [reference],
      type: 'VirtualMachine',
      paths: VM_PROPERTIES,
      ...(abortSignal ? { abortSignal } : {}),
    });
    return object ? toVirtualMachineView(object) : undefined;
  }

  async function findByIntent(
    idempotencyKey: string,
    abortSignal: AbortSignal | undefined,
  ): Promise<VirtualMachineView | undefined> {
    return (await managedVirtualMachines(abortSignal)).find(
      (view) => view.extraConfig.get(VSPHERE_EXTRA_CONFIG_KEYS.intent) === idempotencyKey,
    );
  }

  async function runTask(
    method: string,
    thisReference: ManagedObjectReference,
    parameters: Record<string, SoapValue>,
    abortSignal: AbortSignal | undefined,
  ): Promise<SoapNode | undefined> {
    return client.runTask({
      method,
      thisReference,
      parameters,
      timeoutMs: resolved.taskTimeoutMs,
      ...(abortSignal ? { abortSignal } : {}),
    });
  }

  async function cloneVirtualMachine(
    options: CreateInstanceOptionsV1,
    script: string | undefined,
  ): Promise<ManagedObjectReference | undefined> {
    const clonePlacement = await placement(options.abortSignal);
    const parameters = convertToVsphereCloneParameters({
      create: options,
      placement: clonePlacement,
      script,
      startupScriptMethod: resolved.startupScriptMethod,
    });
    return referenceOf(await runTask('CloneVM_Task', clonePlacement.template, parameters, options.abortSignal));
  }

  async function waitForGuestTools(
    reference: ManagedObjectReference,
    abortSignal: AbortSignal | undefined,
  ): Promise<void> {
    const deadline = clock.now() + resolved.guestReadyTimeoutMs;
    let intervalMs = settings.taskPollIntervalMs ?? 1000;
    for (;;) {
      const view = await virtualMachine(reference, abortSignal);
      if (view?.toolsRunningStatus === 'guestToolsRunning') {
        return;
      }
      if (clock.now() >= deadline) {
        throw new ProviderApiError({
          providerId: VSPHERE_PROVIDER_ID,
          code: 'GuestToolsTimeout',
          isRetryable: true,
          message: `VMware Tools did not start in ${reference.value} within ${resolved.guestReadyTimeoutMs} ms`,
        });
      }
      await timers.sleep(intervalMs, abortSignal);
      intervalMs = Math.min(intervalMs * 2, 5000);
    }
  }

  async function runStartupProgram(
    view: VirtualMachineView,
    script: string,
    abortSignal: AbortSignal | undefined,
  ): Promise<void> {
    const program = guestProgramFor({ osFamily: resolved.osFamily, script });
    await waitForGuestTools(view.reference, abortSignal);
    const guestOperationsManager = await client.serviceReference('guestOperationsManager', abortSignal);
    const processManager = referenceOf(
      (await propertiesOf(guestOperationsManager, ['processManager'], abortSignal)).processManager,
    );
    if (!processManager) {
      throw configError('startupScriptMethod', 'this vCenter offers no guest process manager');
    }
    const guestUsername = resolved.guestUsername ?? '';
    const guestPassword = await resolveSecret({
      value: resolved.guestPassword ?? '',
      field: 'guestPassword',
      providerId: VSPHERE_PROVIDER_ID,
    });
    const processId = textOf(
      await client.invoke({
        method: 'StartProgramInGuest',
        thisReference: processManager,
        parameters: {
          vm: view.reference,
          auth: {
            $type: 'NamePasswordAuthentication',
            interactiveSession: false,
            username: guestUsername,
            password: guestPassword,
          },
          spec: { $type: 'GuestProgramSpec', programPath: program.programPath, arguments: program.arguments },
        },
        ...(abortSignal ? { abortSignal } : {}),
      }),
    );
    await runTask(
      'ReconfigVM_Task',
      view.reference,
      {
        spec: {
          $type: 'VirtualMachineConfigSpec',
          extraConfig: optionValue(VSPHERE_EXTRA_CONFIG_KEYS.startupProgram, `started pid ${processId ?? 'unknown'}`),
        },
      },
      abortSignal,
    );
  }

  /** Brings a cloned VM to its configured hardware, powers it on and runs the startup script; each step is skipped when already done. */
  async function completeProvisioning(
    view: VirtualMachineView,
    script: string | undefined,
    abortSignal: AbortSignal | undefined,
  ): Promise<VirtualMachineView> {
    let current = view;
    if (current.powerState === 'poweredOff') {
      if (current.numCpus !== resolved.cpus || current.memoryMb !== resolved.memoryMb) {
        await runTask(
          'ReconfigVM_Task',
          current.reference,
          { spec: { $type: 'VirtualMachineConfigSpec', numCPUs: resolved.cpus, memoryMB: resolved.memoryMb } },
          abortSignal,
        );
      }
      await runTask('PowerOnVM_Task', current.reference, {}, abortSignal);
      current = (await virtualMachine(current.reference, abortSignal)) ?? current;
    }
    if (
      script !== undefined &&
      resolved.startupScriptMethod === 'guest-operations' &&
      !current.extraConfig.has(VSPHERE_EXTRA_CONFIG_KEYS.startupProgram)
    ) {
      await runStartupProgram(current, script, abortSignal);
      current = (await virtualMachine(current.reference, abortSignal)) ?? current;
    }
    return current;
  }

  async function createInstance(options: CreateInstanceOptionsV1): Promise<ProviderInstance> {
    const { abortSignal } = options;
    abortSignal?.throwIfAborted();
    const script = options.startupScript ?? resolved.startupScript;
    if (script !== undefined && resolved.startupScriptMethod === 'guest-operations') {
      guestProgramFor({ osFamily: resolved.osFamily, script });
    }
    const managed = await managedVirtualMachines(abortSignal);
    let view = managed.find(
      (candidate) => candidate.extraConfig.get(VSPHERE_EXTRA_CONFIG_KEYS.intent) === options.idempotencyKey,
    );
    if (!view) {
      if (managed.length >= resolved.maxInstances) {
        throw new QuotaExceededError({
          providerId: VSPHERE_PROVIDER_ID,
          message: `maxInstances (${resolved.maxInstances}) reached: ${managed.length} Headroom VMs exist in datacenter "${resolved.datacenter}"`,
        });
      }
      let reference: ManagedObjectReference | undefined;
      try {
        reference = await cloneVirtualMachine(options, script);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'DuplicateName') {
          throw error;
        }
        view = await findByIntent(options.idempotencyKey, abortSignal);
        if (!view) {
          throw error;
        }
      }
      if (!view) {
        view = reference
          ? await virtualMachine(reference, abortSignal)
          : await findByIntent(options.idempotencyKey, abortSignal);
      }
      if (!view) {
        throw new ProviderApiError({
          providerId: VSPHERE_PROVIDER_ID,
          code: 'CloneNotFound',
          isRetryable: true,
          message: `the clone "${options.name}" cannot be found after its task succeeded`,
        });
      }
    }
    return toProviderInstance(await completeProvisioning(view, script, abortSignal));
  }

  async function destroyInstance(options: DestroyInstanceOptionsV1): Promise<void> {
    const { abortSignal } = options;
    abortSignal?.throwIfAborted();
    const reference: ManagedObjectReference = { type: 'VirtualMachine', value: options.instanceId };
    const view = await virtualMachine(reference, abortSignal);
    if (!view) {
      return;
    }
    if (view.isTemplate || !view.extraConfig.has(VSPHERE_EXTRA_CONFIG_KEYS.intent)) {
      throw new ProviderApiError({
        providerId: VSPHERE_PROVIDER_ID,
        code: 'NotManagedByHeadroom',
        isRetryable: false,
        message: `VM ${options.instanceId} (${view.name}) was not created by Headroom; refusing to destroy it`,
      });
    }
    try {
      if (view.powerState === 'poweredOn' || view.powerState === 'suspended') {
        await runTask('PowerOffVM_Task', reference, {}, abortSignal).catch((error: unknown) => {
          if ((error as { code?: unknown }).code !== 'InvalidPowerState') {
            throw error;
          }
        });
      }
      await runTask('Destroy_Task', reference, {}, abortSignal);
    } catch (error) {
      if (!isMissingObjectError(error)) {
        throw error;
      }
    }
  }

  async function listInstances(options: ListInstancesOptionsV1): Promise<ProviderInstance[]> {
    options.abortSignal?.throwIfAborted();
    return (await managedVirtualMachines(options.abortSignal))
      .map(toProviderInstance)
      .filter((instance) => matchesTags(instance.tags, options.tags));
  }

  return {
    specificationVersion: 'v1',
    providerId: VSPHERE_PROVIDER_ID,
    client,
    createInstance,
    destroyInstance,
    listInstances,
    async close() {
      await client.logout().catch(() => undefined);
    },
  } satisfies VsphereProvider;
}
