import { InvalidProviderConfigError, ProviderApiError } from '@headroom/core/provider';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FakeGcpDnsServer, startFakeGcpDnsServer } from '../test/fake-gcp-dns-server.js';
import { FAKE_GCP_DEFAULTS } from '../test/fake-gcp-server.js';
import { createFakeGcpAuthClient } from './__fixtures__/gcp-test-auth.js';
import { createGcpDnsProvider } from './gcp-dns-provider.js';
import type { GcpDnsProviderSettings } from './gcp-provider-settings.js';

let server: FakeGcpDnsServer;

const dns = (extra: Partial<GcpDnsProviderSettings> = {}) =>
  createGcpDnsProvider({
    project: FAKE_GCP_DEFAULTS.project,
    endpoint: server.endpoint,
    authClient: createFakeGcpAuthClient(FAKE_GCP_DEFAULTS.accessToken),
    ...extra,
  });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  server = await startFakeGcpDnsServer({
    managedZones: [
      { name: 'example-com', dnsName: 'example.com.' },
      { name: 'agents-example-com', dnsName: 'agents.example.com.' },
      { name: 'public-lab', dnsName: 'lab.example.org.' },
      { name: 'private-lab', dnsName: 'lab.example.org.' },
    ],
    maxPageSize: 2,
  });
});
afterAll(() => server.close());

describe('Cloud DNS provider', () => {
  test('records go into the most specific managed zone, as one change, with the bearer token', async () => {
    const provider = dns();
    await provider.upsertRecord({
      zone: 'agents.example.com',
      name: 'a1.agents.example.com',
      type: 'A',
      value: '10.0.0.1',
      ttlSeconds: 60,
    });
    expect(server.recordSets.get('agents-example-com')).toContainEqual({
      kind: 'dns#resourceRecordSet',
      name: 'a1.agents.example.com.',
      type: 'A',
      ttl: 60,
      rrdatas: ['10.0.0.1'],
    });
    const change = server.requests.find((request) => request.route === 'changes.create');
    expect(change?.path).toBe(`/dns/v1/projects/${FAKE_GCP_DEFAULTS.project}/managedZones/agents-example-com/changes`);
    expect(change?.headers.authorization).toBe(`Bearer ${FAKE_GCP_DEFAULTS.accessToken}`);
    expect(change?.body).toMatchObject({
      additions: [{ name: 'a1.agents.example.com.', type: 'A', ttl: 60, rrdatas: ['10.0.0.1'] }],
      deletions: [],
    });
  });

  test('an upsert that changes nothing sends no change; a new value deletes the old set exactly', async () => {
    const provider = dns();
    const record = {
      zone: 'agents.example.com',
      name: 'a2.agents.example.com',
      type: 'A',
      value: '10.0.0.2',
      ttlSeconds: 60,
    } as const;
    await provider.upsertRecord(record);
    server.reset();
    await provider.upsertRecord(record);
    expect(server.requests.filter((request) => request.route === 'changes.create')).toEqual([]);
    await provider.upsertRecord({ ...record, value: '10.0.0.3', ttlSeconds: 120 });
    const change = server.requests.find((request) => request.route === 'changes.create');
    expect(change?.body).toMatchObject({
      deletions: [{ name: 'a2.agents.example.com.', type: 'A', ttl: 60, rrdatas: ['10.0.0.2'] }],
      additions: [{ name: 'a2.agents.example.com.', type: 'A', ttl: 120, rrdatas: ['10.0.0.3'] }],
    });
  });

  test('CNAME targets are sent absolute and listed without the trailing dot; SOA and NS are not listed', async () => {
    const provider = dns();
    await provider.upsertRecord({
      zone: 'agents.example.com',
      name: 'c1.agents.example.com',
      type: 'CNAME',
      value: 'a1.agents.example.com',
      ttlSeconds: 300,
    });
    expect(server.recordSets.get('agents-example-com')).toContainEqual(
      expect.objectContaining({ name: 'c1.agents.example.com.', rrdatas: ['a1.agents.example.com.'] }),
    );
    const records = await provider.listRecords({ zone: 'agents.example.com' });
    expect(records).toContainEqual({
      zone: 'agents.example.com',
      name: 'c1.agents.example.com',
      type: 'CNAME',
      value: 'a1.agents.example.com',
      ttlSeconds: 300,
    });
    expect(records.every((record) => ['A', 'AAAA', 'CNAME'].includes(record.type))).toBe(true);
  });

  test('a change refused because the zone changed meanwhile is re-read and retried once', async () => {
    const provider = dns();
    const record = {
      zone: 'agents.example.com',
      name: 'a3.agents.example.com',
      type: 'A',
      value: '10.0.0.4',
      ttlSeconds: 60,
    } as const;
    server.reset();
    server.failNext({
      route: 'changes.create',
      fault: {
        status: 412,
        body: { error: { code: 412, message: 'Precondition not met', errors: [{ reason: 'conditionNotMet' }] } },
      },
    });
    await provider.upsertRecord(record);
    expect(server.requests.filter((request) => request.route === 'changes.create')).toHaveLength(2);
    expect((await provider.listRecords({ zone: 'agents.example.com' })).some((item) => item.name === record.name)).toBe(
      true,
    );
  });

  test('zones: two zones of one name need managedZone; none is a config error; managedZone wins', async () => {
    const ambiguous = await rejection(dns().listRecords({ zone: 'x.lab.example.org' }));
    expect(InvalidProviderConfigError.isInstance(ambiguous) && ambiguous.field).toBe('managedZone');
    expect((ambiguous as Error).message).toMatch(/2 managed zones serve lab\.example\.org \(public-lab, private-lab\)/);
    const missing = await rejection(dns().listRecords({ zone: 'agents.example.net' }));
    expect((missing as Error).message).toMatch(/no Cloud DNS managed zone serves agents\.example\.net/);
    await dns({ managedZone: 'private-lab' }).upsertRecord({
      zone: 'x.lab.example.org',
      name: 'h.x.lab.example.org',
      type: 'A',
      value: '10.0.0.9',
      ttlSeconds: 60,
    });
    expect(server.recordSets.get('private-lab')?.some((item) => item.name === 'h.x.lab.example.org.')).toBe(true);
  });

  test('names outside the zone are refused; a refused token is a credentials error', async () => {
    await expect(
      dns().upsertRecord({
        zone: 'agents.example.com',
        name: 'a.elsewhere.com',
        type: 'A',
        value: '10.0.0.1',
        ttlSeconds: 60,
      }),
    ).rejects.toThrow(/baseDomain: record a\.elsewhere\.com is not inside the zone agents\.example\.com/);
    const refused = await rejection(
      dns({ authClient: createFakeGcpAuthClient('wrong') }).listRecords({ zone: 'agents.example.com' }),
    );
    expect(InvalidProviderConfigError.isInstance(refused) && refused.field).toBe('credentials');
  });

  test('throttling is retryable and not retried inside the SDK', async () => {
    const provider = dns({ managedZone: 'example-com' });
    server.reset();
    server.failNext({
      route: 'resourceRecordSets.list',
      fault: {
        status: 429,
        body: { error: { code: 429, message: 'Rate Limit Exceeded', errors: [{ reason: 'rateLimitExceeded' }] } },
      },
    });
    const error = await rejection(provider.listRecords({ zone: 'example.com' }));
    expect(ProviderApiError.isInstance(error) && error.isRetryable).toBe(true);
    expect(server.requests.filter((request) => request.route === 'resourceRecordSets.list')).toHaveLength(1);
  });
});
