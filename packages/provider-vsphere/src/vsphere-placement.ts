import { InvalidProviderConfigError } from '@headroom/core/provider';
import { VSPHERE_PROVIDER_ID } from './vsphere-error.js';
import type { ResolvedVsphereProviderSettings } from './vsphere-provider-settings.js';
import {
  asArray,
  childOf,
  type ManagedObjectReference,
  referenceOf,
  type SoapNode,
  textOf,
  untilAborted,
  type VsphereSoapClient,
} from './vsphere-soap-client.js';

/** Where clones go, resolved from the inventory paths of the settings. */
export interface Placement {
  datacenter: ManagedObjectReference;
  datacenterVmFolder: ManagedObjectReference;
  template: ManagedObjectReference;
  folder: ManagedObjectReference;
  pool: ManagedObjectReference;
  datastore: ManagedObjectReference | undefined;
}

export function configError(field: string, message: string): InvalidProviderConfigError {
  return new InvalidProviderConfigError({ providerId: VSPHERE_PROVIDER_ID, field, message });
}

/** Inventory lookups of one vCenter connection. */
export interface VsphereInventory {
  /** The placement, looked up once and shared; a caller's abort signal ends only its own wait. */
  placement(abortSignal: AbortSignal | undefined): Promise<Placement>;
  propertiesOf(
    object: ManagedObjectReference,
    paths: readonly string[],
    abortSignal: AbortSignal | undefined,
  ): Promise<Record<string, SoapNode>>;
}

/**
 * Resolves the datacenter, template, folder, cluster, resource pool and datastore (or the emptiest
 * datastore of a datastore cluster) named in the settings.
 * @throws InvalidProviderConfigError naming the setting whose inventory path finds nothing.
 */
export function createVsphereInventory(options: {
  client: VsphereSoapClient;
  settings: ResolvedVsphereProviderSettings;
}): VsphereInventory {
  const { client, settings: resolved } = options;
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

  return { placement, propertiesOf };
}
