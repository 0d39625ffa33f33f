import type { TickResult } from '@headroom/core';

/** A tick as `GET /api/v1/plan` shows it. */
export type TickSummary = ReturnType<typeof summariseTick>;

/** Ticks kept for `GET /api/v1/plan`. */
const PLAN_HISTORY = 20;

export function summariseTick(result: TickResult) {
  return {
    at: result.at,
    leader: result.leader,
    ...(result.epoch !== undefined ? { epoch: result.epoch } : {}),
    durationMs: result.durationMs,
    actions: result.actions,
    errors: result.errors,
    ...(result.plan
      ? {
          warnings: result.plan.warnings,
          imageActions: result.plan.imageActions,
          configs: result.plan.configs.map((plan) => ({
            pool: plan.pool,
            autoscale: plan.autoscale,
            provider: plan.provider,
            kind: plan.kind,
            enabled: plan.enabled,
            active: plan.active,
            need: plan.need,
            available: plan.available,
            pending: plan.pending,
            deficit: plan.deficit,
            create: plan.create,
            destroy: plan.destroy,
            drain: plan.drain,
            undrain: plan.undrain,
            capped: plan.capped,
            ...(plan.predictedStandby ? { predictedStandby: plan.predictedStandby } : {}),
            reasons: plan.reasons,
            warnings: plan.warnings,
          })),
          staging: result.plan.staging,
        }
      : {}),
  };
}

const acted = ({ actions }: TickResult) =>
  actions.created.length > 0 ||
  actions.destroyed.length > 0 ||
  actions.createFailed > 0 ||
  actions.destroyFailed > 0 ||
  actions.drained.length > 0 ||
  actions.undrained.length > 0;

/** The leader's recent ticks, newest first, and the latest one that created, destroyed, drained or undrained something. */
export class TickHistory {
  readonly entries: TickSummary[] = [];
  lastWithActions: TickSummary | null = null;
  /** Clock instant (ms) the last tick without errors ended. */
  lastSuccessMs: number | undefined;

  record(result: TickResult): void {
    if (result.errors.length === 0) this.lastSuccessMs = Date.parse(result.at) + result.durationMs;
    if (!result.leader) return;
    const summary = summariseTick(result);
    this.entries.unshift(summary);
    this.entries.length = Math.min(this.entries.length, PLAN_HISTORY);
    if (acted(result)) this.lastWithActions = summary;
  }
}
