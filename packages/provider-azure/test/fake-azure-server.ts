import { randomBytes, randomUUID } from 'node:crypto';
import {
  type ConformanceFault,
  createFakeApiServer,
  type FakeApiRequest,
  type FakeApiResponse,
  type FakeApiServer,
  paginate,
} from '@headroom/testkit';

/**
 * A local, stateful fake of Azure Resource Manager (Compute VMs, disks and sizes; Network NICs and
 * public IPs; DNS zones and record sets) and of the Microsoft Entra token endpoint, served over
 * HTTPS on 127.0.0.1 so that the real SDKs run unchanged through their `endpoint` option: the
 * client-secret credential's OpenID discovery and token request, bearer tokens on every ARM call,
 * JSON (de)serialization, `nextLink` paging and long-running operations (`Azure-AsyncOperation`,
 * `Location`). It checks references (subnet, NSG, image, size, NIC in use) and answers errors in
 * ARM's shape `{ error: { code, message } }`, modelled on the REST API reference.
 */

type Json = Record<string, unknown>;

export interface FakeAzureResource {
  id: string;
  name: string;
  type: string;
  location: string;
  tags: Record<string, string>;
  properties: Json;
  sku?: Json;
  managedBy?: string;
}

interface FakeOperation {
  id: string;
  pollsLeft: number;
  failure: { code: string; message: string } | undefined;
  complete: () => void;
  fail: () => void;
  done: boolean;
}

export interface FakeAzureRecordSet {
  name: string;
  type: string;
  ttl: number;
  values: string[];
}

export interface FakeAzureServerOptions {
  /** Polls a long-running operation answers `InProgress` before it ends. Default 1. */
  pollsBeforeDone?: number;
  /** Caps list pages so that `nextLink` paging runs. Default 100. */
  maxPageSize?: number;
  /** DNS zones of the resource group. */
  dnsZones?: string[];
}

/** Route name of the VM PUT, for `api.failNext({ route })`. */
export const FAKE_AZURE_VM_PUT_ROUTE = 'PUT Microsoft.Compute/virtualMachines';

export const FAKE_AZURE_DEFAULTS = {
  tenantId: '11111111-2222-3333-4444-555555555555',
  clientId: '66666666-7777-8888-9999-000000000000',
  clientSecret: 'fake-client-secret-value',
  subscriptionId: '00000000-1111-2222-3333-444444444444',
  resourceGroup: 'headroom-rg',
  region: 'eastus',
  vmSizes: [
    { name: 'Standard_D2s_v5', numberOfCores: 2, memoryInMB: 8192 },
    { name: 'Standard_D4s_v5', numberOfCores: 4, memoryInMB: 16384 },
  ],
  marketplaceImages: [
    'Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2',
    'MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition',
  ],
} as const;

const defaults = FAKE_AZURE_DEFAULTS;
const armScope = 'https://management.azure.com/.default';
const prefix = `/subscriptions/${defaults.subscriptionId}/resourceGroups/${defaults.resourceGroup}/providers`;

export const fakeAzureIds = {
  subnet: `/subscriptions/${defaults.subscriptionId}/resourceGroups/${defaults.resourceGroup}/providers/Microsoft.Network/virtualNetworks/headroom-vnet/subnets/agents`,
  networkSecurityGroup: `${prefix}/Microsoft.Network/networkSecurityGroups/headroom-nsg`,
  galleryImage: `${prefix}/Microsoft.Compute/galleries/headroom_gallery/images/agent/versions/1.0.0`,
};

function armError(status: number, code: string, message: string, headers?: Record<string, string>): FakeApiResponse {
  return { status, body: { error: { code, message } }, ...(headers ? { headers } : {}) };
}

