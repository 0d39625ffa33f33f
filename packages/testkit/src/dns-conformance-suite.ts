import assert from 'node:assert/strict';
import type { DnsProviderV1, DnsRecord, DnsRecordType } from '@headroom/core/provider';
import { createRunId, eventually as retryUntil } from './conformance-helpers.js';
import {
  type ConformanceRunner,
  DEFAULT_CONFORMANCE_TIMEOUT_MS,
  DEFAULT_SETTLE_TIMEOUT_MS,
} from './conformance-runner.js';

/** What a DNS adapter hands the conformance suite. */
export interface DnsConformanceTarget {
  dns: DnsProviderV1;
  /** A zone the provider serves; the suite only touches names under `hrc-<run id>-*`. */
  zone: string;
  cleanup?: () => Promise<void>;
}

export interface DnsConformanceSuiteOptions {
  name: string;
  runner: ConformanceRunner;
  createTarget: () => Promise<DnsConformanceTarget>;
  /** Per test. Default 30 s. */
  timeoutMs?: number;
  /** How long listings may lag behind changes (eventual consistency). Default 5 s. */
  settleTimeoutMs?: number;
}

function findRecords(records: DnsRecord[], name: string, type: DnsRecordType): DnsRecord[] {
  return records.filter((record) => record.name === name && record.type === type);
}

/**
 * Registers the DNS conformance tests: upsert creates and replaces, list shows the zone's records,
 * delete removes one record, deleting a missing record succeeds.
 */
export function dnsConformanceSuite(options: DnsConformanceSuiteOptions): void {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONFORMANCE_TIMEOUT_MS;
  const settleTimeoutMs = options.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS;
  const eventually = (check: () => Promise<void>) => retryUntil(check, { timeoutMs: settleTimeoutMs });
  const prefix = `hrc-${createRunId()}`;
  let target: DnsConformanceTarget | undefined;
  let sequence = 0;
  const requireTarget = (): DnsConformanceTarget => {
    if (!target) throw new Error('the DNS conformance target was not created (beforeAll failed)');
    return target;
  };
  const nextName = (): string => {
    sequence += 1;
    return `${prefix}-${sequence}.${requireTarget().zone}`;
  };
  const listOwn = async (): Promise<DnsRecord[]> => {
    const { dns, zone } = requireTarget();
    const records = await dns.listRecords({ zone });
    return records.filter((record) => record.name.startsWith(`${prefix}-`));
  };
  const test = (name: string, body: (dns: DnsProviderV1, zone: string) => Promise<void>) =>
    options.runner.test(name, () => body(requireTarget().dns, requireTarget().zone), timeoutMs);

  options.runner.describe(`${options.name}: DNS provider conformance`, () => {
    options.runner.beforeAll(async () => {
      target = await options.createTarget();
    }, timeoutMs);

    options.runner.afterAll(async () => {
      if (!target) return;
      try {
        for (const record of await listOwn()) {
          await target.dns.deleteRecord({ zone: target.zone, name: record.name, type: record.type });
        }
      } finally {
        await target.cleanup?.();
      }
    }, timeoutMs);

    test('upsertRecord creates A, AAAA and CNAME records that listRecords returns', async (dns, zone) => {
      const addressName = nextName();
      const ipv6Name = nextName();
      const aliasName = nextName();
      await dns.upsertRecord({ zone, name: addressName, type: 'A', value: '127.0.0.10', ttlSeconds: 60 });
      await dns.upsertRecord({ zone, name: ipv6Name, type: 'AAAA', value: 'fd00::10', ttlSeconds: 60 });
      await dns.upsertRecord({ zone, name: aliasName, type: 'CNAME', value: addressName, ttlSeconds: 300 });
      await eventually(async () => {
        const records = await dns.listRecords({ zone });
        assert.deepEqual(findRecords(records, addressName, 'A'), [
          { zone, name: addressName, type: 'A', value: '127.0.0.10', ttlSeconds: 60 },
        ]);
        assert.deepEqual(findRecords(records, ipv6Name, 'AAAA'), [
          { zone, name: ipv6Name, type: 'AAAA', value: 'fd00::10', ttlSeconds: 60 },
        ]);
        assert.deepEqual(findRecords(records, aliasName, 'CNAME'), [
          { zone, name: aliasName, type: 'CNAME', value: addressName, ttlSeconds: 300 },
        ]);
        for (const record of records) {
          assert.equal(record.zone, zone, `record ${record.name} belongs to the listed zone`);
          assert.ok(record.name.endsWith(zone), `record name ${record.name} is fully qualified in ${zone}`);
          assert.ok(!record.name.endsWith('.'), `record name ${record.name} has no trailing dot`);
        }
      });
    });

    test('upsertRecord replaces the value and TTL of an existing record', async (dns, zone) => {
      const name = nextName();
      await dns.upsertRecord({ zone, name, type: 'A', value: '127.0.0.20', ttlSeconds: 60 });
      await dns.upsertRecord({ zone, name, type: 'A', value: '127.0.0.21', ttlSeconds: 120 });
      await eventually(async () => {
        assert.deepEqual(findRecords(await dns.listRecords({ zone }), name, 'A'), [
          { zone, name, type: 'A', value: '127.0.0.21', ttlSeconds: 120 },
        ]);
      });
    });

    test('deleteRecord removes only the named record of that type', async (dns, zone) => {
      const deletedName = nextName();
      const keptName = nextName();
      await dns.upsertRecord({ zone, name: deletedName, type: 'A', value: '127.0.0.30', ttlSeconds: 60 });
      await dns.upsertRecord({ zone, name: keptName, type: 'A', value: '127.0.0.31', ttlSeconds: 60 });
      await dns.deleteRecord({ zone, name: deletedName, type: 'A' });
      await eventually(async () => {
        const records = await dns.listRecords({ zone });
        assert.deepEqual(findRecords(records, deletedName, 'A'), [], 'the deleted record is gone');
        assert.equal(findRecords(records, keptName, 'A').length, 1, 'the other record is kept');
      });
    });

    test('deleteRecord of a missing record succeeds', async (dns, zone) => {
      const name = nextName();
      await dns.deleteRecord({ zone, name, type: 'A' });
      await dns.upsertRecord({ zone, name, type: 'A', value: '127.0.0.40', ttlSeconds: 60 });
      await dns.deleteRecord({ zone, name, type: 'CNAME' });
      await dns.deleteRecord({ zone, name, type: 'A' });
      await dns.deleteRecord({ zone, name, type: 'A' });
      await eventually(async () => {
        assert.deepEqual(findRecords(await dns.listRecords({ zone }), name, 'A'), []);
      });
    });
  });
}
