import type { Instance as AwsInstance, Filter } from '@aws-sdk/client-ec2';
import type {
  ComputeProviderV1,
  CreateInstanceOptionsV1,
  DestroyInstanceOptionsV1,
  ListInstancesOptionsV1,
  ProviderInstance,
  Resources,
} from '@headroom/core/provider';
import { InstanceNotFoundError, InvalidProviderConfigError, ProviderApiError } from '@headroom/core/provider';
import { type AwsEc2Client, createAwsSdkEc2Client } from './aws-client.js';
import { callAws, getAwsErrorCode } from './aws-error.js';
import { type AwsProviderSettings, awsProviderSettingsSchema } from './aws-provider-settings.js';
import {
  AWS_PROVIDER_ID,
  createAwsCredentialsProvider,
  loadAwsRegion,
  parseAwsSettings,
  resolveAwsSecret,
} from './aws-setting.js';
import { convertToAwsRunInstancesRequest, encodeAwsUserData } from './convert-to-aws-run-instances-request.js';
import { decryptAwsWindowsPassword } from './decrypt-aws-windows-password.js';
import { AWS_LIVE_STATES, isAwsInstanceGone, mapAwsInstance, mapAwsInstanceTypeShape } from './map-aws-instance.js';

/** The EC2 adapter. `retrieveConnectionSecret` is present only when `retrieveWindowsPassword` is on. */
export interface AwsProvider extends ComputeProviderV1 {
  readonly providerId: 'aws';
  /**
   * The decrypted Windows administrator password of an instance, or `undefined` while EC2 has not
   * generated it yet (up to about 15 minutes after launch). Never logged.
   * @throws InstanceNotFoundError | InvalidProviderConfigError | ProviderApiError
   */
  retrieveConnectionSecret?(options: { instanceId: string; abortSignal?: AbortSignal }): Promise<string | undefined>;
  /** Releases the SDK client's sockets. */
  close(): Promise<void>;
}

/** Most `DescribeInstances` pages read in one listing; a listing beyond it fails rather than loops. */
const maxListPages = 1000;
const goneInstanceCodes = new Set(['InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed']);

function hasAnyResource(shape: Resources): boolean {
  return shape.cores > 0 || shape.memoryMb > 0 || shape.gpus > 0;
}

/** Escapes EC2 filter wildcards (`*`, `?`) so that a tag value matches literally. */
function escapeFilterValue(value: string): string {
  return value.replace(/[\\*?]/g, (character) => `\\${character}`);
}

/**
 * Creates the AWS EC2 compute provider. Settings are validated here (an `InvalidProviderConfigError`
 * names the first bad field); the SDK is loaded and secrets are resolved on the first call.
 */
