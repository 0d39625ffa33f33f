import type { DestroyCause, ScalingPlan } from '../planner/scaling-plan.js';

/** Where an instance belongs. */
interface InstanceRef {
  /** Headroom id (the deterministic name). */
  instanceId: string;
  pool: string;
  autoscale: string;
  /** Provider config id. */
  provider: string;
}

/**
 * Typed events of the autoscaler, for logs and metrics. Every action event carries the `reason`
 * it was taken for. `at` is the clock instant in milliseconds.
 */
export type AutoscalerEvent =
  | { type: 'tick-start'; at: number; epoch: number }
  | { type: 'plan'; at: number; plan: ScalingPlan }
  | ({ type: 'instance-create-start'; at: number; intentKey: string; reason: string } & InstanceRef)
  | ({
      type: 'instance-create-end';
      at: number;
      intentKey: string;
      providerInstanceId: string;
      reason: string;
    } & InstanceRef)
  | ({
      type: 'instance-create-error';
      at: number;
      intentKey: string;
      reason: string;
      errorClass: string;
      message: string;
      /** Instances found by the intent tag and destroyed while cleaning up. */
      cleanedUp: number;
    } & InstanceRef)
  | ({
      type: 'instance-destroy-start';
      at: number;
      providerInstanceId: string;
      cause: DestroyCause | 'orphan' | 'recovery';
      reason: string;
    } & InstanceRef)
  | ({
      type: 'instance-destroy-end';
      at: number;
      providerInstanceId: string;
      cause: DestroyCause | 'orphan' | 'recovery';
      reason: string;
    } & InstanceRef)
  | ({
      type: 'instance-destroy-error';
      at: number;
      providerInstanceId: string;
      cause: DestroyCause | 'orphan' | 'recovery';
      reason: string;
      errorClass: string;
      message: string;
    } & InstanceRef)
  | ({ type: 'instance-destroy-skipped'; at: number; reason: string } & InstanceRef)
  /** The planner asks the control plane to stop (`instance-drain`) or resume (`instance-undrain`) placing sessions on an instance. */
  | ({ type: 'instance-drain' | 'instance-undrain'; at: number; reason: string } & InstanceRef)
  | { type: 'dns-upsert'; at: number; dnsProvider: string; name: string; value: string; reason: string }
  | { type: 'dns-delete'; at: number; dnsProvider: string; name: string; reason: string }
  | {
      type: 'orphan-found';
      at: number;
      provider: string;
      providerInstanceId: string;
      name: string;
      ageSeconds: number;
      mode: 'destroy' | 'report';
      reason: string;
    }
  | { type: 'orphan-destroyed'; at: number; provider: string; providerInstanceId: string; name: string; reason: string }
  | {
      type: 'intent-resolved';
      at: number;
      intentKey: string;
      kind: 'create' | 'destroy';
      outcome: 'adopted' | 'failed' | 'finished';
      reason: string;
    }
  | { type: 'leadership-change'; at: number; leader: boolean; epoch?: number; holderId?: string }
  /**
   * Predictive standby learnt from the store's demand history (`learnFrom: history`): the config,
   * how many samples it was learnt from, and how many hour-of-week (of 168) and hour-of-day (of
   * 24) slots reached the confidence floor.
   */
  | {
      type: 'demand-profile-learnt';
      at: number;
      pool: string;
      autoscale: string;
      samples: number;
      horizonSeconds: number;
      confidentHourOfWeekSlots: number;
      confidentHourOfDaySlots: number;
    }
  | {
      type: 'provider-call';
      at: number;
      providerId: string;
      method: string;
      durationMs: number;
      /** Set when the call failed: the error's class name. */
      errorClass?: string;
    }
  | { type: 'tick-end'; at: number; durationMs: number; errors: number };

export type AutoscalerEventType = AutoscalerEvent['type'];
