import {
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  EC2Client,
  EC2ServiceException,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { HEADROOM_TAGS, InsufficientCapacityError } from '@headroom/core/provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, test } from 'vitest';
import { createAwsProvider } from './aws-provider.js';

// Command-level stubs of the SDK client (no HTTP): control flow of the adapter over the real SDK types.
const ec2Mock = mockClient(EC2Client);

afterEach(() => {
  ec2Mock.reset();
});

function makeProvider() {
  return createAwsProvider({
    region: 'us-east-1',
    accessKeyId: 'test',
    secretAccessKey: 'test-secret',
    amiId: 'ami-0123456789abcdef0',
    instanceType: 't3.medium',
    maxInstances: 5,
  });
}

describe('createAwsProvider over a mocked EC2Client', () => {
  test('listInstances follows NextToken across pages and maps each instance', async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [
          {
            Instances: [
              {
                InstanceId: 'i-0000000000000000a',
                InstanceType: 't3.medium',
                State: { Name: 'running', Code: 16 },
                PrivateIpAddress: '10.0.0.1',
                Tags: [
                  { Key: 'Name', Value: 'agent-a' },
                  { Key: HEADROOM_TAGS.pool, Value: 'p' },
                ],
                LaunchTime: new Date('2026-11-22T10:00:00Z'),
              },
            ],
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        Reservations: [
          {
            Instances: [
              {
                InstanceId: 'i-0000000000000000b',
                InstanceType: 't3.medium',
                State: { Name: 'stopped', Code: 80 },
                Tags: [{ Key: HEADROOM_TAGS.pool, Value: 'p' }],
              },
              {
                InstanceId: 'i-0000000000000000c',
                InstanceType: 't3.medium',
                State: { Name: 'terminated', Code: 48 },
                Tags: [{ Key: HEADROOM_TAGS.pool, Value: 'p' }],
              },
            ],
          },
        ],
      });
    ec2Mock.on(DescribeInstanceTypesCommand).resolves({
      InstanceTypes: [{ InstanceType: 't3.medium', VCpuInfo: { DefaultVCpus: 2 }, MemoryInfo: { SizeInMiB: 4096 } }],
    });
    const provider = makeProvider();
    const listed = await provider.listInstances({ tags: { [HEADROOM_TAGS.pool]: 'p' } });
    await provider.close();

    expect(listed).toEqual([
      {
        instanceId: 'i-0000000000000000a',
        name: 'agent-a',
        state: 'running',
        tags: { Name: 'agent-a', [HEADROOM_TAGS.pool]: 'p' },
        shape: { cores: 2, memoryMb: 4096, gpus: 0 },
        privateAddress: '10.0.0.1',
        createdAt: '2026-11-22T10:00:00.000Z',
      },
      {
        instanceId: 'i-0000000000000000b',
        name: 'i-0000000000000000b',
        state: 'stopping',
        tags: { [HEADROOM_TAGS.pool]: 'p' },
        shape: { cores: 2, memoryMb: 4096, gpus: 0 },
      },
    ]);
    const calls = ec2Mock.commandCalls(DescribeInstancesCommand);
    expect(calls.map((call) => call.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
  });

  test('RunInstances carries the abort signal and maps a modeled SDK exception', async () => {
    ec2Mock.on(RunInstancesCommand).rejects(
      new EC2ServiceException({
        name: 'InsufficientInstanceCapacity',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
        message: 'no t3.medium capacity',
      }),
    );
    const provider = makeProvider();
    const controller = new AbortController();
    const error = await provider
      .createInstance({
        name: 'agent-1',
        idempotencyKey: 'intent-1',
        tags: { [HEADROOM_TAGS.intent]: 'intent-1' },
        shape: { cores: 2, memoryMb: 4096, gpus: 0 },
        abortSignal: controller.signal,
      })
      .catch((caught: unknown) => caught);
    await provider.close();
    expect(InsufficientCapacityError.isInstance(error)).toBe(true);
    const [call] = ec2Mock.commandCalls(RunInstancesCommand);
    expect(call?.args[0].input).toMatchObject({ ClientToken: 'intent-1', MinCount: 1, MaxCount: 1 });
    expect(((call?.args as unknown[] | undefined)?.[1] as { abortSignal?: AbortSignal } | undefined)?.abortSignal).toBe(
      controller.signal,
    );
  });

  test('TerminateInstances of an unknown instance resolves', async () => {
    ec2Mock.on(TerminateInstancesCommand).rejects(
      new EC2ServiceException({
        name: 'InvalidInstanceID.NotFound',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: "The instance ID 'i-0000000000000000d' does not exist",
      }),
    );
    const provider = makeProvider();
    await expect(provider.destroyInstance({ instanceId: 'i-0000000000000000d' })).resolves.toBeUndefined();
    await provider.close();
  });
});
