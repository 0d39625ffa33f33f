import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConformanceFault } from '@headroom/testkit';
import { XMLParser } from 'fast-xml-parser';
import { verifySigV4 } from './fake-aws-sigv4.js';

/**
 * A local, stateful fake of the EC2 Query API (2016-11-15) and the Route 53 REST-XML API
 * (2013-04-01), reached through the SDK's `endpoint` option on 127.0.0.1, so that the real SDK's
 * serialization, SigV4 signing and XML parsing run. It verifies signatures, validates references
 * (AMI, subnet, security groups, key pair, instance type), honours `ClientToken`, paginates, and
 * answers errors in the APIs' own XML. Responses follow the shapes of the AWS API references.
 */

/** An error the fake answers with: an AWS error code, an HTTP status and a message. */
export interface FakeAwsError {
  code: string;
  statusCode: number;
  message: string;
}

const ec2Faults: Record<ConformanceFault, FakeAwsError> = {
  'insufficient-capacity': {
    code: 'InsufficientInstanceCapacity',
    statusCode: 500,
    message:
      'We currently do not have sufficient t3.medium capacity in the Availability Zone you requested (us-east-1a). Our system will be working on provisioning additional capacity.',
  },
  'quota-exceeded': {
    code: 'VcpuLimitExceeded',
    statusCode: 400,
    message:
      'You have requested more vCPU capacity than your current vCPU limit of 32 allows for the instance bucket that the specified instance type belongs to.',
  },
  throttled: { code: 'RequestLimitExceeded', statusCode: 503, message: 'Request limit exceeded.' },
  'server-error': {
    code: 'InternalError',
    statusCode: 500,
    message: 'An internal error has occurred.',
  },
};

const route53Faults: Record<ConformanceFault, FakeAwsError> = {
  'insufficient-capacity': { code: 'ServiceUnavailable', statusCode: 503, message: 'Service unavailable' },
  'quota-exceeded': { code: 'TooManyRecords', statusCode: 400, message: 'Too many records in the hosted zone' },
  throttled: { code: 'Throttling', statusCode: 400, message: 'Rate exceeded' },
  'server-error': { code: 'InternalFailure', statusCode: 500, message: 'An internal error occurred' },
};

export interface FakeInstanceTypeInfo {
  instanceType: string;
  vcpus: number;
  memoryMib: number;
  gpus?: number;
}

export interface FakeImage {
  imageId: string;
  rootDeviceName: string;
  platform?: 'windows';
}

export interface FakeVolume {
  volumeId: string;
  deviceName: string;
  sizeGb: number;
  volumeType: string;
  deleteOnTermination: boolean;
  tags: Record<string, string>;
}

export interface FakeEc2Instance {
  instanceId: string;
  reservationId: string;
  imageId: string;
  instanceType: string;
  state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
  privateIpAddress: string;
  publicIpAddress: string;
  launchTime: Date;
  tags: Record<string, string>;
  volumes: FakeVolume[];
  clientToken: string | undefined;
  keyName: string | undefined;
  subnetId: string;
  securityGroupIds: string[];
  iamInstanceProfile: { arn?: string; name?: string } | undefined;
  userData: string | undefined;
  /** Base64 RSA-encrypted Windows password, as GetPasswordData returns it; empty until set. */
  passwordData: string;
  /** The parsed RunInstances parameters that created it. */
  request: Record<string, unknown>;
}

export interface FakeRecordSet {
  name: string;
  type: string;
  ttlSeconds: number;
  values: string[];
}

export interface FakeHostedZone {
  id: string;
  name: string;
  privateZone: boolean;
  records: FakeRecordSet[];
}

