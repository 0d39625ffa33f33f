import { z } from 'zod';
import type { AwsEc2Client, AwsRoute53Client } from './aws-client.js';

/** A secret: inline, `{ env: NAME }` or `{ file: path }`. Resolved on first use; never logged. */
export const awsSecretSettingSchema = z.union([
  z.string({ error: 'must be a string, { env: NAME } or { file: path }' }).min(1, { error: 'must not be empty' }),
  z.strictObject({ env: z.string().min(1, { error: 'must name an environment variable' }) }),
  z.strictObject({ file: z.string().min(1, { error: 'must name a file' }) }),
]);

export type AwsSecretSetting = z.output<typeof awsSecretSettingSchema>;

/** Members of the EC2 `RunInstances` request that `configOverride` may set (API version 2016-11-15). */
export const RUN_INSTANCES_REQUEST_MEMBERS = [
  'AdditionalInfo',
  'BlockDeviceMappings',
  'CapacityReservationSpecification',
  'ClientToken',
  'CpuOptions',
  'CreditSpecification',
  'DisableApiStop',
  'DisableApiTermination',
  'DryRun',
  'EbsOptimized',
  'ElasticGpuSpecification',
  'ElasticInferenceAccelerators',
  'EnablePrimaryIpv6',
  'EnclaveOptions',
  'HibernationOptions',
  'IamInstanceProfile',
  'ImageId',
  'InstanceInitiatedShutdownBehavior',
  'InstanceMarketOptions',
  'InstanceType',
  'Ipv6AddressCount',
  'Ipv6Addresses',
  'KernelId',
  'KeyName',
  'LaunchTemplate',
  'LicenseSpecifications',
  'MaintenanceOptions',
  'MaxCount',
  'MetadataOptions',
  'MinCount',
  'Monitoring',
  'NetworkInterfaces',
  'NetworkPerformanceOptions',
  'Operator',
  'Placement',
  'PrivateDnsNameOptions',
  'PrivateIpAddress',
  'RamdiskId',
  'SecondaryInterfaces',
  'SecurityGroupIds',
  'SecurityGroups',
  'SubnetId',
  'TagSpecifications',
  'UserData',
] as const;

const runInstancesMembers = new Set<string>(RUN_INSTANCES_REQUEST_MEMBERS);

const awsRegionSchema = z
  .string({ error: 'must be an AWS region such as us-east-1' })
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, { error: 'must be an AWS region such as us-east-1' });

const awsCredentialsShape = {
  /** AWS access key id. Defaults to the SDK's credential chain (env, profile, instance role) when not set. */
  accessKeyId: awsSecretSettingSchema.optional(),
  /** AWS secret access key; required with `accessKeyId`. */
  secretAccessKey: awsSecretSettingSchema.optional(),
  /** Session token of temporary credentials. Optional. */
  sessionToken: awsSecretSettingSchema.optional(),
  /** Endpoint URL override (VPC endpoints, tests). Defaults to the regional AWS endpoint. */
  endpoint: z.url({ error: 'must be a URL such as https://ec2.us-east-1.amazonaws.com' }).optional(),
  /**
   * Attempts per API call made by the SDK itself. Defaults to 1: Headroom's reconciler retries
   * retryable errors with capped backoff and jitter, and two retry layers multiply under throttling.
   */
  maxAttempts: z.number().int({ error: 'must be a whole number' }).min(1).max(10, { error: 'must be ≤ 10' }).default(1),
};

function refineCredentials(
  settings: { accessKeyId?: unknown; secretAccessKey?: unknown; sessionToken?: unknown },
  context: z.RefinementCtx,
): void {
  if (settings.accessKeyId !== undefined && settings.secretAccessKey === undefined) {
    context.addIssue({ code: 'custom', path: ['secretAccessKey'], message: 'is required when accessKeyId is set' });
  }
  if (settings.secretAccessKey !== undefined && settings.accessKeyId === undefined) {
    context.addIssue({ code: 'custom', path: ['accessKeyId'], message: 'is required when secretAccessKey is set' });
  }
  if (settings.sessionToken !== undefined && settings.accessKeyId === undefined) {
    context.addIssue({ code: 'custom', path: ['sessionToken'], message: 'needs accessKeyId and secretAccessKey' });
  }
}

