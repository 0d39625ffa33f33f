/** Why an unused staged session is to be destroyed without replacement. */
export type StagedRemovalCause = 'config-inactive' | 'excess' | 'unknown-config';

/**
 * What the control plane must do for session staging (issue 19). `stage` creates `count` staged
 * sessions of `workspace` on `instanceId`; `expire-staged` destroys an unassigned staged session
 * older than `expirationHours` (its replacement is a later `stage`); `remove-staged` destroys one
 * that is not wanted any more.
 */
export type StagingAction =
  | {
      type: 'stage';
      staging: string;
      pool: string;
      autoscale: string;
      zone: string;
      workspace: string;
      instanceId: string;
      count: number;
      reason: string;
    }
  | {
      type: 'expire-staged';
      staging: string;
      pool: string;
      zone: string;
      workspace: string;
      instanceId: string;
      sessionId: string;
      ageHours: number;
      reason: string;
    }
  | {
      type: 'remove-staged';
      /** Null when no staging config owns the session any more. */
      staging: string | null;
      pool: string;
      zone: string;
      workspace: string;
      instanceId: string;
      sessionId: string;
      cause: StagedRemovalCause;
      reason: string;
    };

/** The decision for one staging config, with the numbers behind it. */
export interface StagingConfigPlan {
  staging: string;
  pool: string;
  autoscale: string;
  zone: string;
  workspace: string;
  /** False when the autoscale config is disabled or outside its schedule. */
  active: boolean;
  desired: number;
  /** Unassigned staged sessions that are not expired and not being destroyed. */
  staged: number;
  /** Staged sessions requested in earlier steps and not yet seen. */
  pending: number;
  actions: StagingAction[];
  reasons: string[];
  warnings: string[];
}

/** The staging part of a scaling plan. */
export interface StagingPlan {
  configs: StagingConfigPlan[];
  /** Every staging action, those of `configs` first, then removals of sessions no config owns. */
  actions: StagingAction[];
  warnings: string[];
}