/** One request the fake received, parsed. */
export interface FakeAwsRequest {
  service: 'ec2' | 'route53';
  action: string;
  /** EC2: the form parameters nested (`TagSpecification.1.Tag.1.Key` → `TagSpecification[0].Tag[0].Key`). Route 53: query and parsed XML body. */
  params: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

export interface FakeAwsServerOptions {
  /** Access key id → secret access key accepted by the signature check. Default `{ test: 'test-secret' }`. */
  credentials?: Record<string, string>;
  region?: string;
  images?: FakeImage[];
  subnetIds?: string[];
  securityGroupIds?: string[];
  keyPairNames?: string[];
  instanceTypes?: FakeInstanceTypeInfo[];
  hostedZones?: { name: string; privateZone?: boolean }[];
  /** Caps every page (DescribeInstances, ListResourceRecordSets, ...) so that pagination runs. Default 1000. */
  maxPageSize?: number;
}

export interface FakeAwsServer {
  /** `http://127.0.0.1:<port>`: pass as the SDK `endpoint`. */
  readonly endpoint: string;
  readonly requests: FakeAwsRequest[];
  readonly instances: FakeEc2Instance[];
  readonly hostedZones: FakeHostedZone[];
  /** The next `count` requests of `action` fail with the fault (an AWS error XML). */
  failNext(options: { action: string; fault: ConformanceFault | FakeAwsError; count?: number }): void;
  /** Requests of one action, in order. */
  requestsOf(action: string): FakeAwsRequest[];
  setPasswordData(options: { instanceId: string; passwordData: string }): void;
  close(): Promise<void>;
}

export const FAKE_AWS_DEFAULTS = {
  accessKeyId: 'test',
  secretAccessKey: 'test-secret',
  region: 'us-east-1',
  amiId: 'ami-0123456789abcdef0',
  windowsAmiId: 'ami-0fedcba9876543210',
  subnetId: 'subnet-0123456789abcdef0',
  securityGroupIds: ['sg-0123456789abcdef0', 'sg-0fedcba9876543210'],
  keyPairName: 'headroom-key',
  instanceTypes: [
    { instanceType: 't3.medium', vcpus: 2, memoryMib: 4096 },
    { instanceType: 'm5.xlarge', vcpus: 4, memoryMib: 16384 },
    { instanceType: 'g4dn.xlarge', vcpus: 4, memoryMib: 16384, gpus: 1 },
  ] satisfies FakeInstanceTypeInfo[],
} as const;

const ec2Namespace = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const route53Namespace = 'https://route53.amazonaws.com/doc/2013-04-01/';
const stateCodes: Record<FakeEc2Instance['state'], number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** `<name>escaped text</name>`, or `<name/>` for an empty value; `undefined` leaves the element out. */
function element(name: string, value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return text === '' ? `<${name}/>` : `<${name}>${escapeXml(text)}</${name}>`;
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function requestId(): string {
  const value = hex(16);
  return `${value.slice(0, 8)}-${value.slice(8, 12)}-${value.slice(12, 16)}-${value.slice(16, 20)}-${value.slice(20, 32)}`;
}

/** Nests EC2 query parameters: `A.1.B` → `{ A: [{ B }] }` (1-based list indexes). */
export function nestEc2QueryParameters(parameters: URLSearchParams): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of parameters) {
    const segments = key.split('.');
    let container: Record<string, unknown> | unknown[] = root;
    segments.forEach((segment, index) => {
      const isLast = index === segments.length - 1;
      const nextIsIndex = !isLast && /^\d+$/.test(segments[index + 1] as string);
      const slot: string | number = Array.isArray(container) ? Number(segment) - 1 : segment;
      const holder = container as Record<string | number, unknown>;
      if (isLast) {
        holder[slot] = value;
        return;
      }
      holder[slot] ??= nextIsIndex ? [] : {};
      container = holder[slot] as Record<string, unknown> | unknown[];
    });
  }
  return root;
}

function asList(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((item) => item != null) : [];
}

function asStringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

class FakeAwsFault extends Error {
  constructor(readonly fault: FakeAwsError) {
    super(fault.message);
  }
}

function fault(code: string, statusCode: number, message: string): FakeAwsFault {
  return new FakeAwsFault({ code, statusCode, message });
}

/** Reversed-label sort key used by Route 53 for zones and record names. */
function reversedLabels(name: string): string {
  return name.replace(/\.$/, '').split('.').reverse().join('.');
}

function compareRecordKeys(a: { name: string; type: string }, b: { name: string; type: string }): number {
  const nameA = reversedLabels(a.name);
  const nameB = reversedLabels(b.name);
  if (nameA !== nameB) return nameA < nameB ? -1 : 1;
  return a.type === b.type ? 0 : a.type < b.type ? -1 : 1;
}

function toFqdn(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

const xmlParser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  isArray: (name) => ['Change', 'ResourceRecord'].includes(name),
});