/**
 * The AWS VM provider config (the seed's "AWS Settings"), as written under `providers.<id>` with
 * `type: aws`. `headroom validate` checks provider configs with this schema.
 */
export const awsProviderSettingsSchema = z
  .strictObject({
    /** Provider type in the YAML config; optional when the settings are passed in code. */
    type: z.literal('aws', { error: 'must be "aws"' }).optional(),
    /** A name to identify the config. */
    name: z.string().optional(),
    /** Region the instances run in, e.g. `us-east-1`. Defaults to the `AWS_REGION` environment variable. */
    region: awsRegionSchema.optional(),
    ...awsCredentialsShape,
    /** AMI the instances boot from. */
    amiId: z
      .string({ error: 'must be an AMI id such as ami-0123456789abcdef0' })
      .regex(/^ami-([0-9a-f]{8}|[0-9a-f]{17})$/, { error: 'must be an AMI id such as ami-0123456789abcdef0' }),
    /** EC2 instance type, e.g. `t3.medium`. The autoscale config's agent shape may differ (over-provisioning). */
    instanceType: z
      .string({ error: 'must be an instance type such as t3.medium' })
      .regex(/^[a-z0-9-]+\.[a-z0-9-]+$/, { error: 'must be an instance type such as t3.medium' }),
    /** Most instances this provider config may run, across all autoscale configs. The planner enforces it. */
    maxInstances: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be a whole number' })
      .min(0, { error: 'must be ≥ 0' }),
    /** Security groups of the instances (`sg-…`). Defaults to the VPC's default group. */
    securityGroupIds: z
      .array(
        z.string().regex(/^sg-([0-9a-f]{8}|[0-9a-f]{17})$/, {
          error: 'must be a security group id such as sg-0123456789abcdef0',
        }),
      )
      .default([]),
    /** Subnet the instances are placed in (`subnet-…`). Defaults to the default VPC's subnet. */
    subnetId: z
      .string()
      .regex(/^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/, { error: 'must be a subnet id such as subnet-0123456789abcdef0' })
      .optional(),
    /** Size of the root EBS volume in GiB. Defaults to the AMI's. */
    ebsVolumeSizeGb: z
      .number()
      .int({ error: 'must be a whole number' })
      .min(1, { error: 'must be ≥ 1' })
      .max(65536)
      .optional(),
    /** Type of the root EBS volume. Defaults to the AMI's. */
    ebsVolumeType: z
      .enum(['standard', 'gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1'], {
        error: 'must be one of standard, gp2, gp3, io1, io2, st1, sc1',
      })
      .optional(),
    /** IAM instance profile: a name, or an ARN (`arn:aws:iam::…:instance-profile/…`). */
    iamInstanceProfile: z.string().min(1).optional(),
    /** Extra tags on instances and volumes. Headroom's `headroom-*` tags and `Name` cannot be overridden. */
    customTags: z
      .record(
        z
          .string()
          .min(1)
          .max(128, { error: 'tag keys are at most 128 characters' })
          .refine((key) => !key.toLowerCase().startsWith('aws:'), {
            error: 'tag keys starting with "aws:" are reserved by AWS',
          })
          .refine((key) => !key.startsWith('headroom-'), {
            error: 'tag keys starting with "headroom-" are reserved by Headroom',
          }),
        z.string().max(256, { error: 'tag values are at most 256 characters' }),
      )
      .default({})
      .refine((tags) => Object.keys(tags).length <= 44, {
        error: 'at most 44 custom tags (EC2 allows 50, Headroom uses 6)',
      }),
    /** Startup script (user data) used when the autoscale config gives none. At most 16 KiB once rendered. */
    startupScript: z.string().optional(),
    /** EC2 key pair assigned to the instances (the seed's "SSH Keys"). */
    keyPairName: z.string().min(1).max(255).optional(),
    /** Private key (PEM) of `keyPairName`; needed to decrypt Windows passwords. Secret. */
    keyPairPrivateKey: awsSecretSettingSchema.optional(),
    /**
     * Retrieve the Windows administrator password EC2 generates (server pools, RDP). Requires an RSA
     * `keyPairName` and its `keyPairPrivateKey`.
     */
    retrieveWindowsPassword: z.boolean().default(false),
    /**
     * Deep-merged into the `RunInstances` request (SDK member names, PascalCase). Objects merge
     * member by member, arrays and values replace. Precedence, lowest first: Headroom's defaults
     * from the other settings, then this override, then what Headroom always sets: `ClientToken`,
     * `MinCount`/`MaxCount` = 1 and the `headroom-*` and `Name` tags on instances and volumes.
     */
    configOverride: z
      .record(z.string(), z.unknown())
      .superRefine((override, context) => {
        for (const key of Object.keys(override)) {
          if (!runInstancesMembers.has(key)) {
            context.addIssue({
              code: 'custom',
              path: [key],
              message: `is not a RunInstances request member (use the SDK's PascalCase names, e.g. EbsOptimized, MetadataOptions)`,
            });
          }
        }
      })
      .optional(),
  })
  .superRefine((settings, context) => {
    refineCredentials(settings, context);
    if (settings.retrieveWindowsPassword && settings.keyPairName === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['keyPairName'],
        message: 'is required when retrieveWindowsPassword is on',
      });
    }
    if (settings.retrieveWindowsPassword && settings.keyPairPrivateKey === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['keyPairPrivateKey'],
        message: 'is required when retrieveWindowsPassword is on (EC2 encrypts the password with the key pair)',
      });
    }
  });

