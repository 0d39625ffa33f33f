import {
  HEADROOM_TAGS,
  type ProviderInstance,
  type ProviderInstanceState,
  type Resources,
} from '@headroom/core/provider';
import {
  asArray,
  childOf,
  type ManagedObjectReference,
  type RetrievedObject,
  type SoapNode,
  textOf,
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

export const VM_PROPERTIES = [
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

export interface VirtualMachineView {
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

export function toVirtualMachineView(object: RetrievedObject): VirtualMachineView {
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

export function parseJsonRecord(text: string | undefined): Record<string, unknown> | undefined {
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

export function tagsOf(view: VirtualMachineView): Record<string, string> {
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

export function shapeOf(view: VirtualMachineView): Resources | undefined {
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
export function stateOf(view: VirtualMachineView): ProviderInstanceState {
  if (view.powerState === 'poweredOn') {
    return view.ipAddress ? 'running' : 'pending';
  }
  if (view.powerState === 'suspended') {
    return 'stopping';
  }
  return 'pending';
}

export function toProviderInstance(view: VirtualMachineView): ProviderInstance {
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

export function isManaged(view: VirtualMachineView): boolean {
  return !view.isTemplate && view.extraConfig.has(VSPHERE_EXTRA_CONFIG_KEYS.intent);
}
