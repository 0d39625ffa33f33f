import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ComputeProviderV1,
  type CreateInstanceOptionsV1,
  type DestroyInstanceOptionsV1,
  HEADROOM_TAGS,
  InvalidProviderConfigError,
  type ListInstancesOptionsV1,
  ProviderApiError,
  type ProviderInstance,
  type ProviderInstanceState,
  QuotaExceededError,
  type Resources,
  resolveSecret,
} from '@headroom/core/provider';
import { guestProgramFor } from './guest-program.js';
import { PROVIDER_ID } from './vsphere-error.js';
import {
  type ResolvedVsphereProviderSettings,
  type VsphereProviderSettings,
  vsphereProviderSettingsSchema,
} from './vsphere-provider-settings.js';
import {
  asArray,
  childOf,
  isMissingObjectError,
  type ManagedObjectReference,
  type RetrievedObject,
  referenceOf,
  type SoapNode,
  type SoapObject,
  type SoapValue,
  textOf,
  untilAborted,
  VsphereSoapClient,
} from './vsphere-soap-client.js';

/** extraConfig keys Headroom writes on every VM it clones (readable by the guest through guestinfo). */
export const VSPHERE_EXTRA_CONFIG_KEYS = {
  intent: 'guestinfo.headroom.intent',
  tags: 'guestinfo.headroom.tags',
  shape: 'guestinfo.headroom.shape',
  startupProgram: 'guestinfo.headroom.startup-program',
  userData: 'guestinfo.userdata',
  userDataEncoding: 'guestinfo.userdata.encoding',
} as const;

const VM_PROPERTIES = [
  'name',
  'config.template',
  'config.extraConfig',
  'config.createDate',
  'config.hardware.numCPU',
  'config.hardware.memoryMB',
  'runtime.powerState',
  'guest.ipAddress',
  'guest.toolsRunningStatus',
] as const;

/** The vSphere adapter; `client` is exposed for tests and diagnostics. */
export interface VsphereProvider extends ComputeProviderV1 {
  readonly providerId: 'vsphere';
  readonly client: VsphereSoapClient;
}

interface Placement {
  datacenter: ManagedObjectReference;
  datacenterVmFolder: ManagedObjectReference;
  template: ManagedObjectReference;
  folder: ManagedObjectReference;
  pool: ManagedObjectReference;
  datastore: ManagedObjectReference | undefined;
}

interface VirtualMachineView {
  reference: ManagedObjectReference;
  name: string;
  isTemplate: boolean;
  extraConfig: Map<string, string>;
  powerState: string | undefined;
  ipAddress: string | undefined;
  toolsRunningStatus: string | undefined;
  numCpus: number | undefined;
  memoryMb: number | undefined;
  createDate: string | undefined;
}

function configError(field: string, message: string): InvalidProviderConfigError {
  return new InvalidProviderConfigError({ providerId: PROVIDER_ID, field, message });
}

function parseSettings(settings: VsphereProviderSettings): ResolvedVsphereProviderSettings {
  const { fetch: _fetch, taskPollIntervalMs: _taskPollIntervalMs, ...configured } = settings;
  const parsed = vsphereProviderSettingsSchema.safeParse(configured);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw configError(issue?.path.join('.') || '(settings)', issue?.message ?? 'invalid settings');
  }
  return parsed.data;
}

function optionValue(key: string, value: string): SoapObject {
  return { $type: 'OptionValue', key, value: { $type: 'xsd:string', $text: value } };
}

function toVirtualMachineView(object: RetrievedObject): VirtualMachineView {
  const { properties } = object;
  const extraConfig = new Map<string, string>();
  for (const option of asArray(childOf(properties['config.extraConfig'], 'OptionValue'))) {
    const key = textOf(childOf(option, 'key'));
    if (key) {
      extraConfig.set(key, textOf(childOf(option, 'value')) ?? '');
    }
  }
  const numberOf = (node: SoapNode | undefined) => {
    const text = textOf(node);
    return text === undefined || text === '' ? undefined : Number(text);
  };
  return {
    reference: object.obj,
    name: textOf(properties.name) ?? '',
    isTemplate: textOf(properties['config.template']) === 'true',
    extraConfig,
    powerState: textOf(properties['runtime.powerState']),
    ipAddress: textOf(properties['guest.ipAddress']) || undefined,
    toolsRunningStatus: textOf(properties['guest.toolsRunningStatus']),
    numCpus: numberOf(properties['config.hardware.numCPU']),
    memoryMb: numberOf(properties['config.hardware.memoryMB']),
    createDate: textOf(properties['config.createDate']) || undefined,
  };
}