/** The ARM error of each conformance fault, as Compute answers a VM PUT. */
export function fakeAzureFaultResponse(fault: ConformanceFault): FakeApiResponse {
  switch (fault) {
    case 'insufficient-capacity':
      return armError(
        409,
        'SkuNotAvailable',
        "The requested VM size for resource 'Following SKUs have failed for Capacity Restrictions: Standard_D2s_v5' is currently not available in location 'eastus'. Please try another size or deploy to a different location or different zone.",
      );
    case 'quota-exceeded':
      return armError(
        409,
        'OperationNotAllowed',
        'Operation could not be completed as it results in exceeding approved standardDSv5Family Cores quota. Additional details - Deployment Model: Resource Manager, Location: eastus, Current Limit: 10, Current Usage: 10, Additional Required: 2, (Minimum) New Limit Required: 12.',
      );
    case 'throttled':
      return armError(
        429,
        'OperationNotAllowed',
        'The server rejected the request because too many requests have been received for this subscription (throttling limit of PutVM3Min).',
        { 'retry-after': '17' },
      );
    case 'server-error':
      return armError(500, 'InternalExecutionError', 'An internal execution error occurred. Please retry later.');
  }
}

export interface FakeAzureServer {
  readonly api: FakeApiServer;
  /** `https://127.0.0.1:<port>`: the ARM `endpoint` and the `authorityHost`. */
  readonly url: string;
  readonly virtualMachines: Map<string, FakeAzureResource>;
  readonly networkInterfaces: Map<string, FakeAzureResource>;
  readonly publicIpAddresses: Map<string, FakeAzureResource>;
  readonly disks: Map<string, FakeAzureResource>;
  readonly zones: Map<string, Map<string, FakeAzureRecordSet>>;
  /** Bodies of the VM PUTs, as sent on the wire. */
  readonly virtualMachineRequests: Json[];
  /** Tokens issued so far. */
  readonly issuedTokens: number;
  /** The next VM create is accepted, then its async operation fails with this error. */
  failNextVirtualMachineOperation(error: { code: string; message: string }): void;
  close(): Promise<void>;
}

const lower = (value: string) => value.toLowerCase();

function tagsOf(body: Json): Record<string, string> {
  return { ...((body.tags as Record<string, string> | undefined) ?? {}) };
}

