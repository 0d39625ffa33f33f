import {
  type ConfigPlan,
  computeScalingPlan,
  emptyPlannerState,
  type PlanAction,
  type PlannerState,
  parsePlannerState,
  parseSnapshot,
  type StagingPlan,
} from '@headroom/core';
import type { Command } from '../command.js';
import { formatJson } from '../format-json.js';
import { formatTable } from '../format-table.js';
import { loadConfigFile, parseDataFile, readInputFile } from '../load-config-file.js';
import { parseCommandArguments, requireFlag } from '../parse-command-arguments.js';
import { parseInstantFlag } from '../parse-instant.js';

const formatQuantity = (value: ConfigPlan['need']) =>
  'sessions' in value
    ? `${value.sessions} session${value.sessions === 1 ? '' : 's'}`
    : `${value.cores}c ${value.memoryMb}MiB ${value.gpus}g`;

/** One action as `--json` shows it: what, on which instance, why (the planner's reason, with its numbers). */
function describeAction(action: PlanAction) {
  if (action.type === 'create')
    return { type: action.type, count: action.count, shape: action.shape, reason: action.reason };
  return {
    type: action.type,
    instanceId: action.instanceId,
    ...('cause' in action ? { cause: action.cause } : {}),
    reason: action.reason,
  };
}

/** `a1 (scale-down), a2 (failed)`, or `-`. */
function formatDestroys(entry: ConfigPlan): string {
  const destroys = entry.actions.flatMap((action) =>
    action.type === 'destroy' ? [`${action.instanceId} (${action.cause})`] : [],
  );
  return destroys.join(', ') || '-';
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'compute one planning step on a fleet snapshot',
  usage: 'headroom plan --config FILE --snapshot FILE [--state FILE] [--at ISO] [--json]',
  flags: {
    config: { value: 'FILE', description: 'the YAML config (JSON is YAML too)' },
    snapshot: { value: 'FILE', description: 'fleet snapshot (JSON or YAML, DESIGN §4)' },
    state: { value: 'FILE', description: 'planner state of a previous run (its nextState), for backoffs' },
    at: { value: 'ISO', description: "instant to plan for (default: the snapshot's at)" },
    json: { description: 'JSON output (numbers, reasons, nextState) instead of a table' },
  },
  async run({ argv, stdout }) {
    const { values } = parseCommandArguments(
      argv,
      {
        config: { type: 'string' },
        snapshot: { type: 'string' },
        state: { type: 'string' },
        at: { type: 'string' },
        json: { type: 'boolean' },
      },
      'plan',
    );
    const config = await loadConfigFile(requireFlag(values.config, '--config', 'plan'));
    const snapshotPath = requireFlag(values.snapshot, '--snapshot', 'plan');
    const snapshot = parseSnapshot(parseDataFile(await readInputFile(snapshotPath, '--snapshot'), snapshotPath), {
      source: snapshotPath,
    });
    let state: PlannerState = emptyPlannerState();
    if (values.state)
      state = parsePlannerState(parseDataFile(await readInputFile(values.state, '--state'), values.state), {
        source: values.state,
      });
    const now = values.at ? parseInstantFlag(values.at, '--at') : Date.parse(snapshot.at);
    const { plan, nextState } = computeScalingPlan({ config, snapshot, state, now });

    if (values.json) {
      const configs = plan.configs.map((entry) => ({
        pool: entry.pool,
        autoscale: entry.autoscale,
        active: entry.active,
        need: entry.need,
        available: entry.available,
        pending: entry.pending,
        deficit: entry.deficit,
        create: entry.create,
        destroy: entry.destroy,
        actions: entry.actions.map(describeAction),
        reasons: entry.reasons,
        warnings: entry.warnings,
      }));
      stdout.write(
        formatJson({
          at: plan.at,
          configs,
          imageActions: plan.imageActions,
          staging: plan.staging,
          warnings: plan.warnings,
          nextState,
        }),
      );
      return 0;
    }
    stdout.write(`plan at ${plan.at}\n\n`);
    stdout.write(
      formatTable(
        ['pool', 'autoscale', 'active', 'need', 'available', 'pending', 'deficit', 'create', 'destroy'],
        plan.configs.map((entry) => [
          entry.pool,
          entry.autoscale,
          entry.enabled ? (entry.active ? 'yes' : 'no') : 'disabled',
          formatQuantity(entry.need),
          formatQuantity(entry.available),
          formatQuantity(entry.pending),
          formatQuantity(entry.deficit),
          String(entry.create),
          formatDestroys(entry),
        ]),
      ),
    );
    for (const entry of plan.configs) {
      stdout.write(`\n${entry.pool}/${entry.autoscale}:\n`);
      for (const reason of entry.reasons) stdout.write(`  - ${reason}\n`);
      for (const warning of entry.warnings) stdout.write(`  ! ${warning}\n`);
    }
    writeStagingText(plan.staging, stdout);
    if (plan.imageActions.length > 0) stdout.write('\nimages:\n');
    for (const action of plan.imageActions)
      stdout.write(`  ${action.type} ${action.image} on ${action.instanceId}: ${action.reason}\n`);
    for (const warning of plan.warnings) stdout.write(`\n! ${warning}\n`);
    return 0;
  },
};

/** The staging part of the text plan: one block per staging config, then removals no config owns. */
function writeStagingText(staging: StagingPlan, stdout: NodeJS.WritableStream): void {
  for (const entry of staging.configs) {
    stdout.write(
      `\nstaging ${entry.staging} (${entry.workspace} in zone ${entry.zone}): ${entry.staged} staged, ${entry.pending} pending of ${entry.desired}\n`,
    );
    for (const reason of entry.reasons) stdout.write(`  - ${reason}\n`);
    for (const warning of entry.warnings) stdout.write(`  ! ${warning}\n`);
  }
  const orphans = staging.actions.filter((action) => action.type === 'remove-staged' && action.staging === null);
  if (orphans.length > 0) stdout.write('\nstaged sessions no staging config owns:\n');
  for (const action of orphans) stdout.write(`  - ${action.reason}\n`);
}
