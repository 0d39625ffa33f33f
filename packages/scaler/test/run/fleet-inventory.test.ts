import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { ConfigError, type LedgerInstance } from '@headroom/core';
import { describe, expect, test } from 'vitest';
import { createFleetInventory, UnknownInstanceError } from '../../src/run/fleet-inventory.js';
import { createJsonLogger } from '../../src/run/json-logger.js';

const nowMs = Date.parse('2026-11-23T12:00:00Z');

function ledgerInstance(id: string, overrides: Partial<LedgerInstance> = {}): LedgerInstance {
  return {
    id,
    pool: 'agents',
    autoscale: 'main',
    provider: 'cloud',
    state: 'running',
    shape: { cores: 4, memoryMb: 8192, gpus: 0 },
    createdAt: '2026-11-23T11:00:00Z',
    intentKey: `intent-${id}`,
    ...overrides,
  };
}

function inventoryOver(ledger: LedgerInstance[], poll?: { url: string; intervalSeconds: number; token?: string }) {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
  const inventory = createFleetInventory({
    listLedger: async () => ledger,
    logger: createJsonLogger({ stream }),
    reportTimeoutSeconds: 60,
    ...(poll ? { poll } : {}),
  });
  return { inventory, lines };
}

describe('instance reports are bounded by the ledger', () => {
  test('pool, config, provider and capacity come from the ledger; a report naming them is refused', async () => {
    const ledger = [ledgerInstance('agents-main-1')];
    const { inventory } = inventoryOver(ledger);
    const claim = { pool: 'other', capacity: { cores: 64, memoryMb: 1, gpus: 0 }, sessions: [] };
    const refused = await inventory.report({ instanceId: 'agents-main-1', input: claim, nowMs }).catch((e) => e);
    expect(ConfigError.isInstance(refused)).toBe(true);
    expect(refused.issues[0].message).toMatch(/unknown field\(s\) pool, capacity/);
    const instance = await inventory.report({
      instanceId: 'agents-main-1',
      input: { sessions: [{ id: 's1', cores: 2, memoryMb: 1024 }] },
      nowMs,
    });
    expect(instance).toMatchObject({ pool: 'agents', autoscale: 'main', provider: 'cloud' });
    expect(instance.capacity).toEqual({ cores: 4, memoryMb: 8192, gpus: 0 });
  });

  test('sessionEnded, once reported, stays on the instance (a reusable: false server is used up)', async () => {
    const { inventory } = inventoryOver([ledgerInstance('agents-main-1')]);
    const ended = await inventory.report({ instanceId: 'agents-main-1', input: { sessionEnded: true }, nowMs });
    expect(ended.sessionEnded).toBe(true);
    const later = await inventory.report({ instanceId: 'agents-main-1', input: { sessions: [] }, nowMs: nowMs + 1000 });
    expect(later.sessionEnded).toBe(true);
    const fresh = inventoryOver([ledgerInstance('agents-main-1')]).inventory;
    expect((await fresh.report({ instanceId: 'agents-main-1', input: {}, nowMs })).sessionEnded).toBeUndefined();
  });

  test('sessions beyond the recorded shape are refused (no 1e300 claims)', async () => {
    const { inventory } = inventoryOver([ledgerInstance('agents-main-1')]);
    const absurd = { sessions: [{ id: 's1', cores: 1e300 }] };
    const bounded = await inventory.report({ instanceId: 'agents-main-1', input: absurd, nowMs }).catch((e) => e);
    expect(ConfigError.isInstance(bounded)).toBe(true);
    expect(bounded.issues[0]).toMatchObject({ path: 'sessions[0].cores', message: 'must be ≤ 100000' });
    const input = { sessions: [{ id: 's1', cores: 64 }] };
    const refused = await inventory.report({ instanceId: 'agents-main-1', input, nowMs }).catch((e) => e);
    expect(ConfigError.isInstance(refused)).toBe(true);
    expect(refused.issues[0]).toMatchObject({ path: 'sessions', message: expect.stringMatching(/more than/) });
  });

  test('an instance the ledger does not hold cannot report; a destroyed one stops counting at once', async () => {
    const ledger = [ledgerInstance('agents-main-1')];
    const { inventory } = inventoryOver(ledger);
    await expect(inventory.report({ instanceId: 'ghost', input: {}, nowMs })).rejects.toBeInstanceOf(
      UnknownInstanceError,
    );
    await inventory.report({ instanceId: 'agents-main-1', input: { sessions: [{ id: 's', cores: 1 }] }, nowMs });
    expect((await inventory.getSnapshot({ now: nowMs + 1000 })).instances.map((i) => i.id)).toEqual(['agents-main-1']);
    ledger.splice(0, 1);
    expect((await inventory.getSnapshot({ now: nowMs + 2000 })).instances).toEqual([]);
    await expect(inventory.report({ instanceId: 'agents-main-1', input: {}, nowMs })).rejects.toBeInstanceOf(
      UnknownInstanceError,
    );
  });
});

describe('inventory polling keeps credentials out of status and logs', () => {
  test('URL password and query token never appear; the password is sent as Basic auth', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ at: 'yesterday', instances: [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const url = `http://fleet:pw-secret-77@127.0.0.1:${port}/fleet?token=q-secret-88`;
      const { inventory, lines } = inventoryOver([], { url, intervalSeconds: 15 });
      await inventory.getSnapshot({ now: nowMs });
      const status = inventory.status();
      expect(status.lastPollError).toMatch(/at/);
      const visible = `${JSON.stringify(status)}\n${lines.join('')}`;
      expect(visible).not.toMatch(/pw-secret-77|q-secret-88/);
      expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from('fleet:pw-secret-77').toString('base64')}`);
    } finally {
      server.close();
    }
  });
});
