import { InvalidProviderConfigError } from '@headroom/core/provider';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FakeAzureServer, startFakeAzureServer } from '../test/fake-azure-server.js';
import { fakeAzureDnsSettings } from './__fixtures__/fake-azure-settings.js';
import { createAzureDnsProvider, mapAzureRecordSet } from './azure-dns-provider.js';

let server: FakeAzureServer;

beforeAll(async () => {
  server = await startFakeAzureServer({ dnsZones: ['example.com', 'agents.example.com'] });
});
afterAll(async () => {
  await server.close();
});

const lastPut = () => server.api.requests.filter((request) => request.method === 'PUT').at(-1);

describe('azure DNS request shape', () => {
  test('upsert sends one record set per name and type to the most specific zone', async () => {
    const dns = createAzureDnsProvider(fakeAzureDnsSettings(server));
    await dns.upsertRecord({
      zone: 'agents.example.com',
      name: 'agent-1.agents.example.com',
      type: 'A',
      value: '10.0.0.7',
      ttlSeconds: 60,
    });
    expect(lastPut()?.path).toMatch(/\/dnsZones\/agents\.example\.com\/A\/agent-1$/);
    expect(lastPut()?.body).toEqual({ properties: { TTL: 60, ARecords: [{ ipv4Address: '10.0.0.7' }] } });
    await dns.upsertRecord({
      zone: 'agents.example.com',
      name: 'agents.example.com',
      type: 'AAAA',
      value: 'fd00::7',
      ttlSeconds: 30,
    });
    expect(lastPut()?.path).toMatch(/\/dnsZones\/agents\.example\.com\/AAAA\/@$/);
    expect(lastPut()?.body).toEqual({ properties: { TTL: 30, AAAARecords: [{ ipv6Address: 'fd00::7' }] } });
    await dns.upsertRecord({
      zone: 'agents.example.com',
      name: 'www.agents.example.com',
      type: 'CNAME',
      value: 'agent-1.agents.example.com',
      ttlSeconds: 300,
    });
    expect(lastPut()?.body).toEqual({ properties: { TTL: 300, CNAMERecord: { cname: 'agent-1.agents.example.com' } } });
    expect(await dns.listRecords({ zone: 'agents.example.com' })).toEqual([
      { zone: 'agents.example.com', name: 'agent-1.agents.example.com', type: 'A', value: '10.0.0.7', ttlSeconds: 60 },
      { zone: 'agents.example.com', name: 'agents.example.com', type: 'AAAA', value: 'fd00::7', ttlSeconds: 30 },
      {
        zone: 'agents.example.com',
        name: 'www.agents.example.com',
        type: 'CNAME',
        value: 'agent-1.agents.example.com',
        ttlSeconds: 300,
      },
    ]);
  });

  test('zoneName pins the zone; a name outside it is a config error', async () => {
    const dns = createAzureDnsProvider(fakeAzureDnsSettings(server, { zoneName: 'example.com' }));
    await dns.upsertRecord({
      zone: 'agents.example.com',
      name: 'agent-2.agents.example.com',
      type: 'A',
      value: '10.0.0.8',
      ttlSeconds: 60,
    });
    expect(lastPut()?.path).toMatch(/\/dnsZones\/example\.com\/A\/agent-2\.agents$/);
    const error = await dns.listRecords({ zone: 'other.org' }).catch((caught: unknown) => caught);
    expect(InvalidProviderConfigError.isInstance(error) && error.field).toBe('zoneName');
    const outside = await dns
      .upsertRecord({
        zone: 'agents.example.com',
        name: 'agent.other.org',
        type: 'A',
        value: '10.0.0.9',
        ttlSeconds: 60,
      })
      .catch((caught: unknown) => caught);
    expect(InvalidProviderConfigError.isInstance(outside) && outside.field).toBe('baseDomain');
  });

  test('a domain no zone of the resource group serves is a config error naming zoneName', async () => {
    const dns = createAzureDnsProvider(fakeAzureDnsSettings(server));
    const error = await dns.listRecords({ zone: 'agents.other.org' }).catch((caught: unknown) => caught);
    expect(InvalidProviderConfigError.isInstance(error) && error.field).toBe('zoneName');
  });

  test('record sets of other types or outside the base domain are not listed', () => {
    expect(
      mapAzureRecordSet({ type: 'Microsoft.Network/dnszones/MX', fqdn: 'a.example.com.', ttl: 1 }, 'example.com'),
    ).toEqual([]);
    expect(
      mapAzureRecordSet(
        { type: 'Microsoft.Network/dnszones/A', fqdn: 'a.other.com.', ttl: 1, aRecords: [{ ipv4Address: '1.2.3.4' }] },
        'example.com',
      ),
    ).toEqual([]);
  });
});
