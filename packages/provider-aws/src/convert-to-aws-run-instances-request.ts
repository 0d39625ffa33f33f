import { createHash } from 'node:crypto';
import type { RunInstancesRequest, Tag, TagSpecification } from '@aws-sdk/client-ec2';
import { InvalidProviderConfigError, mergeCustomTags } from '@headroom/core/provider';
import type { AwsProviderParsedSettings } from './aws-provider-settings.js';
import { AWS_PROVIDER_ID } from './aws-setting.js';

/** EC2 limit on user data, counted on the raw script before base64. */
export const AWS_USER_DATA_LIMIT_BYTES = 16 * 1024;

/** EC2 limit on `ClientToken`. */
const clientTokenMaxLength = 64;

/** The `ClientToken` for an idempotency key: the key itself, or its SHA-256 when it is not 1–64 ASCII characters. */
export function toAwsClientToken(idempotencyKey: string): string {
  if (
    idempotencyKey.length > 0 &&
    idempotencyKey.length <= clientTokenMaxLength &&
    /^[\x20-\x7e]+$/.test(idempotencyKey)
  ) {
    return idempotencyKey;
  }
  return createHash('sha256').update(idempotencyKey).digest('hex');
}

/** Base64 user data for a startup script; refuses scripts over 16 KiB before any API call. */
export function encodeAwsUserData(startupScript: string): string {
  const bytes = Buffer.from(startupScript, 'utf8');
  if (bytes.byteLength > AWS_USER_DATA_LIMIT_BYTES) {
    throw new InvalidProviderConfigError({
      providerId: AWS_PROVIDER_ID,
      field: 'startupScript',
      message: `the rendered startup script is ${bytes.byteLength} bytes; EC2 user data is limited to ${AWS_USER_DATA_LIMIT_BYTES} bytes (16 KiB) before base64`,
    });
  }
  return bytes.toString('base64');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Deep merge: objects merge member by member; arrays and other values from `override` replace. */
export function deepMergeAwsRequest(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMergeAwsRequest(current, value) : value;
  }
  return merged;
}

function toTagList(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/**
 * Tag specifications: the override's, with Headroom's tags (custom tags, `Name`, then the
 * `headroom-*` tags, later winning) merged into the `instance` and `volume` entries.
 */
function mergeTagSpecifications(options: {
  fromOverride: unknown;
  headroomTags: Record<string, string>;
}): TagSpecification[] {
  const byResourceType = new Map<string, Record<string, string>>();
  const order: string[] = [];
  const add = (resourceType: string, tags: Record<string, string>) => {
    if (!byResourceType.has(resourceType)) {
      byResourceType.set(resourceType, {});
      order.push(resourceType);
    }
    Object.assign(byResourceType.get(resourceType) as Record<string, string>, tags);
  };
  if (Array.isArray(options.fromOverride)) {
    for (const specification of options.fromOverride as TagSpecification[]) {
      const tags: Record<string, string> = {};
      for (const tag of specification.Tags ?? []) {
        if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
      }
      add(specification.ResourceType ?? 'instance', tags);
    }
  }
  add('instance', options.headroomTags);
  add('volume', options.headroomTags);
  return order.map((resourceType) => ({
    ResourceType: resourceType as TagSpecification['ResourceType'],
    Tags: toTagList(byResourceType.get(resourceType) ?? {}),
  }));
}

/**
 * Builds the `RunInstances` request for one instance. Precedence, lowest first: the request built
 * from the settings, then `configOverride` (deep-merged), then the members Headroom always owns:
 * `ClientToken`, `MinCount`/`MaxCount` = 1 and the tags (custom, `Name`, `headroom-*`) on the
 * instance and its volumes.
 */
export function convertToAwsRunInstancesRequest(options: {
  settings: AwsProviderParsedSettings;
  name: string;
  idempotencyKey: string;
  tags: Record<string, string>;
  startupScript: string | undefined;
  /** Root device of the AMI, needed when the settings size or type the root volume. */
  rootDeviceName: string | undefined;
}): RunInstancesRequest {
  const { settings } = options;
  const base: RunInstancesRequest = {
    MinCount: 1,
    MaxCount: 1,
    ImageId: settings.amiId,
    InstanceType: settings.instanceType as RunInstancesRequest['InstanceType'],
  };
  if (settings.securityGroupIds.length > 0) base.SecurityGroupIds = [...settings.securityGroupIds];
  if (settings.subnetId !== undefined) base.SubnetId = settings.subnetId;
  if (settings.keyPairName !== undefined) base.KeyName = settings.keyPairName;
  if (settings.iamInstanceProfile !== undefined) {
    base.IamInstanceProfile = settings.iamInstanceProfile.startsWith('arn:')
      ? { Arn: settings.iamInstanceProfile }
      : { Name: settings.iamInstanceProfile };
  }
  if (options.startupScript !== undefined && options.startupScript !== '') {
    base.UserData = encodeAwsUserData(options.startupScript);
  }
  if ((settings.ebsVolumeSizeGb !== undefined || settings.ebsVolumeType !== undefined) && options.rootDeviceName) {
    base.BlockDeviceMappings = [
      {
        DeviceName: options.rootDeviceName,
        Ebs: {
          DeleteOnTermination: true,
          ...(settings.ebsVolumeSizeGb === undefined ? {} : { VolumeSize: settings.ebsVolumeSizeGb }),
          ...(settings.ebsVolumeType === undefined ? {} : { VolumeType: settings.ebsVolumeType }),
        },
      },
    ];
  }
  const merged = settings.configOverride
    ? (deepMergeAwsRequest(
        base as unknown as Record<string, unknown>,
        settings.configOverride,
      ) as unknown as RunInstancesRequest)
    : base;
  const { tags: headroomTags } = mergeCustomTags({
    managedTags: { Name: options.name, ...options.tags },
    customTags: settings.customTags,
  });
  return {
    ...merged,
    MinCount: 1,
    MaxCount: 1,
    ClientToken: toAwsClientToken(options.idempotencyKey),
    TagSpecifications: mergeTagSpecifications({ fromOverride: merged.TagSpecifications, headroomTags }),
  };
}