/** Parsed AWS VM provider settings (defaults applied). */
export type AwsProviderParsedSettings = z.output<typeof awsProviderSettingsSchema>;

/** Settings of `createAwsProvider`: the config fields plus injectable seams. */
export type AwsProviderSettings = z.input<typeof awsProviderSettingsSchema> & {
  /** EC2 client to use instead of the SDK's (tests, custom middleware). */
  ec2Client?: AwsEc2Client;
};

/** The AWS DNS provider config (the seed's "AWS DNS Provider Settings") for Route 53. */
export const awsDnsProviderSettingsSchema = z
  .strictObject({
    /** Provider type in the YAML config; optional when the settings are passed in code. */
    type: z.literal('aws', { error: 'must be "aws"' }).optional(),
    /** A name to identify the config. */
    name: z.string().optional(),
    /** Signing region. Route 53 is global; defaults to `us-east-1`. */
    region: awsRegionSchema.default('us-east-1'),
    ...awsCredentialsShape,
    /**
     * Hosted zone id (`Z…`) to manage. Defaults to the most specific hosted zone whose name is the
     * base domain or one of its parents.
     */
    hostedZoneId: z
      .string()
      .regex(/^(\/hostedzone\/)?[A-Z0-9]{1,32}$/, { error: 'must be a hosted zone id such as Z0123456789ABCDEFGHIJ' })
      .optional(),
  })
  .superRefine(refineCredentials);

/** Parsed AWS DNS provider settings (defaults applied). */
export type AwsDnsProviderParsedSettings = z.output<typeof awsDnsProviderSettingsSchema>;

/** Settings of `createAwsDnsProvider`: the config fields plus injectable seams. */
export type AwsDnsProviderSettings = z.input<typeof awsDnsProviderSettingsSchema> & {
  /** Route 53 client to use instead of the SDK's (tests, custom middleware). */
  route53Client?: AwsRoute53Client;
};