export function createAwsProvider(settings: AwsProviderSettings): AwsProvider {
  const { ec2Client: injectedClient, ...configSettings } = settings;
  const parsed = parseAwsSettings({ schema: awsProviderSettingsSchema, settings: configSettings });
  let clientPromise: Promise<AwsEc2Client> | undefined;
  const shapeCache = new Map<string, Promise<Resources>>();
  let rootDeviceNamePromise: Promise<string> | undefined;

  const getClient = (): Promise<AwsEc2Client> => {
    clientPromise ??= injectedClient
      ? Promise.resolve(injectedClient)
      : createAwsSdkEc2Client({
          region: loadAwsRegion(parsed.region),
          credentials: createAwsCredentialsProvider(parsed),
          endpoint: parsed.endpoint,
          maxAttempts: parsed.maxAttempts,
        });
    return clientPromise;
  };

  /** Hardware shapes of instance types from DescribeInstanceTypes, cached per type. */
  const getShapes = async (instanceTypes: string[], abortSignal: AbortSignal | undefined) => {
    const missing = [...new Set(instanceTypes)].filter((instanceType) => !shapeCache.has(instanceType));
    if (missing.length > 0) {
      const lookup = (async () => {
        const client = await getClient();
        const found = new Map<string, Resources>();
        let nextToken: string | undefined;
        for (let page = 0; page < maxListPages; page++) {
          const result = await callAws({
            operation: 'DescribeInstanceTypes',
            abortSignal,
            call: () =>
              client.describeInstanceTypes(
                {
                  InstanceTypes: missing as NonNullable<
                    Parameters<AwsEc2Client['describeInstanceTypes']>[0]['InstanceTypes']
                  >,
                  ...(nextToken ? { NextToken: nextToken } : {}),
                },
                { abortSignal },
              ),
          });
          for (const info of result.InstanceTypes ?? []) {
            if (info.InstanceType) found.set(info.InstanceType, mapAwsInstanceTypeShape(info));
          }
          nextToken = result.NextToken;
          if (!nextToken) break;
        }
        return found;
      })();
      for (const instanceType of missing) {
        const shape = lookup.then((found) => {
          const resources = found.get(instanceType);
          if (!resources) {
            throw new InvalidProviderConfigError({
              providerId: AWS_PROVIDER_ID,
              field: 'instanceType',
              message: `DescribeInstanceTypes does not know instance type ${instanceType}`,
            });
          }
          return resources;
        });
        shape.catch(() => shapeCache.delete(instanceType));
        shapeCache.set(instanceType, shape);
      }
    }
    const shapes = new Map<string, Resources>();
    for (const instanceType of new Set(instanceTypes)) {
      shapes.set(instanceType, await (shapeCache.get(instanceType) as Promise<Resources>));
    }
    return shapes;
  };

  /** Root device of the AMI (`/dev/xvda`, `/dev/sda1`), from DescribeImages, cached. */
  const getRootDeviceName = (abortSignal: AbortSignal | undefined): Promise<string> => {
    rootDeviceNamePromise ??= (async () => {
      const client = await getClient();
      const result = await callAws({
        operation: 'DescribeImages',
        abortSignal,
        call: () => client.describeImages({ ImageIds: [parsed.amiId] }, { abortSignal }),
      });
      const rootDeviceName = result.Images?.find((image) => image.ImageId === parsed.amiId)?.RootDeviceName;
      if (!rootDeviceName) {
        throw new InvalidProviderConfigError({
          providerId: AWS_PROVIDER_ID,
          field: 'amiId',
          message: `AMI ${parsed.amiId} was not found or has no root device`,
        });
      }
      return rootDeviceName;
    })();
    rootDeviceNamePromise.catch(() => {
      rootDeviceNamePromise = undefined;
    });
    return rootDeviceNamePromise;
  };

  const withShapes = async (instances: AwsInstance[], abortSignal: AbortSignal | undefined) => {
    const shapes = await getShapes(
      instances.flatMap((instance) => (instance.InstanceType ? [instance.InstanceType] : [])),
      abortSignal,
    );
    return instances.map((instance) =>
      mapAwsInstance({ instance, shape: instance.InstanceType ? shapes.get(instance.InstanceType) : undefined }),
    );
  };

  const provider: AwsProvider = {
    specificationVersion: 'v1',
    providerId: AWS_PROVIDER_ID,

    async createInstance(options: CreateInstanceOptionsV1): Promise<ProviderInstance> {
      const { abortSignal } = options;
      abortSignal?.throwIfAborted();
      const startupScript = options.startupScript ?? parsed.startupScript;
      if (startupScript !== undefined) encodeAwsUserData(startupScript);
      const needsRootDevice =
        (parsed.ebsVolumeSizeGb !== undefined || parsed.ebsVolumeType !== undefined) &&
        parsed.configOverride?.BlockDeviceMappings === undefined;
      const rootDeviceName = needsRootDevice ? await getRootDeviceName(abortSignal) : undefined;
      const request = convertToAwsRunInstancesRequest({
        settings: parsed,
        name: options.name,
        idempotencyKey: options.idempotencyKey,
        tags: options.tags,
        startupScript,
        rootDeviceName,
      });
      const client = await getClient();
      const reservation = await callAws({
        operation: 'RunInstances',
        abortSignal,
        call: () => client.runInstances(request, { abortSignal }),
      });
      const instance = reservation.Instances?.[0];
      if (!instance?.InstanceId) {
        throw new ProviderApiError({
          providerId: AWS_PROVIDER_ID,
          message: 'RunInstances returned no instance',
          isRetryable: true,
        });
      }
      if (hasAnyResource(options.shape)) return mapAwsInstance({ instance, shape: options.shape });
      const [mapped] = await withShapes([instance], abortSignal);
      return mapped as ProviderInstance;
    },

    async destroyInstance(options: DestroyInstanceOptionsV1): Promise<void> {
      const { abortSignal, instanceId } = options;
      const client = await getClient();
      await callAws({
        operation: 'TerminateInstances',
        abortSignal,
        call: async () => {
          try {
            await client.terminateInstances({ InstanceIds: [instanceId] }, { abortSignal });
          } catch (error) {
            // Already gone (or an id that cannot exist) counts as destroyed.
            if (goneInstanceCodes.has(getAwsErrorCode(error) ?? '')) return;
            throw error;
          }
        },
      });
    },

    async listInstances(options: ListInstancesOptionsV1): Promise<ProviderInstance[]> {
      const { abortSignal, tags } = options;
      abortSignal?.throwIfAborted();
      const client = await getClient();
      const filters: Filter[] = [
        ...Object.entries(tags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [escapeFilterValue(value)] })),
        { Name: 'instance-state-name', Values: [...AWS_LIVE_STATES] },
      ];
      const instances: AwsInstance[] = [];
      let nextToken: string | undefined;
      let page = 0;
      do {
        if (page++ >= maxListPages) {
          throw new ProviderApiError({
            providerId: AWS_PROVIDER_ID,
            message: `DescribeInstances returned more than ${maxListPages} pages`,
            isRetryable: false,
          });
        }
        const result = await callAws({
          operation: 'DescribeInstances',
          abortSignal,
          call: () =>
            client.describeInstances(
              { Filters: filters, MaxResults: 1000, ...(nextToken ? { NextToken: nextToken } : {}) },
              { abortSignal },
            ),
        });
        for (const reservation of result.Reservations ?? []) {
          instances.push(...(reservation.Instances ?? []));
        }
        nextToken = result.NextToken || undefined;
      } while (nextToken);
      const matching = instances.filter(
        (instance) =>
          instance.InstanceId &&
          !isAwsInstanceGone(instance) &&
          Object.entries(tags).every(([key, value]) =>
            instance.Tags?.some((tag) => tag.Key === key && tag.Value === value),
          ),
      );
      return withShapes(matching, abortSignal);
    },

    async close(): Promise<void> {
      if (!clientPromise) return;
      const client = await clientPromise.catch(() => undefined);
      clientPromise = undefined;
      if (client && client !== injectedClient) client.destroy?.();
    },
  };

  if (parsed.retrieveWindowsPassword && parsed.keyPairPrivateKey !== undefined) {
    const keyPairPrivateKey = parsed.keyPairPrivateKey;
    provider.retrieveConnectionSecret = async ({ instanceId, abortSignal }) => {
      const client = await getClient();
      const result = await callAws({
        operation: 'GetPasswordData',
        abortSignal,
        call: async () => {
          try {
            return await client.getPasswordData({ InstanceId: instanceId }, { abortSignal });
          } catch (error) {
            if (goneInstanceCodes.has(getAwsErrorCode(error) ?? '')) {
              throw new InstanceNotFoundError({ providerId: AWS_PROVIDER_ID, instanceId, cause: error });
            }
            throw error;
          }
        },
      });
      const passwordData = result.PasswordData?.trim();
      if (!passwordData) return undefined;
      const privateKeyPem = await resolveAwsSecret({ setting: keyPairPrivateKey, settingName: 'keyPairPrivateKey' });
      return decryptAwsWindowsPassword({ passwordData, privateKeyPem });
    };
  }

  return provider satisfies ComputeProviderV1;
}
