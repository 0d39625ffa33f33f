import type { SimulationResult, SweepPoint } from '../results/simulation-result.js';
import { escapeHtml } from './escape-html.js';

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;

/**
 * The report's staging section: the run's staged hit rate, then per staging config its hit rate,
 * hits and misses (hits served to other zones), staged/expired/removed sessions and the cost of
 * the staged sessions it held, then hits and misses per requesting zone. Empty without staging.
 */
export function renderStagingSection(options: { result: SimulationResult; money: (value: number) => string }): string {
  const { result, money } = options;
  const staging = result.staging ?? [];
  if (staging.length === 0) return '';
  const zones = result.stagingZones ?? [];
  const configRows = staging.map((entry) =>
    [
      entry.staging,
      entry.workspace,
      entry.zone,
      String(entry.desiredSessions),
      percent(entry.hitRate),
      String(entry.hits),
      String(entry.alternateZoneHits),
      String(entry.misses),
      `${entry.staged} / ${entry.expired} / ${entry.removed}`,
      entry.heldSessionHours.toFixed(1),
    ]
      .map((cell) => `<td>${escapeHtml(cell)}</td>`)
      .concat(`<td>${money(entry.cost)}</td>`)
      .join(''),
  );
  const zoneRows = zones.map((zone) =>
    [zone.zone, percent(zone.hitRate), String(zone.hits), String(zone.alternateZoneHits), String(zone.misses)]
      .map((cell) => `<td>${escapeHtml(cell)}</td>`)
      .join(''),
  );
  const total = staging.reduce((sum, entry) => sum + entry.cost, 0);
  return `<h2>Staged sessions</h2>
<p>Staged hit rate ${result.stagedHitRate === undefined ? '–' : percent(result.stagedHitRate)} over ${staging.length} staging config(s); staged sessions held ${money(total)} of the cost.</p>
<table class="staging"><thead><tr><th>staging</th><th>workspace</th><th>zone</th><th>desiredSessions</th><th>hit rate</th><th>hits</th><th>of which to other zones</th><th>misses</th><th>staged / expired / removed</th><th>held session-hours</th><th>staged-session cost</th></tr></thead><tbody>
${configRows.map((row) => `<tr>${row}</tr>`).join('\n')}
</tbody></table>
${
  zoneRows.length > 0
    ? `<table class="staging-zones"><thead><tr><th>requests from zone</th><th>hit rate</th><th>hits</th><th>of which from alternate zones</th><th>misses</th></tr></thead><tbody>
${zoneRows.map((row) => `<tr>${row}</tr>`).join('\n')}
</tbody></table>`
    : ''
}`;
}

/** The sweep table's hit-rate cell (empty when no point stages). */
export function sweepHitRateCell(point: SweepPoint, staged: boolean): string {
  if (!staged) return '';
  return `<td>${point.hitRate === undefined ? '–' : percent(point.hitRate)}</td>`;
}