/** Starts the fake on 127.0.0.1 (an ephemeral port). Stop it with `close()`. */
export async function startFakeAwsServer(options: FakeAwsServerOptions = {}): Promise<FakeAwsServer> {
  const credentials = options.credentials ?? { [FAKE_AWS_DEFAULTS.accessKeyId]: FAKE_AWS_DEFAULTS.secretAccessKey };
  const maxPageSize = options.maxPageSize ?? 1000;
  const images: FakeImage[] = options.images ?? [
    { imageId: FAKE_AWS_DEFAULTS.amiId, rootDeviceName: '/dev/xvda' },
    { imageId: FAKE_AWS_DEFAULTS.windowsAmiId, rootDeviceName: '/dev/sda1', platform: 'windows' },
  ];
  const subnetIds = new Set(options.subnetIds ?? [FAKE_AWS_DEFAULTS.subnetId]);
  const securityGroupIds = new Set(options.securityGroupIds ?? FAKE_AWS_DEFAULTS.securityGroupIds);
  const keyPairNames = new Set(options.keyPairNames ?? [FAKE_AWS_DEFAULTS.keyPairName]);
  const instanceTypes = new Map(
    (options.instanceTypes ?? FAKE_AWS_DEFAULTS.instanceTypes).map((info) => [info.instanceType, info]),
  );
  const requests: FakeAwsRequest[] = [];
  const instances: FakeEc2Instance[] = [];
  const hostedZones: FakeHostedZone[] = (options.hostedZones ?? []).map((zone) => ({
    id: `Z${hex(10).toUpperCase()}`,
    name: toFqdn(zone.name),
    privateZone: zone.privateZone ?? false,
    records: [
      {
        name: toFqdn(zone.name),
        type: 'NS',
        ttlSeconds: 172800,
        values: ['ns-1.awsdns-00.com.', 'ns-2.awsdns-00.net.'],
      },
      {
        name: toFqdn(zone.name),
        type: 'SOA',
        ttlSeconds: 900,
        values: ['ns-1.awsdns-00.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400'],
      },
    ],
  }));
  const pendingFaults = new Map<string, FakeAwsError[]>();
  let addressCounter = 10;

  const takeFault = (action: string): FakeAwsError | undefined => pendingFaults.get(action)?.shift();

  // ---------------------------------------------------------------- EC2

  const instanceXml = (instance: FakeEc2Instance): string => {
    const image = images.find((candidate) => candidate.imageId === instance.imageId);
    const isRunning = instance.state === 'running';
    return [
      '<item>',
      element('instanceId', instance.instanceId),
      element('imageId', instance.imageId),
      `<instanceState>${element('code', stateCodes[instance.state])}${element('name', instance.state)}</instanceState>`,
      element('privateDnsName', `ip-${instance.privateIpAddress.replaceAll('.', '-')}.ec2.internal`),
      element('dnsName', ''),
      element('reason', instance.state === 'terminated' ? 'User initiated' : ''),
      element('keyName', instance.keyName),
      element('amiLaunchIndex', 0),
      '<productCodes/>',
      element('instanceType', instance.instanceType),
      element('launchTime', instance.launchTime.toISOString()),
      `<placement>${element('availabilityZone', 'us-east-1a')}${element('groupName', '')}${element('tenancy', 'default')}</placement>`,
      image?.platform ? element('platform', image.platform) : '',
      `<monitoring>${element('state', 'disabled')}</monitoring>`,
      element('subnetId', instance.subnetId),
      element('vpcId', 'vpc-0a1b2c3d4e5f60718'),
      element('privateIpAddress', instance.privateIpAddress),
      isRunning ? element('ipAddress', instance.publicIpAddress) : '',
      '<groupSet>',
      ...instance.securityGroupIds.map(
        (groupId) =>
          `<item>${element('groupId', groupId)}${element('groupName', `group-${groupId.slice(3, 9)}`)}</item>`,
      ),
      '</groupSet>',
      instance.state === 'terminated'
        ? `<stateReason>${element('code', 'Client.UserInitiatedShutdown')}${element('message', 'Client.UserInitiatedShutdown: User initiated shutdown')}</stateReason>`
        : '',
      element('architecture', 'x86_64'),
      element('rootDeviceType', 'ebs'),
      element('rootDeviceName', image?.rootDeviceName ?? '/dev/xvda'),
      '<blockDeviceMapping>',
      ...(instance.state === 'terminated' ? [] : instance.volumes).map(
        (volume) =>
          `<item>${element('deviceName', volume.deviceName)}<ebs>${element('volumeId', volume.volumeId)}${element('status', 'attached')}${element('attachTime', instance.launchTime.toISOString())}${element('deleteOnTermination', volume.deleteOnTermination)}</ebs></item>`,
      ),
      '</blockDeviceMapping>',
      instance.iamInstanceProfile
        ? `<iamInstanceProfile>${element('arn', instance.iamInstanceProfile.arn ?? `arn:aws:iam::123456789012:instance-profile/${instance.iamInstanceProfile.name}`)}${element('id', 'AIPAJ2JQ6CYOZSEXAMPLE')}</iamInstanceProfile>`
        : '',
      element('virtualizationType', 'hvm'),
      element('clientToken', instance.clientToken ?? ''),
      '<tagSet>',
      ...Object.entries(instance.tags).map(
        ([key, value]) => `<item>${element('key', key)}${element('value', value)}</item>`,
      ),
      '</tagSet>',
      element('hypervisor', 'xen'),
      element('ebsOptimized', false),
      '</item>',
    ].join('');
  };

  const reservationXml = (reservation: FakeEc2Instance[]): string => {
    const first = reservation[0] as FakeEc2Instance;
    return [
      element('reservationId', first.reservationId),
      element('ownerId', '123456789012'),
      '<groupSet/>',
      `<instancesSet>${reservation.map(instanceXml).join('')}</instancesSet>`,
    ].join('');
  };

  const advanceStates = () => {
    for (const instance of instances) {
      if (instance.state === 'pending') instance.state = 'running';
      else if (instance.state === 'shutting-down') instance.state = 'terminated';
      else if (instance.state === 'stopping') instance.state = 'stopped';
    }
  };

  const findInstance = (instanceId: string): FakeEc2Instance => {
    if (!/^i-[0-9a-f]{8,17}$/.test(instanceId)) {
      throw fault('InvalidInstanceID.Malformed', 400, `Invalid id: "${instanceId}"`);
    }
    const instance = instances.find((candidate) => candidate.instanceId === instanceId);
    if (!instance) throw fault('InvalidInstanceID.NotFound', 400, `The instance ID '${instanceId}' does not exist`);
    return instance;
  };

  const paginate = <T>(items: T[], params: Record<string, unknown>): { page: T[]; nextToken: string | undefined } => {
    const requested = Number(stringOf(params.MaxResults) ?? Number.POSITIVE_INFINITY);
    const size = Math.min(requested, maxPageSize);
    const token = stringOf(params.NextToken);
    const offset =
      token === undefined
        ? 0
        : Number(
            Buffer.from(token, 'base64url')
              .toString('utf8')
              .replace(/^offset:/, ''),
          );
    if (!Number.isInteger(offset) || offset < 0) throw fault('InvalidParameterValue', 400, 'Invalid NextToken');
    const page = items.slice(offset, offset + size);
    const next =
      offset + size < items.length ? Buffer.from(`offset:${offset + size}`).toString('base64url') : undefined;
    return { page, nextToken: next };
  };

  const matchesFilter = (instance: FakeEc2Instance, filter: Record<string, unknown>): boolean => {
    const name = stringOf(filter.Name) ?? '';
    const values = asStringList(filter.Value);
    const matchesValue = (actual: string | undefined) =>
      actual !== undefined &&
      values.some((pattern) => {
        const regex = pattern.replace(
          /\\([\\*?])|([.+^${}()|[\]])|(\*)|(\?)/g,
          (_, escaped, special, star, question) =>
            escaped ? `\\${escaped}` : special ? `\\${special}` : star ? '.*' : question ? '.' : '',
        );
        return new RegExp(`^${regex}$`).test(actual);
      });
    if (name.startsWith('tag:')) return matchesValue(instance.tags[name.slice(4)]);
    if (name === 'tag-key') return Object.keys(instance.tags).some((key) => matchesValue(key));
    if (name === 'instance-state-name') return matchesValue(instance.state);
    if (name === 'instance-type') return matchesValue(instance.instanceType);
    if (name === 'client-token') return matchesValue(instance.clientToken);
    throw fault('InvalidParameterValue', 400, `The filter '${name}' is invalid`);
  };

  const runInstances = (params: Record<string, unknown>): string => {
    const clientToken = stringOf(params.ClientToken);
    const { ClientToken: _, ...withoutToken } = params;
    if (clientToken !== undefined) {
      const earlier = instances.filter((instance) => instance.clientToken === clientToken);
      if (earlier.length > 0) {
        const { ClientToken: __, ...earlierWithoutToken } = (earlier[0] as FakeEc2Instance).request;
        if (JSON.stringify(earlierWithoutToken) !== JSON.stringify(withoutToken)) {
          throw fault(
            'IdempotentParameterMismatch',
            400,
            'The client token you have provided is associated with a resource that is already deleted or has different parameters.',
          );
        }
        return reservationXml(earlier);
      }
    }
    const minCount = Number(stringOf(params.MinCount));
    const maxCount = Number(stringOf(params.MaxCount));
    if (!Number.isInteger(minCount) || !Number.isInteger(maxCount) || minCount < 1 || maxCount < minCount) {
      throw fault('InvalidParameterValue', 400, 'MinCount and MaxCount must be positive and MinCount <= MaxCount');
    }
    const imageId = stringOf(params.ImageId) ?? '';
    const image = images.find((candidate) => candidate.imageId === imageId);
    if (!/^ami-[0-9a-f]{8,17}$/.test(imageId))
      throw fault('InvalidAMIID.Malformed', 400, `Invalid id: "${imageId}" (expecting "ami-...")`);
    if (!image) throw fault('InvalidAMIID.NotFound', 400, `The image id '[${imageId}]' does not exist`);
    const instanceType = stringOf(params.InstanceType) ?? 'm1.small';
    if (!instanceTypes.has(instanceType)) {
      throw fault('InvalidParameterValue', 400, `Invalid value '${instanceType}' for InstanceType.`);
    }
    const subnetId = stringOf(params.SubnetId) ?? FAKE_AWS_DEFAULTS.subnetId;
    if (!subnetIds.has(subnetId))
      throw fault('InvalidSubnetID.NotFound', 400, `The subnet ID '${subnetId}' does not exist`);
    const groupIds = asStringList(params.SecurityGroupId);
    for (const groupId of groupIds) {
      if (!securityGroupIds.has(groupId)) {
        throw fault(
          'InvalidGroup.NotFound',
          400,
          `The security group '${groupId}' does not exist in VPC 'vpc-0a1b2c3d4e5f60718'`,
        );
      }
    }
    const keyName = stringOf(params.KeyName);
    if (keyName !== undefined && !keyPairNames.has(keyName)) {
      throw fault('InvalidKeyPair.NotFound', 400, `The key pair '${keyName}' does not exist`);
    }
    const userData = stringOf(params.UserData);
    if (userData !== undefined && Buffer.from(userData, 'base64').byteLength > 16384) {
      throw fault('InvalidParameterValue', 400, 'User data is limited to 16384 bytes');
    }
    const tagsByResource: Record<string, Record<string, string>> = {};
    for (const specification of asList(params.TagSpecification)) {
      const resourceType = stringOf(specification.ResourceType) ?? '';
      if (
        !['instance', 'volume', 'network-interface', 'spot-instances-request', 'elastic-gpu'].includes(resourceType)
      ) {
        throw fault(
          'InvalidParameterValue',
          400,
          `'${resourceType}' is not a valid taggable resource type for this operation.`,
        );
      }
      const tags = tagsByResource[resourceType] ?? {};
      tagsByResource[resourceType] = tags;
      for (const tag of asList(specification.Tag)) {
        const key = stringOf(tag.Key) ?? '';
        if (key.toLowerCase().startsWith('aws:'))
          throw fault('InvalidParameterValue', 400, 'Tag keys starting with aws: are reserved');
        tags[key] = stringOf(tag.Value) ?? '';
      }
      if (Object.keys(tags).length > 50)
        throw fault('TagLimitExceeded', 400, 'The maximum number of tags per resource is 50');
    }
    const profile = asRecord(params.IamInstanceProfile);
    const reservationId = `r-${hex(8).slice(0, 17)}`;
    const created: FakeEc2Instance[] = [];
    for (let index = 0; index < maxCount; index++) {
      const mapping = asList(params.BlockDeviceMapping).find(
        (candidate) => candidate.DeviceName === image.rootDeviceName,
      );
      const ebs = asRecord(mapping?.Ebs);
      const instance: FakeEc2Instance = {
        instanceId: `i-${hex(9).slice(0, 17)}`,
        reservationId,
        imageId,
        instanceType,
        state: 'pending',
        privateIpAddress: `10.0.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 4}`,
        publicIpAddress: `54.0.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 4}`,
        launchTime: new Date(),
        tags: { ...tagsByResource.instance },
        volumes: [
          {
            volumeId: `vol-${hex(9).slice(0, 17)}`,
            deviceName: image.rootDeviceName,
            sizeGb: Number(stringOf(ebs.VolumeSize) ?? 8),
            volumeType: stringOf(ebs.VolumeType) ?? 'gp2',
            deleteOnTermination: stringOf(ebs.DeleteOnTermination) !== 'false',
            tags: { ...tagsByResource.volume },
          },
        ],
        clientToken,
        keyName,
        subnetId,
        securityGroupIds: groupIds.length > 0 ? groupIds : ['sg-0000000000default'],
        iamInstanceProfile:
          stringOf(profile.Arn) !== undefined
            ? { arn: stringOf(profile.Arn) as string }
            : stringOf(profile.Name) !== undefined
              ? { name: stringOf(profile.Name) as string }
              : undefined,
        userData,
        passwordData: '',
        request: params,
      };
      addressCounter += 1;
      created.push(instance);
    }
    instances.push(...created);
    return reservationXml(created);
  };

  const describeInstances = (params: Record<string, unknown>): string => {
    advanceStates();
    const instanceIds = asStringList(params.InstanceId);
    if (instanceIds.length > 0 && params.MaxResults !== undefined) {
      throw fault(
        'InvalidParameterCombination',
        400,
        'The parameter instancesSet cannot be used with the parameter maxResults',
      );
    }
    const selected = instanceIds.length > 0 ? instanceIds.map(findInstance) : instances;
    const filters = asList(params.Filter);
    const matching = selected.filter((instance) => filters.every((filter) => matchesFilter(instance, filter)));
    const { page, nextToken } = paginate(matching, params);
    return [
      `<reservationSet>${page.map((instance) => `<item>${reservationXml([instance])}</item>`).join('')}</reservationSet>`,
      element('nextToken', nextToken),
    ].join('');
  };

  const terminateInstances = (params: Record<string, unknown>): string => {
    const selected = asStringList(params.InstanceId).map(findInstance);
    const items = selected.map((instance) => {
      const previous = instance.state;
      if (previous !== 'terminated') instance.state = 'shutting-down';
      return `<item>${element('instanceId', instance.instanceId)}<currentState>${element('code', stateCodes[instance.state])}${element('name', instance.state)}</currentState><previousState>${element('code', stateCodes[previous])}${element('name', previous)}</previousState></item>`;
    });
    return `<instancesSet>${items.join('')}</instancesSet>`;
  };

  const describeInstanceTypes = (params: Record<string, unknown>): string => {
    const requested = asStringList(params.InstanceType);
    for (const instanceType of requested) {
      if (!instanceTypes.has(instanceType)) {
        throw fault(
          'InvalidInstanceType',
          400,
          `The following supplied instance types do not exist: [${instanceType}]`,
        );
      }
    }
    const selected =
      requested.length > 0
        ? requested.map((type) => instanceTypes.get(type) as FakeInstanceTypeInfo)
        : [...instanceTypes.values()];
    const { page, nextToken } = paginate(selected, params);
    const items = page.map((info) =>
      [
        '<item>',
        element('instanceType', info.instanceType),
        element('currentGeneration', true),
        element('hypervisor', 'nitro'),
        `<vCpuInfo>${element('defaultVCpus', info.vcpus)}${element('defaultCores', Math.max(1, info.vcpus / 2))}${element('defaultThreadsPerCore', info.vcpus > 1 ? 2 : 1)}</vCpuInfo>`,
        `<memoryInfo>${element('sizeInMiB', info.memoryMib)}</memoryInfo>`,
        info.gpus
          ? `<gpuInfo><gpus><item>${element('name', 'T4')}${element('manufacturer', 'NVIDIA')}${element('count', info.gpus)}<memoryInfo>${element('sizeInMiB', 16384)}</memoryInfo></item></gpus>${element('totalGpuMemoryInMiB', 16384 * info.gpus)}</gpuInfo>`
          : '',
        '</item>',
      ].join(''),
    );
    return `<instanceTypeSet>${items.join('')}</instanceTypeSet>${element('nextToken', nextToken)}`;
  };

  const describeImages = (params: Record<string, unknown>): string => {
    const items = asStringList(params.ImageId).map((imageId) => {
      const image = images.find((candidate) => candidate.imageId === imageId);
      if (!image) throw fault('InvalidAMIID.NotFound', 400, `The image id '[${imageId}]' does not exist`);
      return [
        '<item>',
        element('imageId', image.imageId),
        element('imageState', 'available'),
        element('architecture', 'x86_64'),
        element('imageType', 'machine'),
        image.platform ? element('platform', image.platform) : '',
        element('rootDeviceType', 'ebs'),
        element('rootDeviceName', image.rootDeviceName),
        element('virtualizationType', 'hvm'),
        '</item>',
      ].join('');
    });
    return `<imagesSet>${items.join('')}</imagesSet>`;
  };

  const getPasswordData = (params: Record<string, unknown>): string => {
    const instance = findInstance(stringOf(params.InstanceId) ?? '');
    return [
      element('instanceId', instance.instanceId),
      element('timestamp', new Date().toISOString()),
      element('passwordData', instance.passwordData),
    ].join('');
  };

  const createTags = (params: Record<string, unknown>): string => {
    const tags = asList(params.Tag);
    for (const resourceId of asStringList(params.ResourceId)) {
      const instance = findInstance(resourceId);
      for (const tag of tags) instance.tags[stringOf(tag.Key) ?? ''] = stringOf(tag.Value) ?? '';
    }
    return element('return', true);
  };

  const ec2Actions: Record<string, (params: Record<string, unknown>) => string> = {
    RunInstances: runInstances,
    DescribeInstances: describeInstances,
    TerminateInstances: terminateInstances,
    DescribeInstanceTypes: describeInstanceTypes,
    DescribeImages: describeImages,
    GetPasswordData: getPasswordData,
    CreateTags: createTags,
  };

  const ec2ErrorXml = (error: FakeAwsError) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${element('Code', error.code)}${element('Message', error.message)}</Error></Errors>${element('RequestID', requestId())}</Response>`;

  const handleEc2 = (body: Buffer, headers: FakeAwsRequest['headers']): { statusCode: number; xml: string } => {
    const params = nestEc2QueryParameters(new URLSearchParams(body.toString('utf8')));
    const action = stringOf(params.Action) ?? '';
    requests.push({ service: 'ec2', action, params, headers });
    const handler = ec2Actions[action];
    if (!handler) {
      return {
        statusCode: 400,
        xml: ec2ErrorXml({
          code: 'InvalidAction',
          statusCode: 400,
          message: `The action ${action} is not valid for this web service.`,
        }),
      };
    }
    const injected = takeFault(action);
    if (injected) return { statusCode: injected.statusCode, xml: ec2ErrorXml(injected) };
    try {
      const content = handler(params);
      return {
        statusCode: 200,
        xml: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${ec2Namespace}">${element('requestId', requestId())}${content}</${action}Response>`,
      };
    } catch (error) {
      if (error instanceof FakeAwsFault) return { statusCode: error.fault.statusCode, xml: ec2ErrorXml(error.fault) };
      throw error;
    }
  };

  // ---------------------------------------------------------------- Route 53

  const route53ErrorXml = (error: FakeAwsError) =>
    `<?xml version="1.0"?>\n<ErrorResponse xmlns="${route53Namespace}"><Error>${element('Type', error.statusCode >= 500 ? 'Receiver' : 'Sender')}${element('Code', error.code)}${element('Message', error.message)}</Error>${element('RequestId', requestId())}</ErrorResponse>`;

  const findZone = (id: string): FakeHostedZone => {
    const zone = hostedZones.find((candidate) => candidate.id === id.replace(/^\/hostedzone\//, ''));
    if (!zone) throw fault('NoSuchHostedZone', 404, `No hosted zone found with ID: ${id}`);
    return zone;
  };

  const hostedZoneXml = (zone: FakeHostedZone) =>
    `<HostedZone>${element('Id', `/hostedzone/${zone.id}`)}${element('Name', zone.name)}${element('CallerReference', `headroom-fake-${zone.id}`)}<Config>${element('PrivateZone', zone.privateZone)}</Config>${element('ResourceRecordSetCount', zone.records.length)}</HostedZone>`;

  const listHostedZonesByName = (query: URLSearchParams): string => {
    const dnsName = query.get('dnsname');
    const startId = query.get('hostedzoneid');
    const maxItems = Math.min(Number(query.get('maxitems') ?? 100), maxPageSize);
    const sorted = [...hostedZones].sort((a, b) =>
      reversedLabels(a.name) === reversedLabels(b.name)
        ? a.id < b.id
          ? -1
          : 1
        : reversedLabels(a.name) < reversedLabels(b.name)
          ? -1
          : 1,
    );
    const start = dnsName
      ? sorted.findIndex((zone) => {
          const zoneKey = reversedLabels(zone.name);
          const startKey = reversedLabels(toFqdn(dnsName));
          const order = zoneKey < startKey ? -1 : zoneKey > startKey ? 1 : 0;
          return order > 0 || (order === 0 && (startId === null || zone.id >= startId));
        })
      : 0;
    const fromStart = start < 0 ? [] : sorted.slice(start);
    const page = fromStart.slice(0, maxItems);
    const next = fromStart[maxItems];
    return [
      `<HostedZones>${page.map(hostedZoneXml).join('')}</HostedZones>`,
      dnsName ? element('DNSName', toFqdn(dnsName)) : '',
      element('IsTruncated', next !== undefined),
      element('MaxItems', maxItems),
      next ? element('NextDNSName', next.name) : '',
      next ? element('NextHostedZoneId', next.id) : '',
    ].join('');
  };

  const recordSetXml = (record: FakeRecordSet) =>
    `<ResourceRecordSet>${element('Name', record.name)}${element('Type', record.type)}${element('TTL', record.ttlSeconds)}<ResourceRecords>${record.values.map((value) => `<ResourceRecord>${element('Value', value)}</ResourceRecord>`).join('')}</ResourceRecords></ResourceRecordSet>`;

  const listResourceRecordSets = (zone: FakeHostedZone, query: URLSearchParams): string => {
    const startName = query.get('name');
    const startType = query.get('type');
    if (startType && !startName) throw fault('InvalidInput', 400, 'The type parameter requires the name parameter');
    const maxItems = Math.min(Number(query.get('maxitems') ?? 300), maxPageSize);
    const sorted = [...zone.records].sort(compareRecordKeys);
    const fromStart = startName
      ? sorted.filter((record) => compareRecordKeys(record, { name: toFqdn(startName), type: startType ?? '' }) >= 0)
      : sorted;
    const page = fromStart.slice(0, maxItems);
    const next = fromStart[maxItems];
    return [
      `<ResourceRecordSets>${page.map(recordSetXml).join('')}</ResourceRecordSets>`,
      element('IsTruncated', next !== undefined),
      element('MaxItems', maxItems),
      next ? element('NextRecordName', next.name) : '',
      next ? element('NextRecordType', next.type) : '',
    ].join('');
  };

  const changeResourceRecordSets = (zone: FakeHostedZone, body: Record<string, unknown>): string => {
    const request = asRecord(body.ChangeResourceRecordSetsRequest);
    const changes = asList(asRecord(asRecord(request.ChangeBatch).Changes).Change);
    if (changes.length === 0) throw fault('InvalidInput', 400, 'ChangeBatch must contain at least one change');
    const records = zone.records.map((record) => ({ ...record, values: [...record.values] }));
    const messages: string[] = [];
    for (const change of changes) {
      const action = stringOf(change.Action);
      const recordSet = asRecord(change.ResourceRecordSet);
      const name = toFqdn(stringOf(recordSet.Name) ?? '');
      const type = stringOf(recordSet.Type) ?? '';
      const ttlSeconds = Number(stringOf(recordSet.TTL) ?? 0);
      const values = asList(asRecord(recordSet.ResourceRecords).ResourceRecord).map(
        (record) => stringOf(record.Value) ?? '',
      );
      if (name !== zone.name && !name.endsWith(`.${zone.name}`)) {
        messages.push(`RRSet with DNS name ${name} is not permitted in zone ${zone.name}`);
        continue;
      }
      const index = records.findIndex((record) => record.name === name && record.type === type);
      const label = `[name='${name}', type='${type}']`;
      if (action === 'CREATE' || action === 'UPSERT') {
        if (values.length === 0) {
          messages.push(
            `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with ${label}`,
          );
          continue;
        }
        if (action === 'CREATE' && index >= 0) {
          messages.push(`Tried to create resource record set ${label} but it already exists`);
          continue;
        }
        const record = { name, type, ttlSeconds, values };
        if (index >= 0) records[index] = record;
        else records.push(record);
      } else if (action === 'DELETE') {
        const current = records[index];
        if (!current) {
          messages.push(`Tried to delete resource record set ${label} but it was not found`);
          continue;
        }
        if (
          current.ttlSeconds !== ttlSeconds ||
          JSON.stringify([...current.values].sort()) !== JSON.stringify([...values].sort())
        ) {
          messages.push(
            `Tried to delete resource record set ${label} but the values provided do not match the current values`,
          );
          continue;
        }
        records.splice(index, 1);
      } else {
        throw fault('InvalidInput', 400, `Invalid XML ; cvc-enumeration-valid: Value '${action}' is not facet-valid`);
      }
    }
    if (messages.length > 0) throw fault('InvalidChangeBatch', 400, `[${messages.join(', ')}]`);
    zone.records = records;
    return `<ChangeInfo>${element('Id', `/change/C${hex(10).toUpperCase()}`)}${element('Status', 'PENDING')}${element('SubmittedAt', new Date().toISOString())}${element('Comment', stringOf(asRecord(request.ChangeBatch).Comment))}</ChangeInfo>`;
  };

  const handleRoute53 = (
    method: string,
    url: URL,
    body: Buffer,
    headers: FakeAwsRequest['headers'],
  ): { statusCode: number; xml: string } => {
    const path = url.pathname.replace(/\/$/, '');
    let action = 'Unknown';
    let run: () => string;
    const zoneMatch = path.match(/^\/2013-04-01\/hostedzone\/([^/]+)\/rrset$/);
    const parsedBody = body.byteLength > 0 ? (xmlParser.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    if (method === 'GET' && path === '/2013-04-01/hostedzonesbyname') {
      action = 'ListHostedZonesByName';
      run = () => listHostedZonesByName(url.searchParams);
    } else if (zoneMatch && method === 'POST') {
      action = 'ChangeResourceRecordSets';
      const zoneId = decodeURIComponent(zoneMatch[1] as string);
      run = () => changeResourceRecordSets(findZone(zoneId), parsedBody);
    } else if (zoneMatch && method === 'GET') {
      action = 'ListResourceRecordSets';
      const zoneId = decodeURIComponent(zoneMatch[1] as string);
      run = () => listResourceRecordSets(findZone(zoneId), url.searchParams);
    } else {
      run = () => {
        throw fault('InvalidAction', 400, `${method} ${url.pathname} is not supported by the fake`);
      };
    }
    requests.push({
      service: 'route53',
      action,
      params: { ...Object.fromEntries(url.searchParams), ...parsedBody },
      headers,
    });
    const injected = takeFault(action);
    if (injected) return { statusCode: injected.statusCode, xml: route53ErrorXml(injected) };
    try {
      const content = run();
      const rootName = `${action}Response`;
      return {
        statusCode: 200,
        xml: `<?xml version="1.0" encoding="UTF-8"?>\n<${rootName} xmlns="${route53Namespace}">${content}</${rootName}>`,
      };
    } catch (error) {
      if (error instanceof FakeAwsFault)
        return { statusCode: error.fault.statusCode, xml: route53ErrorXml(error.fault) };
      throw error;
    }
  };

  // ---------------------------------------------------------------- HTTP

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    const isRoute53 = url.pathname.startsWith('/2013-04-01/');
    const signature = verifySigV4({ method, url, headers: request.headers, body, credentials });
    let result: { statusCode: number; xml: string };
    if (!signature.ok) {
      const error =
        signature.reason === 'signature-mismatch'
          ? { code: 'SignatureDoesNotMatch', statusCode: 403, message: signature.message }
          : isRoute53
            ? { code: 'InvalidClientTokenId', statusCode: 403, message: signature.message }
            : {
                code: 'AuthFailure',
                statusCode: 401,
                message: 'AWS was not able to validate the provided access credentials',
              };
      result = isRoute53
        ? { statusCode: error.statusCode, xml: route53ErrorXml(error) }
        : { statusCode: error.statusCode, xml: ec2ErrorXml(error) };
    } else if (isRoute53) {
      result = handleRoute53(method, url, body, request.headers);
    } else {
      result = handleEc2(body, request.headers);
    }
    response.writeHead(result.statusCode, {
      'content-type': 'text/xml;charset=UTF-8',
      'x-amzn-requestid': requestId(),
      'content-length': Buffer.byteLength(result.xml),
    });
    response.end(result.xml);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`fake AWS server error: ${error instanceof Error ? error.stack : String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    instances,
    hostedZones,
    failNext({ action, fault: injected, count = 1 }) {
      const isRoute53Action = ['ListHostedZonesByName', 'ChangeResourceRecordSets', 'ListResourceRecordSets'].includes(
        action,
      );
      const error = typeof injected === 'string' ? (isRoute53Action ? route53Faults : ec2Faults)[injected] : injected;
      const queue = pendingFaults.get(action) ?? [];
      for (let index = 0; index < count; index++) queue.push(error);
      pendingFaults.set(action, queue);
    },
    requestsOf(action) {
      return requests.filter((request) => request.action === action);
    },
    setPasswordData({ instanceId, passwordData }) {
      findInstance(instanceId).passwordData = passwordData;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
