import { CreateTagsCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, expect, test } from 'vitest';
import {
  FAKE_AWS_DEFAULTS,
  type FakeAwsServer,
  nestEc2QueryParameters,
  startFakeAwsServer,
} from './fake-aws-server.js';

let server: FakeAwsServer;
let client: EC2Client;

beforeEach(async () => {
  server = await startFakeAwsServer();
  client = new EC2Client({
    region: FAKE_AWS_DEFAULTS.region,
    endpoint: server.endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: FAKE_AWS_DEFAULTS.accessKeyId, secretAccessKey: FAKE_AWS_DEFAULTS.secretAccessKey },
  });
});

afterEach(async () => {
  client.destroy();
  await server.close();
});

test('nests EC2 query parameters with 1-based list indexes', () => {
  const parameters = new URLSearchParams(
    'Filter.1.Name=tag:a&Filter.1.Value.1=x&Filter.2.Name=b&Filter.2.Value.1=y&Filter.2.Value.2=z',
  );
  expect(nestEc2QueryParameters(parameters)).toEqual({
    Filter: [
      { Name: 'tag:a', Value: ['x'] },
      { Name: 'b', Value: ['y', 'z'] },
    ],
  });
});

test('CreateTags adds tags that DescribeInstances then filters on (real SDK round trip)', async () => {
  const run = await client.send(
    new RunInstancesCommand({ ImageId: FAKE_AWS_DEFAULTS.amiId, InstanceType: 't3.medium', MinCount: 1, MaxCount: 1 }),
  );
  const instanceId = run.Instances?.[0]?.InstanceId as string;
  expect(instanceId).toMatch(/^i-[0-9a-f]{17}$/);
  await client.send(new CreateTagsCommand({ Resources: [instanceId], Tags: [{ Key: 'role', Value: 'agent' }] }));
  const described = await client.send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'tag:role', Values: ['agent'] }] }),
  );
  const instance = described.Reservations?.[0]?.Instances?.[0];
  expect(instance?.InstanceId).toBe(instanceId);
  expect(instance?.State).toEqual({ Code: 16, Name: 'running' });
  expect(instance?.Tags).toEqual([{ Key: 'role', Value: 'agent' }]);
  expect(instance?.LaunchTime).toBeInstanceOf(Date);
});

test('an unsigned request is refused with AuthFailure in EC2 error XML', async () => {
  const response = await fetch(server.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=DescribeInstances&Version=2016-11-15',
  });
  expect(response.status).toBe(401);
  const body = await response.text();
  expect(body).toContain('<Response><Errors><Error><Code>AuthFailure</Code>');
  expect(server.requests).toHaveLength(0);
});
