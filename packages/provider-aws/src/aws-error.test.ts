import {
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import { describe, expect, test } from 'vitest';
import { mapAwsError } from './aws-error.js';

function sdkError(options: { name: string; statusCode?: number; fault?: 'client' | 'server'; message?: string }) {
  return Object.assign(new Error(options.message ?? `${options.name} happened`), {
    name: options.name,
    $fault: options.fault ?? 'client',
    $metadata: options.statusCode === undefined ? {} : { httpStatusCode: options.statusCode },
  });
}

describe('mapAwsError', () => {
  test('capacity, quota and retryable codes map to their classes and keep the cause', () => {
    const capacity = sdkError({ name: 'InsufficientInstanceCapacity', statusCode: 500, fault: 'server' });
    const mappedCapacity = mapAwsError({ error: capacity, operation: 'RunInstances' });
    expect(InsufficientCapacityError.isInstance(mappedCapacity)).toBe(true);
    expect((mappedCapacity as Error).cause).toBe(capacity);

    for (const name of ['InstanceLimitExceeded', 'VcpuLimitExceeded', 'InsufficientFreeAddressesInSubnet']) {
      expect(
        QuotaExceededError.isInstance(mapAwsError({ error: sdkError({ name, statusCode: 400 }), operation: 'x' })),
      ).toBe(true);
    }
    for (const name of ['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'PriorRequestNotComplete']) {
      const mapped = mapAwsError({ error: sdkError({ name, statusCode: 400 }), operation: 'x' });
      expect(ProviderApiError.isInstance(mapped) && mapped.isRetryable, name).toBe(true);
    }
  });

  test('5xx without a known code is retryable; an unknown 4xx is not', () => {
    const server = mapAwsError({
      error: sdkError({ name: 'Weird', statusCode: 502, fault: 'server' }),
      operation: 'x',
    });
    expect(server).toMatchObject({ isRetryable: true, statusCode: 502, code: 'Weird' });
    const client = mapAwsError({ error: sdkError({ name: 'DryRunOperation', statusCode: 412 }), operation: 'x' });
    expect(client).toMatchObject({ isRetryable: false, statusCode: 412 });
  });

  test('config codes and InvalidParameterValue messages name the setting', () => {
    const cases = [
      ['InvalidAMIID.Malformed', '', 'amiId'],
      ['InvalidSubnetID.NotFound', '', 'subnetId'],
      ['InvalidGroup.NotFound', '', 'securityGroupIds'],
      ['InvalidSecurityGroupID.NotFound', '', 'securityGroupIds'],
      ['InvalidKeyPair.NotFound', '', 'keyPairName'],
      [
        'InvalidParameterValue',
        'Value (missing-profile) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name',
        'iamInstanceProfile',
      ],
      ['InvalidParameterValue', 'User data is limited to 16384 bytes', 'startupScript'],
      ['InvalidParameterValue', "Invalid value 'x9.huge' for InstanceType.", 'instanceType'],
      ['Unsupported', 'The requested configuration is currently not supported.', 'instanceType'],
    ] as const;
    for (const [name, message, field] of cases) {
      const mapped = mapAwsError({ error: sdkError({ name, statusCode: 400, message }), operation: 'RunInstances' });
      expect(InvalidProviderConfigError.isInstance(mapped), name).toBe(true);
      expect((mapped as InvalidProviderConfigError).field, `${name}: ${message}`).toBe(field);
    }
    const denied = mapAwsError({
      error: sdkError({ name: 'UnauthorizedOperation', statusCode: 403 }),
      operation: 'RunInstances',
    });
    expect(InvalidProviderConfigError.isInstance(denied)).toBe(true);
    expect((denied as Error).message).toContain('IAM permission');
  });

  test('network errors without a status are retryable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(mapAwsError({ error: refused, operation: 'DescribeInstances' })).toMatchObject({
      isRetryable: true,
      code: 'ECONNREFUSED',
    });
  });

  test('abort errors and Headroom errors pass through unchanged', () => {
    const controller = new AbortController();
    controller.abort();
    const abortError = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    expect(mapAwsError({ error: abortError, operation: 'x' })).toBe(abortError);
    expect(mapAwsError({ error: new Error('socket hang up'), operation: 'x', abortSignal: controller.signal })).toBe(
      controller.signal.reason,
    );
    const quota = new QuotaExceededError({ providerId: 'aws', message: 'q' });
    expect(mapAwsError({ error: quota, operation: 'x' })).toBe(quota);
  });
});