function parseJsonRecord(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(text);
    return value != null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function tagsOf(view: VirtualMachineView): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(
    parseJsonRecord(view.extraConfig.get(VSPHERE_EXTRA_CONFIG_KEYS.tags)) ?? {},
  )) {
    if (typeof value === 'string') {
      tags[key] = value;
    }
  }
  const intent = view.extraConfig.get(VSPHERE_EXTRA_CONFIG_KEYS.intent);
  if (intent) {
    tags[HEADROOM_TAGS.intent] = intent;
  }
  return tags;
}

function shapeOf(view: VirtualMachineView): Resources | undefined {
  const shape = parseJsonRecord(view.extraConfig.get(VSPHERE_EXTRA_CONFIG_KEYS.shape));
  if (
    shape &&
    typeof shape.cores === 'number' &&
    typeof shape.memoryMb === 'number' &&
    typeof shape.gpus === 'number'
  ) {
    return { cores: shape.cores, memoryMb: shape.memoryMb, gpus: shape.gpus };
  }
  return undefined;
}

/** poweredOn with a guest address is running; poweredOn without one, or still poweredOff after the clone, is pending. */
function stateOf(view: VirtualMachineView): ProviderInstanceState {
  if (view.powerState === 'poweredOn') {
    return view.ipAddress ? 'running' : 'pending';
  }
  if (view.powerState === 'suspended') {
    return 'stopping';
  }
  return 'pending';
}

function toProviderInstance(view: VirtualMachineView): ProviderInstance {
  const shape = shapeOf(view);
  return {
    instanceId: view.reference.value,
    name: view.name,
    state: stateOf(view),
    tags: tagsOf(view),
    ...(shape ? { shape } : {}),
    ...(view.ipAddress ? { privateAddress: view.ipAddress } : {}),
    ...(view.createDate && !Number.isNaN(Date.parse(view.createDate))
      ? { createdAt: new Date(view.createDate).toISOString() }
      : {}),
  };
}

function isManaged(view: VirtualMachineView): boolean {
  return !view.isTemplate && view.extraConfig.has(VSPHERE_EXTRA_CONFIG_KEYS.intent);
}

function carriesTags(instance: ProviderInstance, tags: Record<string, string>): boolean {
  return Object.entries(tags).every(([key, value]) => instance.tags[key] === value);
}

/**
 * Creates the vSphere adapter: clones VMs from a template through vCenter's vim25 SOAP API.
 * Settings are checked here; secrets are resolved at the first login.
 * @throws InvalidProviderConfigError when a setting is missing or malformed (the field is named).
 */