/** Starts the fake on 127.0.0.1 over HTTPS with the test certificate. */
export async function startFakeAzureServer(options: FakeAzureServerOptions = {}): Promise<FakeAzureServer> {
  const pollsBeforeDone = options.pollsBeforeDone ?? 1;
  const maxPageSize = options.maxPageSize ?? 100;
  const tokens = new Set<string>();
  const operations = new Map<string, FakeOperation>();
  const virtualMachines = new Map<string, FakeAzureResource>();
  const networkInterfaces = new Map<string, FakeAzureResource>();
  const publicIpAddresses = new Map<string, FakeAzureResource>();
  const disks = new Map<string, FakeAzureResource>();
  const zones = new Map<string, Map<string, FakeAzureRecordSet>>(
    (options.dnsZones ?? []).map((zone) => [lower(zone), new Map()]),
  );
  const virtualMachineRequests: Json[] = [];
  let nextOperationFailure: { code: string; message: string } | undefined;
  let addressSequence = 3;
  let url = '';

  const startOperation = (options: {
    namespace: string;
    complete: () => void;
    fail?: () => void;
    failure?: { code: string; message: string } | undefined;
  }) => {
    const id = randomUUID();
    operations.set(id, {
      id,
      pollsLeft: pollsBeforeDone,
      failure: options.failure,
      complete: options.complete,
      fail: options.fail ?? (() => undefined),
      done: false,
    });
    const operationUrl = `${url}/subscriptions/${defaults.subscriptionId}/providers/${options.namespace}/locations/${defaults.region}/operations/${id}?api-version=2024-01-01`;
    return {
      'azure-asyncoperation': operationUrl,
      location: operationUrl.replace('/operations/', '/operationResults/'),
    };
  };

  const settle = (operation: FakeOperation) => {
    if (operation.done) return;
    if (operation.pollsLeft > 0) {
      operation.pollsLeft -= 1;
      return;
    }
    operation.done = true;
    if (operation.failure) operation.fail();
    else operation.complete();
  };

  const resourceId = (namespace: string, type: string, name: string) => `${prefix}/${namespace}/${type}/${name}`;
  const list = (items: readonly unknown[], request: FakeApiRequest): FakeApiResponse => {
    const top = Number(request.query.get('$top') ?? maxPageSize);
    const { page, nextToken } = paginate(items, {
      pageSize: Math.min(maxPageSize, top > 0 ? top : maxPageSize),
      token: request.query.get('$skiptoken'),
    });
    const next = new URL(`${url}${request.path}`);
    for (const [key, value] of request.query) if (key !== '$skiptoken') next.searchParams.set(key, value);
    if (nextToken) next.searchParams.set('$skiptoken', nextToken);
    return { status: 200, body: { value: page, ...(nextToken ? { nextLink: next.toString() } : {}) } };
  };
  const get = (map: Map<string, FakeAzureResource>, name: string, what: string): FakeApiResponse => {
    const found = map.get(lower(name));
    return found
      ? { status: 200, body: found }
      : armError(
          404,
          'ResourceNotFound',
          `The Resource '${what}/${name}' under resource group '${defaults.resourceGroup}' was not found.`,
        );
  };

  const putPublicIp = (request: FakeApiRequest): FakeApiResponse => {
    const body = request.body as Json;
    const name = request.params.name as string;
    const existing = publicIpAddresses.get(lower(name));
    const resource: FakeAzureResource = {
      id: resourceId('Microsoft.Network', 'publicIPAddresses', name),
      name,
      type: 'Microsoft.Network/publicIPAddresses',
      location: String(body.location),
      tags: tagsOf(body),
      sku: body.sku as Json,
      properties: {
        ...(body.properties as Json),
        provisioningState: 'Updating',
        ipAddress: (existing?.properties.ipAddress as string | undefined) ?? `20.62.0.${addressSequence++}`,
      },
    };
    publicIpAddresses.set(lower(name), resource);
    const headers = startOperation({
      namespace: 'Microsoft.Network',
      complete: () => {
        resource.properties.provisioningState = 'Succeeded';
      },
    });
    return {
      status: existing ? 200 : 201,
      headers: { 'azure-asyncoperation': headers['azure-asyncoperation'] },
      body: resource,
    };
  };

  const putNetworkInterface = (request: FakeApiRequest): FakeApiResponse => {
    const body = request.body as Json;
    const name = request.params.name as string;
    const properties = body.properties as Json;
    const configurations = (properties.ipConfigurations as Json[] | undefined) ?? [];
    const first = configurations[0]?.properties as Json | undefined;
    const subnetId = (first?.subnet as Json | undefined)?.id;
    if (lower(String(subnetId)) !== lower(fakeAzureIds.subnet)) {
      return armError(
        400,
        'InvalidResourceReference',
        `Resource ${String(subnetId)} referenced by resource ${resourceId('Microsoft.Network', 'networkInterfaces', name)} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
      );
    }
    const nsgId = (properties.networkSecurityGroup as Json | undefined)?.id;
    if (nsgId !== undefined && lower(String(nsgId)) !== lower(fakeAzureIds.networkSecurityGroup)) {
      return armError(
        400,
        'InvalidResourceReference',
        `Resource ${String(nsgId)} referenced by resource ${resourceId('Microsoft.Network', 'networkInterfaces', name)} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
      );
    }
    const publicIpId = (first?.publicIPAddress as Json | undefined)?.id;
    const publicIp = publicIpId
      ? publicIpAddresses.get(lower(String(publicIpId).split('/').at(-1) as string))
      : undefined;
    if (publicIpId && !publicIp)
      return armError(400, 'InvalidResourceReference', `Resource ${String(publicIpId)} was not found.`);
    const existing = networkInterfaces.get(lower(name));
    const id = resourceId('Microsoft.Network', 'networkInterfaces', name);
    const privateIPAddress =
      ((existing?.properties.ipConfigurations as Json[] | undefined)?.[0]?.properties as Json | undefined)
        ?.privateIPAddress ?? `10.0.0.${addressSequence++}`;
    const resource: FakeAzureResource = {
      id,
      name,
      type: 'Microsoft.Network/networkInterfaces',
      location: String(body.location),
      tags: tagsOf(body),
      properties: {
        ...properties,
        provisioningState: 'Updating',
        ipConfigurations: configurations.map((configuration) => ({
          id: `${id}/ipConfigurations/${String(configuration.name)}`,
          name: configuration.name,
          properties: { ...(configuration.properties as Json), privateIPAddress, provisioningState: 'Succeeded' },
        })),
        ...(existing?.properties.virtualMachine ? { virtualMachine: existing.properties.virtualMachine } : {}),
      },
    };
    networkInterfaces.set(lower(name), resource);
    if (publicIp) publicIp.properties.ipConfiguration = { id: `${id}/ipConfigurations/ipconfig1` };
    const headers = startOperation({
      namespace: 'Microsoft.Network',
      complete: () => {
        resource.properties.provisioningState = 'Succeeded';
      },
    });
    return {
      status: existing ? 200 : 201,
      headers: { 'azure-asyncoperation': headers['azure-asyncoperation'] },
      body: resource,
    };
  };

  /** Checks a VM PUT like Compute does; an error response, or undefined when it is acceptable. */
  const checkVirtualMachine = (name: string, properties: Json): FakeApiResponse | undefined => {
    const vmSize = String((properties.hardwareProfile as Json | undefined)?.vmSize);
    if (!defaults.vmSizes.some((size) => lower(size.name) === lower(vmSize))) {
      return armError(
        400,
        'InvalidParameter',
        `The value ${vmSize} provided for the VM size is not valid. Target: 'vmSize'.`,
      );
    }
    const storage = properties.storageProfile as Json;
    const image = storage.imageReference as Json;
    if (image.id !== undefined) {
      if (lower(String(image.id)) !== lower(fakeAzureIds.galleryImage)) {
        return armError(
          404,
          'GalleryImageNotFound',
          `The gallery image ${String(image.id)} is not available in eastus region.`,
        );
      }
    } else if (
      !defaults.marketplaceImages.some(
        (known) => lower(known) === lower(`${image.publisher}:${image.offer}:${image.sku}`),
      )
    ) {
      return armError(
        404,
        'PlatformImageNotFound',
        `The platform image '${image.publisher}:${image.offer}:${image.sku}:${image.version}' is not available. Verify that all fields in the storage profile are correct.`,
      );
    }
    const osProfile = properties.osProfile as Json;
    if (typeof osProfile.customData === 'string' && osProfile.customData.length > 87_380) {
      return armError(
        400,
        'InvalidParameter',
        "Custom data in OSProfile must be in Base64 encoding and with a maximum length of 87380 characters. Target: 'customData'.",
      );
    }
    const nicReference = ((properties.networkProfile as Json).networkInterfaces as Json[])[0] as Json;
    const nic = networkInterfaces.get(lower(String(nicReference.id).split('/').at(-1) as string));
    if (!nic) return armError(400, 'InvalidResourceReference', `Resource ${String(nicReference.id)} was not found.`);
    const attached = (nic.properties.virtualMachine as Json | undefined)?.id;
    if (attached && lower(String(attached)) !== lower(resourceId('Microsoft.Compute', 'virtualMachines', name))) {
      return armError(400, 'NicInUse', `Network Interface ${nic.id} is used by existing resource ${String(attached)}.`);
    }
    return undefined;
  };

  const putVirtualMachine = (request: FakeApiRequest): FakeApiResponse => {
    const body = request.body as Json;
    const name = request.params.name as string;
    virtualMachineRequests.push(body);
    const properties = body.properties as Json;
    const existing = virtualMachines.get(lower(name));
    if (existing) return { status: 200, body: existing };
    const refused = checkVirtualMachine(name, properties);
    if (refused) return refused;
    const id = resourceId('Microsoft.Compute', 'virtualMachines', name);
    const { adminPassword: _password, customData: _customData, ...osProfile } = properties.osProfile as Json;
    const storage = properties.storageProfile as Json;
    const osDisk = storage.osDisk as Json;
    const diskName = String(osDisk.name ?? `${name}_OsDisk_1_${randomBytes(16).toString('hex')}`);
    const nicId = String(((properties.networkProfile as Json).networkInterfaces as Json[])[0]?.id);
    const resource: FakeAzureResource = {
      id,
      name,
      type: 'Microsoft.Compute/virtualMachines',
      location: String(body.location),
      tags: tagsOf(body),
      properties: {
        ...properties,
        vmId: randomUUID(),
        osProfile: { ...osProfile, secrets: [] },
        storageProfile: {
          ...storage,
          osDisk: {
            ...osDisk,
            name: diskName,
            osType: String(storage.imageReference && (osProfile.windowsConfiguration ? 'Windows' : 'Linux')),
            managedDisk: { ...(osDisk.managedDisk as Json), id: resourceId('Microsoft.Compute', 'disks', diskName) },
          },
        },
        provisioningState: 'Creating',
        timeCreated: new Date().toISOString(),
      },
    };
    virtualMachines.set(lower(name), resource);
    const nic = networkInterfaces.get(lower(nicId.split('/').at(-1) as string));
    if (nic) nic.properties.virtualMachine = { id };
    const failure = nextOperationFailure;
    nextOperationFailure = undefined;
    const headers = startOperation({
      namespace: 'Microsoft.Compute',
      failure,
      complete: () => {
        resource.properties.provisioningState = 'Succeeded';
        const managedDisk = osDisk.managedDisk as Json | undefined;
        disks.set(lower(diskName), {
          id: resourceId('Microsoft.Compute', 'disks', diskName),
          name: diskName,
          type: 'Microsoft.Compute/disks',
          location: resource.location,
          tags: {},
          sku: { name: managedDisk?.storageAccountType ?? 'Standard_LRS' },
          managedBy: id,
          properties: { diskSizeGB: osDisk.diskSizeGB ?? 30, diskState: 'Attached', provisioningState: 'Succeeded' },
        });
      },
      fail: () => {
        resource.properties.provisioningState = 'Failed';
      },
    });
    return { status: 201, headers: { 'azure-asyncoperation': headers['azure-asyncoperation'] }, body: resource };
  };

  /** Removes a NIC and releases its public IP. */
  const removeNetworkInterface = (nic: FakeAzureResource) => {
    networkInterfaces.delete(lower(nic.name));
    const publicIpId = ((nic.properties.ipConfigurations as Json[])[0]?.properties as Json | undefined)
      ?.publicIPAddress as Json | undefined;
    const publicIp = publicIpId
      ? publicIpAddresses.get(lower(String(publicIpId.id).split('/').at(-1) as string))
      : undefined;
    if (publicIp) publicIp.properties.ipConfiguration = undefined;
  };

  const deleteVirtualMachine = (request: FakeApiRequest): FakeApiResponse => {
    const name = request.params.name as string;
    const resource = virtualMachines.get(lower(name));
    if (!resource) return { status: 204 };
    resource.properties.provisioningState = 'Deleting';
    const headers = startOperation({
      namespace: 'Microsoft.Compute',
      complete: () => {
        virtualMachines.delete(lower(name));
        const properties = resource.properties;
        const osDisk = (properties.storageProfile as Json).osDisk as Json;
        const disk = disks.get(lower(String(osDisk.name)));
        if (disk) {
          if (osDisk.deleteOption === 'Delete') disks.delete(lower(disk.name));
          else {
            disk.managedBy = undefined;
            disk.properties.diskState = 'Unattached';
          }
        }
        for (const reference of ((properties.networkProfile as Json).networkInterfaces as Json[]) ?? []) {
          const nicName = lower(String(reference.id).split('/').at(-1) as string);
          const nic = networkInterfaces.get(nicName);
          if (!nic) continue;
          if ((reference.properties as Json | undefined)?.deleteOption === 'Delete') removeNetworkInterface(nic);
          else nic.properties.virtualMachine = undefined;
        }
      },
    });
    return { status: 202, headers };
  };

  const deleteSimple =
    (
      map: Map<string, FakeAzureResource>,
      namespace: string,
      inUse: (resource: FakeAzureResource) => FakeApiResponse | undefined,
      remove: (resource: FakeAzureResource) => void = (resource) => map.delete(lower(resource.name)),
    ) =>
    (request: FakeApiRequest): FakeApiResponse => {
      const name = lower(request.params.name as string);
      const resource = map.get(name);
      if (!resource) return { status: 204 };
      const refused = inUse(resource);
      if (refused) return refused;
      resource.properties.provisioningState = 'Deleting';
      const headers = startOperation({ namespace, complete: () => remove(resource) });
      return { status: 202, headers };
    };

  const operationStatus = (request: FakeApiRequest): FakeApiResponse => {
    const operation = operations.get(request.params.id as string);
    if (!operation) return armError(404, 'NotFound', 'The operation was not found.');
    settle(operation);
    const status = !operation.done ? 'InProgress' : operation.failure ? 'Failed' : 'Succeeded';
    const body: Json = { name: operation.id, status, startTime: new Date().toISOString() };
    if (operation.done && operation.failure) body.error = operation.failure;
    return { status: 200, body };
  };

  const operationResult = (request: FakeApiRequest): FakeApiResponse => {
    const operation = operations.get(request.params.id as string);
    if (!operation) return armError(404, 'NotFound', 'The operation was not found.');
    settle(operation);
    if (!operation.done) return { status: 202, headers: { location: `${url}${request.path}?api-version=2024-01-01` } };
    if (operation.failure) return armError(400, operation.failure.code, operation.failure.message);
    return { status: 204 };
  };

  const recordSetBody = (zone: string, recordSet: FakeAzureRecordSet): Json => {
    const values =
      recordSet.type === 'A'
        ? { ARecords: recordSet.values.map((ipv4Address) => ({ ipv4Address })) }
        : recordSet.type === 'AAAA'
          ? { AAAARecords: recordSet.values.map((ipv6Address) => ({ ipv6Address })) }
          : recordSet.type === 'CNAME'
            ? { CNAMERecord: { cname: recordSet.values[0] } }
            : {};
    return {
      id: `${prefix}/Microsoft.Network/dnszones/${zone}/${recordSet.type}/${recordSet.name}`,
      name: recordSet.name,
      type: `Microsoft.Network/dnszones/${recordSet.type}`,
      etag: randomUUID(),
      properties: {
        fqdn: `${recordSet.name === '@' ? zone : `${recordSet.name}.${zone}`}.`,
        TTL: recordSet.ttl,
        provisioningState: 'Succeeded',
        ...values,
      },
    };
  };
  const zoneOf = (request: FakeApiRequest) => zones.get(lower(request.params.zone as string));
  const noZone = (request: FakeApiRequest) =>
    armError(
      404,
      'ParentResourceNotFound',
      `Can not perform requested operation on nested resource. Parent resource '${request.params.zone}' not found.`,
    );

  /** List, get, PUT (named `PUT <type>`) and DELETE routes of one resource type of the resource group. */
  const resourceRoutes = (options: {
    type: string;
    map: Map<string, FakeAzureResource>;
    put: (request: FakeApiRequest) => FakeApiResponse;
    delete: (request: FakeApiRequest) => FakeApiResponse;
  }) => [
    {
      method: 'GET',
      path: `${prefix}/${options.type}`,
      handler: (request: FakeApiRequest) => list([...options.map.values()], request),
    },
    {
      method: 'GET',
      path: `${prefix}/${options.type}/:name`,
      handler: (request: FakeApiRequest) => get(options.map, request.params.name as string, options.type),
    },
    { name: `PUT ${options.type}`, method: 'PUT', path: `${prefix}/${options.type}/:name`, handler: options.put },
    { method: 'DELETE', path: `${prefix}/${options.type}/:name`, handler: options.delete },
  ];

  const routes = [
    {
      name: 'openid-configuration',
      method: 'GET',
      path: '/:tenant/v2.0/.well-known/openid-configuration',
      handler: (request: FakeApiRequest): FakeApiResponse => {
        const base = `${url}/${request.params.tenant}`;
        return {
          status: 200,
          body: {
            token_endpoint: `${base}/oauth2/v2.0/token`,
            authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
            end_session_endpoint: `${base}/oauth2/v2.0/logout`,
            jwks_uri: `${base}/discovery/v2.0/keys`,
            issuer: `${base}/v2.0`,
            token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
            response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          },
        };
      },
    },
    {
      name: 'token',
      method: 'POST',
      path: '/:tenant/oauth2/v2.0/token',
      handler: (request: FakeApiRequest): FakeApiResponse => {
        const form = new URLSearchParams(String(request.body ?? ''));
        const refuse = (code: number, description: string): FakeApiResponse => ({
          status: 401,
          body: { error: 'invalid_client', error_description: `AADSTS${code}: ${description}`, error_codes: [code] },
        });
        if (request.params.tenant !== defaults.tenantId) {
          return {
            status: 400,
            body: {
              error: 'invalid_request',
              error_description: `AADSTS90002: Tenant '${request.params.tenant}' not found.`,
              error_codes: [90002],
            },
          };
        }
        if (form.get('client_id') !== defaults.clientId)
          return refuse(700016, 'Application not found in the directory.');
        if (form.get('client_secret') !== defaults.clientSecret)
          return refuse(7000215, 'Invalid client secret provided.');
        if (form.get('grant_type') !== 'client_credentials' || !form.get('scope')?.split(' ').includes(armScope)) {
          return {
            status: 400,
            body: { error: 'invalid_scope', error_description: 'AADSTS70011: The provided scope is not valid.' },
          };
        }
        const token = randomBytes(24).toString('base64url');
        tokens.add(token);
        return {
          status: 200,
          body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token },
        };
      },
    },
    {
      method: 'GET',
      path: `/subscriptions/:sub/providers/:namespace/locations/:location/operations/:id`,
      handler: operationStatus,
    },
    {
      method: 'GET',
      path: `/subscriptions/:sub/providers/:namespace/locations/:location/operationResults/:id`,
      handler: operationResult,
    },
    {
      method: 'GET',
      path: '/subscriptions/:sub/providers/Microsoft.Compute/locations/:location/vmSizes',
      handler: (): FakeApiResponse => ({
        status: 200,
        body: {
          value: defaults.vmSizes.map((size) => ({
            ...size,
            maxDataDiskCount: 4,
            osDiskSizeInMB: 1_047_552,
            resourceDiskSizeInMB: 0,
          })),
        },
      }),
    },
    ...resourceRoutes({
      type: 'Microsoft.Compute/virtualMachines',
      map: virtualMachines,
      put: putVirtualMachine,
      delete: deleteVirtualMachine,
    }),
    {
      method: 'GET',
      path: `${prefix}/Microsoft.Compute/disks/:name`,
      handler: (request: FakeApiRequest) => get(disks, request.params.name as string, 'Microsoft.Compute/disks'),
    },
    {
      name: 'PATCH disk',
      method: 'PATCH',
      path: `${prefix}/Microsoft.Compute/disks/:name`,
      handler: (request: FakeApiRequest): FakeApiResponse => {
        const disk = disks.get(lower(request.params.name as string));
        if (!disk) return get(disks, request.params.name as string, 'Microsoft.Compute/disks');
        const body = request.body as Json;
        if (body.tags) disk.tags = tagsOf(body);
        return { status: 200, body: disk };
      },
    },
    {
      method: 'DELETE',
      path: `${prefix}/Microsoft.Compute/disks/:name`,
      handler: deleteSimple(disks, 'Microsoft.Compute', (disk) =>
        disk.managedBy
          ? armError(409, 'OperationNotAllowed', `Disk ${disk.name} is attached to VM ${disk.managedBy}.`)
          : undefined,
      ),
    },
    ...resourceRoutes({
      type: 'Microsoft.Network/networkInterfaces',
      map: networkInterfaces,
      put: putNetworkInterface,
      delete: deleteSimple(
        networkInterfaces,
        'Microsoft.Network',
        (nic) =>
          nic.properties.virtualMachine
            ? armError(
                400,
                'NicInUse',
                `Network Interface ${nic.id} is used by existing resource ${String((nic.properties.virtualMachine as Json).id)}.`,
              )
            : undefined,
        removeNetworkInterface,
      ),
    }),
    ...resourceRoutes({
      type: 'Microsoft.Network/publicIPAddresses',
      map: publicIpAddresses,
      put: putPublicIp,
      delete: deleteSimple(publicIpAddresses, 'Microsoft.Network', (publicIp) =>
        publicIp.properties.ipConfiguration
          ? armError(
              400,
              'PublicIPAddressInUse',
              `Public IP address ${publicIp.id} can not be deleted since it is still allocated to resource ${String((publicIp.properties.ipConfiguration as Json).id)}.`,
            )
          : undefined,
      ),
    }),
    {
      method: 'GET',
      path: `${prefix}/Microsoft.Network/dnsZones`,
      handler: (request: FakeApiRequest) =>
        list(
          [...zones.keys()].map((zone) => ({
            id: `${prefix}/Microsoft.Network/dnszones/${zone}`,
            name: zone,
            type: 'Microsoft.Network/dnszones',
            location: 'global',
            properties: { zoneType: 'Public' },
          })),
          request,
        ),
    },
    {
      method: 'GET',
      path: `${prefix}/Microsoft.Network/dnsZones/:zone/recordsets`,
      handler: (request: FakeApiRequest) => {
        const zone = zoneOf(request);
        if (!zone) return noZone(request);
        return list(
          [...zone.values()].map((recordSet) => recordSetBody(lower(request.params.zone as string), recordSet)),
          request,
        );
      },
    },
    {
      name: 'PUT recordSet',
      method: 'PUT',
      path: `${prefix}/Microsoft.Network/dnsZones/:zone/:type/:name`,
      handler: (request: FakeApiRequest): FakeApiResponse => {
        const zone = zoneOf(request);
        if (!zone) return noZone(request);
        const type = String(request.params.type).toUpperCase();
        const properties = (request.body as Json).properties as Json;
        const values =
          type === 'A'
            ? ((properties.ARecords as Json[]) ?? []).map((record) => String(record.ipv4Address))
            : type === 'AAAA'
              ? ((properties.AAAARecords as Json[]) ?? []).map((record) => String(record.ipv6Address))
              : [String((properties.CNAMERecord as Json | undefined)?.cname)];
        const key = `${type} ${lower(request.params.name as string)}`;
        const existed = zone.has(key);
        const recordSet = { name: lower(request.params.name as string), type, ttl: Number(properties.TTL), values };
        zone.set(key, recordSet);
        return { status: existed ? 200 : 201, body: recordSetBody(lower(request.params.zone as string), recordSet) };
      },
    },
    {
      method: 'DELETE',
      path: `${prefix}/Microsoft.Network/dnsZones/:zone/:type/:name`,
      handler: (request: FakeApiRequest): FakeApiResponse => {
        const zone = zoneOf(request);
        if (!zone) return noZone(request);
        const existed = zone.delete(
          `${String(request.params.type).toUpperCase()} ${lower(request.params.name as string)}`,
        );
        return { status: existed ? 200 : 204 };
      },
    },
  ];

  const api = await createFakeApiServer({
    tls: true,
    routes,
    faultResponse: (fault) => fakeAzureFaultResponse(fault),
    authenticate: (request) => {
      if (!request.path.startsWith('/subscriptions/')) return undefined;
      const header = request.headers.authorization;
      const token =
        typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
      if (token && tokens.has(token)) return undefined;
      return armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    },
  });
  url = api.url;

  return {
    api,
    url,
    virtualMachines,
    networkInterfaces,
    publicIpAddresses,
    disks,
    zones,
    virtualMachineRequests,
    get issuedTokens() {
      return tokens.size;
    },
    failNextVirtualMachineOperation(error) {
      nextOperationFailure = error;
    },
    close: () => api.close(),
  };
}
