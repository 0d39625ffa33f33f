import { parseConfig, type ServerAutoscaleConfig } from '@headroom/core';
import { describe, expect, test } from 'vitest';
import { connectionOf } from '../../src/run/routes/instance-route.js';

const autoscale = (connection: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  parseConfig({
    providers: { cloud: { type: 'fake', maxInstances: 2 } },
    pools: [{ id: 'rdp', kind: 'server', autoscale: [{ id: 'main', provider: 'cloud', connection, ...extra }] }],
  }).pools[0]!.autoscale[0] as ServerAutoscaleConfig;

describe('the connection of GET /api/v1/instances/{id}', () => {
  test('a blank password is the one fetched from the provider, only for an authenticated caller', async () => {
    const blank = autoscale({ type: 'rdp', username: 'Administrator' });
    const options = {
      autoscale: blank,
      computerName: undefined,
      connectionSecret: 'Fetched-Windows-Pw-1',
      baseDirectory: '/',
    };
    expect(await connectionOf({ ...options, authenticated: true })).toMatchObject({
      username: 'Administrator',
      password: 'Fetched-Windows-Pw-1',
      secretsWithheld: false,
    });
    const anonymous = await connectionOf({ ...options, authenticated: false });
    expect(JSON.stringify(anonymous)).not.toContain('Fetched-Windows-Pw-1');
    expect(anonymous?.secretsWithheld).toBe(true);
    // Not fetched yet: nothing to give or withhold.
    expect(await connectionOf({ ...options, connectionSecret: undefined, authenticated: false })).toMatchObject({
      secretsWithheld: false,
    });
  });

  test('a configured password wins over a fetched one', async () => {
    const configured = autoscale({ type: 'rdp', username: 'desk', password: 'Configured-Pw-2' });
    const connection = await connectionOf({
      autoscale: configured,
      computerName: undefined,
      connectionSecret: 'Fetched-Windows-Pw-1',
      authenticated: true,
      baseDirectory: '/',
    });
    expect(connection?.password).toBe('Configured-Pw-2');
  });

  test('agentInstalled and reusable are on the record', async () => {
    const connection = await connectionOf({
      autoscale: autoscale({ type: 'rdp', credentialType: 'dynamic' }, { agentInstalled: true, reusable: false }),
      computerName: undefined,
      connectionSecret: undefined,
      authenticated: false,
      baseDirectory: '/',
    });
    expect(connection).toMatchObject({ credentialType: 'dynamic', agentInstalled: true, reusable: false });
  });
});