export function createVsphereProvider(settings: VsphereProviderSettings): VsphereProvider {
  const resolved = parseSettings(settings);
  const client = new VsphereSoapClient({
    url: `${resolved.protocol}://${resolved.vcenterAddress}:${resolved.vcenterPort}/sdk`,
    username: resolved.username,
    password: () => resolveSecret({ value: resolved.password, field: 'password', providerId: PROVIDER_ID }),
    requestTimeoutMs: resolved.requestTimeoutMs,
    ...(settings.taskPollIntervalMs === undefined ? {} : { taskPollIntervalMs: settings.taskPollIntervalMs }),
    ...(settings.fetch ? { fetch: settings.fetch } : {}),
  });
  let placementPromise: Promise<Placement> | undefined;

  async function findByInventoryPath(
    inventoryPath: string,
    abortSignal: AbortSignal | undefined,
  ): Promise<ManagedObjectReference | undefined> {
    const searchIndex = await client.serviceReference('searchIndex', abortSignal);
    return referenceOf(
      await client.invoke({
        method: 'FindByInventoryPath',
        thisReference: searchIndex,
        parameters: { inventoryPath },
        ...(abortSignal ? { abortSignal } : {}),
      }),
    );
  }

  async function propertiesOf(
    object: ManagedObjectReference,
    paths: readonly string[],
    abortSignal: AbortSignal | undefined,
  ): Promise<Record<string, SoapNode>> {
    const [retrieved] = await client.retrieveProperties({
      objects: [object],
      type: object.type,
      paths,
      ...(abortSignal ? { abortSignal } : {}),
    });
    return retrieved?.properties ?? {};
  }

  async function requireReference(options: {
    path: string;
    field: string;
    types: readonly string[];
    abortSignal: AbortSignal | undefined;
  }): Promise<ManagedObjectReference> {
    const reference = await findByInventoryPath(options.path, options.abortSignal);
    if (!reference || !options.types.includes(reference.type)) {
      throw configError(options.field, `no ${options.types.join(' or ')} at inventory path "${options.path}"`);
    }
    return reference;
  }

  async function findTemplate(
    datacenterVmFolder: ManagedObjectReference,
    abortSignal: AbortSignal | undefined,
  ): Promise<ManagedObjectReference> {
    const byPath = await findByInventoryPath(`${resolved.datacenter}/vm/${resolved.templateName}`, abortSignal);
    if (byPath?.type === 'VirtualMachine') {
      return byPath;
    }
    if (!resolved.templateName.includes('/')) {
      const candidates = await client.retrieveContainerProperties({
        container: datacenterVmFolder,
        type: 'VirtualMachine',
        paths: ['name', 'config.template'],
        ...(abortSignal ? { abortSignal } : {}),
      });
      const match = candidates.find(
        (candidate) =>
          textOf(candidate.properties.name) === resolved.templateName &&
          textOf(candidate.properties['config.template']) === 'true',
      );
      if (match) {
        return match.obj;
      }
    }
    throw configError(
      'templateName',
      `no VM template "${resolved.templateName}" in datacenter "${resolved.datacenter}"`,
    );
  }

  async function emptiestDatastoreOf(
    storagePod: ManagedObjectReference,
    abortSignal: AbortSignal | undefined,
  ): Promise<ManagedObjectReference> {
    const children = asArray(
      childOf((await propertiesOf(storagePod, ['childEntity'], abortSignal)).childEntity, 'ManagedObjectReference'),
    )
      .map(referenceOf)
      .filter((reference): reference is ManagedObjectReference => reference?.type === 'Datastore');
    const datastores = await client.retrieveProperties({
      objects: children,
      type: 'Datastore',
      paths: ['summary.freeSpace', 'summary.accessible'],
      ...(abortSignal ? { abortSignal } : {}),
    });
    const best = datastores
      .filter((datastore) => textOf(datastore.properties['summary.accessible']) !== 'false')
      .sort(
        (left, right) =>
          Number(textOf(right.properties['summary.freeSpace']) ?? 0) -
          Number(textOf(left.properties['summary.freeSpace']) ?? 0),
      )[0];
    if (!best) {
      throw configError(
        'datastoreCluster',
        `datastore cluster "${resolved.datastoreCluster}" has no accessible datastore`,
      );
    }
    return best.obj;
  }

  async function resolvePlacement(abortSignal: AbortSignal | undefined): Promise<Placement> {
    const datacenterName = resolved.datacenter;
    const datacenter = await requireReference({
      path: datacenterName,
      field: 'datacenter',
      types: ['Datacenter'],
      abortSignal,
    });
    const datacenterVmFolder = referenceOf((await propertiesOf(datacenter, ['vmFolder'], abortSignal)).vmFolder);
    if (!datacenterVmFolder) {
      throw configError('datacenter', `datacenter "${datacenterName}" has no VM folder`);
    }
    const template = await findTemplate(datacenterVmFolder, abortSignal);
    const templateProperties = await propertiesOf(template, ['parent', 'runtime.host'], abortSignal);

    const folder = resolved.vmFolder
      ? await requireReference({
          path: `${datacenterName}/vm/${resolved.vmFolder}`,
          field: 'vmFolder',
          types: ['Folder'],
          abortSignal,
        })
      : referenceOf(templateProperties.parent);
    if (!folder) {
      throw configError('vmFolder', 'the template has no folder; set vmFolder');
    }

    let clusterPath: string | undefined;
    let cluster: ManagedObjectReference | undefined;
    if (resolved.cluster) {
      clusterPath = `${datacenterName}/host/${resolved.cluster}`;
      cluster = await requireReference({
        path: clusterPath,
        field: 'cluster',
        types: ['ClusterComputeResource', 'ComputeResource'],
        abortSignal,
      });
    } else {
      const host = referenceOf(templateProperties['runtime.host']);
      cluster = host ? referenceOf((await propertiesOf(host, ['parent'], abortSignal)).parent) : undefined;
      if (!cluster) {
        throw configError('cluster', 'the template is on no host; set cluster');
      }
      clusterPath = `${datacenterName}/host/${textOf((await propertiesOf(cluster, ['name'], abortSignal)).name)}`;
    }
    const pool = resolved.resourcePool
      ? await requireReference({
          path: `${clusterPath}/Resources/${resolved.resourcePool}`,
          field: 'resourcePool',
          types: ['ResourcePool', 'VirtualApp'],
          abortSignal,
        })
      : referenceOf((await propertiesOf(cluster, ['resourcePool'], abortSignal)).resourcePool);
    if (!pool) {
      throw configError('resourcePool', `cluster at "${clusterPath}" has no resource pool`);
    }

    let datastore: ManagedObjectReference | undefined;
    if (resolved.datastore) {
      datastore = await requireReference({
        path: `${datacenterName}/datastore/${resolved.datastore}`,
        field: 'datastore',
        types: ['Datastore'],
        abortSignal,
      });
    } else if (resolved.datastoreCluster) {
      const storagePod = await requireReference({
        path: `${datacenterName}/datastore/${resolved.datastoreCluster}`,
        field: 'datastoreCluster',
        types: ['StoragePod'],
        abortSignal,
      });
      datastore = await emptiestDatastoreOf(storagePod, abortSignal);
    }
    return { datacenter, datacenterVmFolder, template, folder, pool, datastore };
  }

  /** The placement, looked up once and shared; a caller's abort signal ends only its own wait. */
  function placement(abortSignal: AbortSignal | undefined): Promise<Placement> {
    abortSignal?.throwIfAborted();
    if (!placementPromise) {
      const pending = resolvePlacement(undefined);
      placementPromise = pending;
      pending.catch(() => {
        if (placementPromise === pending) {
          placementPromise = undefined;
        }
      });
    }
    return untilAborted(placementPromise, abortSignal);
  }

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
    const { template, folder, pool, datastore } = await placement(options.abortSignal);
    const tags = { ...options.tags, [HEADROOM_TAGS.intent]: options.idempotencyKey };
    const extraConfig = [
      optionValue(VSPHERE_EXTRA_CONFIG_KEYS.intent, options.idempotencyKey),
      optionValue(VSPHERE_EXTRA_CONFIG_KEYS.tags, JSON.stringify(tags)),
      optionValue(VSPHERE_EXTRA_CONFIG_KEYS.shape, JSON.stringify(options.shape)),
    ];
    if (script !== undefined && resolved.startupScriptMethod === 'guestinfo') {
      extraConfig.push(
        optionValue(VSPHERE_EXTRA_CONFIG_KEYS.userData, Buffer.from(script, 'utf8').toString('base64')),
        optionValue(VSPHERE_EXTRA_CONFIG_KEYS.userDataEncoding, 'base64'),
      );
    }
    const result = await runTask(
      'CloneVM_Task',
      template,
      {
        folder,
        name: options.name,
        spec: {
          $type: 'VirtualMachineCloneSpec',
          location: {
            $type: 'VirtualMachineRelocateSpec',
            ...(datastore ? { datastore } : {}),
            pool,
          },
          template: false,
          config: {
            $type: 'VirtualMachineConfigSpec',
            annotation: `Managed by Headroom (intent ${options.idempotencyKey})`,
            extraConfig,
          },
          powerOn: false,
        },
      },
      options.abortSignal,
    );
    return referenceOf(result);
  }

  async function waitForGuestTools(
    reference: ManagedObjectReference,
    abortSignal: AbortSignal | undefined,
  ): Promise<void> {
    const deadline = Date.now() + resolved.guestReadyTimeoutMs;
    let intervalMs = settings.taskPollIntervalMs ?? 1000;
    for (;;) {
      const view = await virtualMachine(reference, abortSignal);
      if (view?.toolsRunningStatus === 'guestToolsRunning') {
        return;
      }
      if (Date.now() >= deadline) {
        throw new ProviderApiError({
          providerId: PROVIDER_ID,
          code: 'GuestToolsTimeout',
          isRetryable: true,
          message: `VMware Tools did not start in ${reference.value} within ${resolved.guestReadyTimeoutMs} ms`,
        });
      }
      await sleep(intervalMs, undefined, abortSignal ? { signal: abortSignal } : {});
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
      providerId: PROVIDER_ID,
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
          providerId: PROVIDER_ID,
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
          providerId: PROVIDER_ID,
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
        providerId: PROVIDER_ID,
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
      .filter((instance) => carriesTags(instance, options.tags));
  }

  return {
    specificationVersion: 'v1',
    providerId: PROVIDER_ID,
    client,
    createInstance,
    destroyInstance,
    listInstances,
    async close() {
      await client.logout().catch(() => undefined);
    },
  } satisfies VsphereProvider;
}
