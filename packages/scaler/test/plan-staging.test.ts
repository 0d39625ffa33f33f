import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from './run-cli.js';

const example = ['plan', '--config', 'examples/staging.yaml', '--snapshot', 'examples/staging-snapshot.json'];

describe('headroom plan: session staging (examples/staging.yaml)', () => {
  test('--json shows stage, expire and remove actions with reasons, next to create/destroy', () => {
    const result = runCli([...example, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.configs.map((config: { autoscale: string }) => config.autoscale)).toEqual(['east-day', 'west-night']);
    const summary = output.staging.actions.map((action: Record<string, unknown>) => [
      action.type,
      action.staging,
      action.instanceId,
      action.sessionId ?? action.count,
    ]);
    expect(summary).toEqual([
      ['expire-staged', 'chrome-east', 'east-1', 'st-old'],
      ['stage', 'chrome-east', 'east-2', 2],
      ['remove-staged', 'vscode-west', 'west-1', 'vs-1'],
      ['remove-staged', 'vscode-west', 'west-1', 'vs-2'],
    ]);
    const reasons = output.staging.actions.map((action: { reason: string }) => action.reason);
    expect(reasons[0]).toBe('expire st-old on east-1: unassigned for 2.5 h ≥ expirationHours 2; it is re-staged');
    expect(reasons[1]).toMatch(
      /^stage 2 × chrome .* on east-2 in zone east: 1 staged, 0 pending, 1 expired; desiredSessions 3; placement spread$/,
    );
    expect(reasons[2]).toMatch(
      /staging config vscode-west is inactive \(autoscale config linux-agents\/west-night is outside its schedule\)/,
    );
    expect(output.staging.configs[0]).toMatchObject({ staging: 'chrome-east', zone: 'east', desired: 3, staged: 1 });
    expect(output.nextState.staging['chrome-east'].inFlight).toHaveLength(2);
  });

  test('the same snapshot with the returned state asks for nothing new', () => {
    const first = JSON.parse(runCli([...example, '--json']).stdout);
    const directory = mkdtempSync(join(tmpdir(), 'headroom-staging-'));
    const statePath = join(directory, 'state.json');
    writeFileSync(statePath, JSON.stringify(first.nextState));
    const second = runCli([...example, '--json', '--state', statePath, '--at', '2026-11-23T15:01:00Z']);
    expect(second.code).toBe(0);
    const output = JSON.parse(second.stdout);
    expect(output.staging.actions).toEqual([]);
    expect(output.staging.configs[0].reasons).toContain('waiting for 2 staged session(s) requested on east-2 60 s ago');
  });

  test('text output lists each staging config with its reasons', () => {
    const result = runCli(example);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('staging chrome-east (chrome in zone east): 1 staged, 0 pending of 3');
    expect(result.stdout).toContain('  - remove vs-2 on west-1: staging config vscode-west is inactive');
  });
});
