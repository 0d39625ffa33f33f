import { InvalidProviderConfigError, ProviderApiError } from '@headroom/core/provider';
import { afterEach, describe, expect, test } from 'vitest';
import { FAKE_AWS_DEFAULTS, type FakeAwsServer, startFakeAwsServer } from '../test/fake-aws-server.js';
import { type AwsDnsProvider, createAwsDnsProvider, normalizeRoute53Name } from './aws-dns-provider.js';
import type { AwsDnsProviderSettings } from './aws-provider-settings.js';

const opened: { server: FakeAwsServer; dns: AwsDnsProvider[] }[] = [];

afterEach(async () => {
  for (const { server, dns } of opened.splice(0)) {
    for (const provider of dns) await provider.close();
    await server.close();
  }
});

async function setUp(options: {
  hostedZones: { name: string; privateZone?: boolean }[];
  maxPageSize?: number;
  settings?: Partial<AwsDnsProviderSettings>;
}) {
  const server = await startFakeAwsServer({
    hostedZones: options.hostedZones,
    maxPageSize: options.maxPageSize ?? 100,
  });
  const dns = createAwsDnsProvider({
    endpoint: server.endpoint,
    accessKeyId: FAKE_AWS_DEFAULTS.accessKeyId,
    secretAccessKey: FAKE_AWS_DEFAULTS.secretAccessKey,
    ...options.settings,
  });
  opened.push({ server, dns: [dns] });
  return { server, dns };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

function zoneNamed(server: FakeAwsServer, name: string) {
  const zone = server.hostedZones.find((candidate) => candidate.name === name);
  if (!zone) throw new Error(`no zone ${name}`);
  return zone;
}

describe('hosted zone lookup', () => {
  test('uses the most specific zone serving the base domain, looked up once per base domain', async () => {
    const { server, dns } = await setUp({ hostedZones: [{ name: 'example.com' }, { name: 'agents.example.com' }] });
    await dns.upsertRecord({
      zone: 'agents.example.com',
      name: 'a1.agents.example.com',
      type: 'A',
      value: '10.0.0.1',
      ttlSeconds: 60,
    });
    await dns.upsertRecord({
      zone: 'agents.example.com',
      name: 'a2.agents.example.com',
      type: 'A',
      value: '10.0.0.2',
      ttlSeconds: 60,
    });
    await dns.upsertRecord({
      zone: 'other.example.com',
      name: 'b1.other.example.com',
      type: 'A',
      value: '10.0.1.1',
      ttlSeconds: 60,
    });

    expect(zoneNamed(server, 'agents.example.com.').records.map((record) => record.name)).toContain(
      'a2.agents.example.com.',
    );
    expect(zoneNamed(server, 'example.com.').records.map((record) => record.name)).toContain('b1.other.example.com.');
    expect(server.requestsOf('ListHostedZonesByName').map((request) => request.params.dnsname)).toEqual([
      'agents.example.com',
      'other.example.com',
      'example.com',
    ]);
  });

  test('two zones with the same name need hostedZoneId; with it set, no lookup happens', async () => {
    const { server, dns } = await setUp({
      hostedZones: [{ name: 'corp.example' }, { name: 'corp.example', privateZone: true }],
    });
    const error = await rejectionOf(dns.listRecords({ zone: 'corp.example' }));
    expect(InvalidProviderConfigError.isInstance(error)).toBe(true);
    expect((error as InvalidProviderConfigError).field).toBe('hostedZoneId');

    const privateZone = server.hostedZones.find((zone) => zone.privateZone);
    const pinned = createAwsDnsProvider({
      endpoint: server.endpoint,
      accessKeyId: FAKE_AWS_DEFAULTS.accessKeyId,
      secretAccessKey: FAKE_AWS_DEFAULTS.secretAccessKey,
      hostedZoneId: `/hostedzone/${privateZone?.id}`,
    });
    opened[0]?.dns.push(pinned);
    const lookupsBefore = server.requestsOf('ListHostedZonesByName').length;
    await pinned.upsertRecord({
      zone: 'corp.example',
      name: 'x.corp.example',
      type: 'A',
      value: '10.1.1.1',
      ttlSeconds: 30,
    });
    expect(privateZone?.records.some((record) => record.name === 'x.corp.example.')).toBe(true);
    expect(server.requestsOf('ListHostedZonesByName')).toHaveLength(lookupsBefore);
  });

  test('no zone for the domain is a config error', async () => {
    const { dns } = await setUp({ hostedZones: [{ name: 'example.org' }] });
    const error = await rejectionOf(dns.listRecords({ zone: 'agents.example.com' }));
    expect(InvalidProviderConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('no Route 53 hosted zone serves agents.example.com');
  });
});

describe('records', () => {
  test('upsert sends an UPSERT change with a fully qualified name, and replaces the record', async () => {
    const { server, dns } = await setUp({ hostedZones: [{ name: 'example.com' }] });
    await dns.upsertRecord({
      zone: 'example.com',
      name: 'Agent-7.example.com',
      type: 'A',
      value: '10.0.0.7',
      ttlSeconds: 60,
    });
    await dns.upsertRecord({
      zone: 'example.com',
      name: 'agent-7.example.com',
      type: 'A',
      value: '10.0.0.8',
      ttlSeconds: 120,
    });
    const [first] = server.requestsOf('ChangeResourceRecordSets');
    expect(first?.params).toMatchObject({
      ChangeResourceRecordSetsRequest: {
        ChangeBatch: {
          Comment: 'headroom upsert',
          Changes: {
            Change: [
              {
                Action: 'UPSERT',
                ResourceRecordSet: {
                  Name: 'agent-7.example.com.',
                  Type: 'A',
                  TTL: '60',
                  ResourceRecords: { ResourceRecord: [{ Value: '10.0.0.7' }] },
                },
              },
            ],
          },
        },
      },
    });
    expect(String(first?.headers.authorization)).toMatch(/\/us-east-1\/route53\/aws4_request/);
    expect(await dns.listRecords({ zone: 'example.com' })).toEqual([
      { zone: 'example.com', name: 'agent-7.example.com', type: 'A', value: '10.0.0.8', ttlSeconds: 120 },
    ]);
  });

  test('delete reads the current record set first and repeats it; a missing record is success without a change', async () => {
    const { server, dns } = await setUp({ hostedZones: [{ name: 'example.com' }] });
    await dns.upsertRecord({
      zone: 'example.com',
      name: 'gone.example.com',
      type: 'CNAME',
      value: 'x.example.net',
      ttlSeconds: 300,
    });
    await dns.deleteRecord({ zone: 'example.com', name: 'gone.example.com', type: 'CNAME' });
    const deletes = server.requestsOf('ChangeResourceRecordSets').slice(1);
    expect(deletes).toHaveLength(1);
    expect(deletes[0]?.params).toMatchObject({
      ChangeResourceRecordSetsRequest: {
        ChangeBatch: {
          Changes: {
            Change: [
              {
                Action: 'DELETE',
                ResourceRecordSet: { Name: 'gone.example.com.', Type: 'CNAME', TTL: '300' },
              },
            ],
          },
        },
      },
    });
    expect(await dns.listRecords({ zone: 'example.com' })).toEqual([]);

    await dns.deleteRecord({ zone: 'example.com', name: 'gone.example.com', type: 'CNAME' });
    expect(server.requestsOf('ChangeResourceRecordSets')).toHaveLength(2);
  });

  test('a record deleted by someone else between read and delete (InvalidChangeBatch "not found") is success', async () => {
    const { server, dns } = await setUp({ hostedZones: [{ name: 'example.com' }] });
    await dns.upsertRecord({
      zone: 'example.com',
      name: 'race.example.com',
      type: 'A',
      value: '10.0.0.9',
      ttlSeconds: 60,
    });
    server.failNext({
      action: 'ChangeResourceRecordSets',
      fault: {
        code: 'InvalidChangeBatch',
        statusCode: 400,
        message: "[Tried to delete resource record set [name='race.example.com.', type='A'] but it was not found]",
      },
    });
    await dns.deleteRecord({ zone: 'example.com', name: 'race.example.com', type: 'A' });
  });

  test('values changed between read and delete: re-read once and delete what is there', async () => {
    const { server, dns } = await setUp({ hostedZones: [{ name: 'example.com' }] });
    await dns.upsertRecord({
      zone: 'example.com',
      name: 'moved.example.com',
      type: 'A',
      value: '10.0.0.1',
      ttlSeconds: 60,
    });
    server.failNext({
      action: 'ChangeResourceRecordSets',
      fault: {
        code: 'InvalidChangeBatch',
        statusCode: 400,
        message:
          "[Tried to delete resource record set [name='moved.example.com.', type='A'] but the values provided do not match the current values]",
      },
    });
    await dns.deleteRecord({ zone: 'example.com', name: 'moved.example.com', type: 'A' });
    expect(
      server.requestsOf('ListResourceRecordSets').filter((request) => request.params.maxitems === '1'),
    ).toHaveLength(2);
    expect(await dns.listRecords({ zone: 'example.com' })).toEqual([]);
  });

  test('listRecords pages through NextRecordName, keeps A/AAAA/CNAME under the base domain only', async () => {
    const { server, dns } = await setUp({ hostedZones: [{ name: 'example.com' }], maxPageSize: 2 });
    for (let index = 0; index < 5; index++) {
      await dns.upsertRecord({
        zone: 'agents.example.com',
        name: `a${index}.agents.example.com`,
        type: 'A',
        value: `10.0.0.${index}`,
        ttlSeconds: 60,
      });
    }
    await dns.upsertRecord({
      zone: 'agents.example.com',
      name: 'v6.agents.example.com',
      type: 'AAAA',
      value: 'fd00::1',
      ttlSeconds: 60,
    });
    await dns.upsertRecord({
      zone: 'example.com',
      name: 'www.example.com',
      type: 'A',
      value: '10.9.9.9',
      ttlSeconds: 60,
    });
    const records = await dns.listRecords({ zone: 'agents.example.com' });
    expect(records.map((record) => `${record.name} ${record.type} ${record.value}`).sort()).toEqual([
      'a0.agents.example.com A 10.0.0.0',
      'a1.agents.example.com A 10.0.0.1',
      'a2.agents.example.com A 10.0.0.2',
      'a3.agents.example.com A 10.0.0.3',
      'a4.agents.example.com A 10.0.0.4',
      'v6.agents.example.com AAAA fd00::1',
    ]);
    const pages = server
      .requestsOf('ListResourceRecordSets')
      .filter((request) => request.params.maxitems === undefined);
    expect(pages.length).toBeGreaterThanOrEqual(5);
    expect(pages[1]?.params.name).toEqual(expect.any(String));
  });

  test('a name outside the zone is refused before any call', async () => {
    const { server, dns } = await setUp({ hostedZones: [{ name: 'example.com' }] });
    const error = await rejectionOf(
      dns.upsertRecord({
        zone: 'agents.example.com',
        name: 'evil.example.org',
        type: 'A',
        value: '1.2.3.4',
        ttlSeconds: 60,
      }),
    );
    expect(InvalidProviderConfigError.isInstance(error)).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  test('Route 53 throttling is a retryable ProviderApiError', async () => {
    const { server, dns } = await setUp({ hostedZones: [{ name: 'example.com' }] });
    server.failNext({ action: 'ChangeResourceRecordSets', fault: 'throttled' });
    const error = await rejectionOf(
      dns.upsertRecord({ zone: 'example.com', name: 't.example.com', type: 'A', value: '10.0.0.1', ttlSeconds: 60 }),
    );
    expect(ProviderApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ isRetryable: true, code: 'Throttling' });
  });
});

test('normalizeRoute53Name lowercases, drops the trailing dot and decodes octal escapes', () => {
  expect(normalizeRoute53Name('\\052.Agents.Example.COM.')).toBe('*.agents.example.com');
});
