import { isActive, listAutoscaleEntries, listTransitions, nextTransition } from '@headroom/core';
import type { Command } from '../command.js';
import { formatTable } from '../format-table.js';
import { loadConfigFile } from '../load-config-file.js';
import { parseCommandArguments, requireFlag } from '../parse-command-arguments.js';
import { parseInstantFlag } from '../parse-instant.js';
import { UsageError } from '../usage-error.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const scheduleCommand: Command = {
  name: 'schedule',
  summary: 'show which autoscale configs are active and when that changes',
  usage: 'headroom schedule --config FILE [--at ISO] [--until ISO] [--json]',
  flags: {
    config: { value: 'FILE', description: 'the YAML config (JSON is YAML too)' },
    at: { value: 'ISO', description: 'instant to evaluate, with a zone or offset (default: now)' },
    until: { value: 'ISO', description: 'list transitions until this instant (default: --at + 7 days)' },
    json: { description: 'JSON output instead of a table' },
  },
  async run({ argv, stdout, clock }) {
    const { values } = parseCommandArguments(
      argv,
      { config: { type: 'string' }, at: { type: 'string' }, until: { type: 'string' }, json: { type: 'boolean' } },
      'schedule',
    );
    const config = await loadConfigFile(requireFlag(values.config, '--config', 'schedule'));
    const atMs = values.at ? parseInstantFlag(values.at, '--at') : clock.now();
    const untilMs = values.until ? parseInstantFlag(values.until, '--until') : atMs + 7 * 86_400_000;
    if (untilMs < atMs) throw new UsageError(`--until ${values.until}: must not be before --at ${iso(atMs)}`);
    const configs = listAutoscaleEntries(config).map(({ pool, autoscale }) => {
      const scheduled = autoscale.schedules;
      return {
        pool: pool.id,
        autoscale: autoscale.id,
        enabled: autoscale.enabled,
        active: autoscale.enabled && isActive(scheduled, atMs),
        nextTransition: autoscale.enabled ? iso(nextTransition(scheduled, atMs)) : null,
        transitions: autoscale.enabled
          ? listTransitions(scheduled, atMs, untilMs).map((transition) => ({
              at: iso(transition.atMs)!,
              active: transition.active,
            }))
          : [],
      };
    });
    if (values.json) {
      stdout.write(`${JSON.stringify({ at: iso(atMs), until: iso(untilMs), configs }, null, 2)}\n`);
      return 0;
    }
    stdout.write(`at ${iso(atMs)} (transitions until ${iso(untilMs)})\n\n`);
    stdout.write(
      formatTable(
        ['pool', 'autoscale', 'active', 'next transition', 'transitions'],
        configs.map((entry) => [
          entry.pool,
          entry.autoscale,
          entry.enabled ? (entry.active ? 'yes' : 'no') : 'disabled',
          entry.nextTransition ?? (entry.enabled ? 'never (always active)' : '-'),
          String(entry.transitions.length),
        ]),
      ),
    );
    for (const entry of configs) {
      if (entry.transitions.length === 0) continue;
      stdout.write(`\n${entry.pool}/${entry.autoscale}:\n`);
      for (const transition of entry.transitions)
        stdout.write(`  ${transition.at}  ${transition.active ? 'becomes active' : 'becomes inactive'}\n`);
    }
    return 0;
  },
};
