import { type CreateInstanceOptionsV1, HEADROOM_TAGS } from '@headroom/core/provider';
import { VSPHERE_EXTRA_CONFIG_KEYS } from './map-vsphere-virtual-machine.js';
import type { ManagedObjectReference, SoapObject, SoapValue } from './vsphere-soap-client.js';

export function optionValue(key: string, value: string): SoapObject {
  return { $type: 'OptionValue', key, value: { $type: 'xsd:string', $text: value } };
}

/** Where a clone goes: the template to copy, its folder, resource pool and (optionally) datastore. */
export interface VsphereClonePlacement {
  template: ManagedObjectReference;
  folder: ManagedObjectReference;
  pool: ManagedObjectReference;
  datastore: ManagedObjectReference | undefined;
}

/**
 * The `CloneVM_Task` parameters for one instance: a powered-off clone carrying the intent, the tags
 * and the shape in `extraConfig`, and the startup script as cloud-init `guestinfo.userdata` when
 * that is the method. Hardware and power-on follow as separate tasks (vCenter ignores them here).
 */
export function convertToVsphereCloneParameters(options: {
  create: CreateInstanceOptionsV1;
  placement: VsphereClonePlacement;
  script: string | undefined;
  startupScriptMethod: 'guestinfo' | 'guest-operations';
}): Record<string, SoapValue> {
  const { create, placement, script } = options;
  const tags = { ...create.tags, [HEADROOM_TAGS.intent]: create.idempotencyKey };
  const extraConfig = [
    optionValue(VSPHERE_EXTRA_CONFIG_KEYS.intent, create.idempotencyKey),
    optionValue(VSPHERE_EXTRA_CONFIG_KEYS.tags, JSON.stringify(tags)),
    optionValue(VSPHERE_EXTRA_CONFIG_KEYS.shape, JSON.stringify(create.shape)),
  ];
  if (script !== undefined && options.startupScriptMethod === 'guestinfo') {
    extraConfig.push(
      optionValue(VSPHERE_EXTRA_CONFIG_KEYS.userData, Buffer.from(script, 'utf8').toString('base64')),
      optionValue(VSPHERE_EXTRA_CONFIG_KEYS.userDataEncoding, 'base64'),
    );
  }
  return {
    folder: placement.folder,
    name: create.name,
    spec: {
      $type: 'VirtualMachineCloneSpec',
      location: {
        $type: 'VirtualMachineRelocateSpec',
        ...(placement.datastore ? { datastore: placement.datastore } : {}),
        pool: placement.pool,
      },
      template: false,
      config: {
        $type: 'VirtualMachineConfigSpec',
        annotation: `Managed by Headroom (intent ${create.idempotencyKey})`,
        extraConfig,
      },
      powerOn: false,
    },
  };
}
