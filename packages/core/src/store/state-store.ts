import type { InstanceState } from '../model/instance.js';
import type { Resources } from '../model/resources.js';
import type { DemandSample } from '../planner/demand-growth-profile.js';
import type { PlannerState } from '../planner/planner-state.js';

export type IntentKind = 'create' | 'destroy';
export type IntentStatus = 'open' | 'done' | 'failed';

/**
 * A provider call the reconciler is about to make, written before the call so that a crash can
 * be resolved afterwards (by listing instances tagged with `headroom-intent` = `key`).
 */
export interface Intent {
  /** Idempotency key; unique. */
  key: string;
  kind: IntentKind;
  pool: string;
  autoscale: string;
  /** Provider config id (`aws-east`), not the adapter type. */
  provider: string;
  /** Deterministic instance name (also Headroom's instance id). */
  instanceName: string;
  /** The cloud's id once known. */
  providerInstanceId?: string;
  status: IntentStatus;
  attempts: number;
  /** ISO instants. */
  createdAt: string;
  updatedAt: string;
  /** Last error (never containing secrets). */
  detail?: string;
  /** `{server_id}` of a create intent's instance (`serverIdFor` the key). */
  serverId?: string;
  /**
   * The Active Directory computer record a create intent makes before its instance (written
   * before the record exists, so a crash never leaks it). The join password is never stored: a
   * create that did not finish is failed and its record deleted, so no password is used twice.
   */
  computerRecord?: ComputerRecordRef;
}

/** Where the computer record of an instance lives. */
export interface ComputerRecordRef {
  /** Id of the `ldapConfigs` entry. */
  ldapConfig: string;
  dn: string;
  /** NetBIOS computer name (`{computer_name}`). */
  computerName: string;
}

/** The last `set_server_status` a server's startup script sent (Kasm's fields, bounded). */
export interface ServerStatusRecord {
  /** `running` marks the check-in; other values are progress reports. At most 40 characters. */
  status: string;
  /** At most 200 characters. */
  message?: string;
  /** As sent (`"100"`), at most 10 characters. */
  progress?: string;
  /** ISO instant it was received. */
  at: string;
}

/** An instance Headroom started and still answers for. */
export interface LedgerInstance {
  /** Headroom instance id = deterministic name. */
  id: string;
  providerInstanceId?: string;
  pool: string;
  autoscale: string;
  provider: string;
  state: InstanceState;
  shape: Resources;
  /** ISO instants. */
  createdAt: string;
  checkedInAt?: string;
  /** The last status its startup script reported (`POST /api/set_server_status`). */
  serverStatus?: ServerStatusRecord;
  address?: string;
  /** Fully-qualified DNS name registered for it, when any. */
  dnsName?: string;
  intentKey: string;
  /** Its `{server_id}`, a UUID (absent on entries written before server ids: `serverIdFor` the intent key). */
  serverId?: string;
  /** Its Active Directory computer record, deleted with it. */
  computerRecord?: ComputerRecordRef;
  /**
   * The server's connection password: generated for it (`connection.generatePassword`), or read
   * from the provider (`retrieveConnectionSecret`, e.g. an AWS Windows administrator password)
   * when its config leaves the password blank. A secret: never logged, answered only to
   * authenticated callers.
   */
  connectionSecret?: string;
  /** Attempts at reading `connectionSecret` so far (bounded by `MAX_CONNECTION_SECRET_ATTEMPTS`). */
  connectionSecretAttempts?: number;
  /**
   * ISO instant an operator drained it (`Autoscaler.recordOperatorDrain`, `POST
   * /api/v1/instances/{id}/drain`): the planner sees it `draining` and never undrains it; removed
   * by the operator's undrain.
   */
  operatorDrainedAt?: string;
}

/**
 * A check-in a follower replica received, kept in the store until the leader's next tick applies
 * it like one received directly (`Autoscaler.recordCheckin`) and deletes it.
 */
export interface PendingCheckin {
  /** Headroom id of a ledger instance. */
  instanceId: string;
  /** ISO instant of its first `running` status, when one was received. */
  checkedInAt?: string;
  /** The newest status received (by `at`). */
  status: ServerStatusRecord;
}

/**
 * The demand of one pool at one instant, as the leader recorded it (at most one a minute) to learn
 * predictive standby from the service's own history. At most one per pool and `atMs`.
 */
export type DemandSampleRecord = DemandSample & { pool: string };

/** Fencing context of a write: the leadership epoch the writer holds. */
export interface WriteOptions {
  epoch: number;
}

/**
 * The state-store port. Implementations: memory (`@headroom/core`), SQLite
 * (`@headroom/store-sqlite`), PostgreSQL (`@headroom/store-postgres`).
 *
 * Every write takes the writer's leadership epoch; a store that knows a newer epoch refuses the
 * write with `FencedWriteError`, so a deposed leader cannot act.
 */
export interface StateStore {
  readonly kind: string;
  /** Creates or migrates the schema. Idempotent. */
  init(): Promise<void>;
  getPlannerState(): Promise<PlannerState>;
  putPlannerState(options: WriteOptions & { state: PlannerState }): Promise<void>;
  putIntent(options: WriteOptions & { intent: Intent }): Promise<void>;
  /** Intents, optionally only those with `status`, ordered by `createdAt`, then `key`. */
  listIntents(options?: { status?: IntentStatus }): Promise<Intent[]>;
  /**
   * Deletes settled intents (status `done` or `failed`) created before `createdBefore` (ISO-8601);
   * open intents are never deleted. Resolves to the number deleted.
   */
  deleteSettledIntents(options: WriteOptions & { createdBefore: string }): Promise<number>;
  putInstance(options: WriteOptions & { instance: LedgerInstance }): Promise<void>;
  /** Removes a ledger instance; removing one that is not there succeeds. */
  deleteInstance(options: WriteOptions & { id: string }): Promise<void>;
  /** Ledger instances ordered by `id`. */
  listInstances(): Promise<LedgerInstance[]>;
  /**
   * Keeps a check-in received by a follower for the leader: at most one per instance, merged with
   * the one kept (the earliest `checkedInAt`, the newest `status` by `status.at`; on a tie the
   * new one). Not fenced by the leader epoch: it records a fact that any replica may write and
   * applying it twice changes nothing, not a change of the ledger.
   */
  putPendingCheckin(options: { checkin: PendingCheckin }): Promise<void>;
  /** Pending check-ins ordered by `instanceId`. */
  listPendingCheckins(): Promise<PendingCheckin[]>;
  /**
   * Deletes the pending check-ins equal to those given (same `instanceId`, `checkedInAt` and
   * `status.at`), so one merged since they were listed stays; absent ones are skipped. Not fenced.
   */
  deletePendingCheckins(options: { checkins: readonly PendingCheckin[] }): Promise<void>;
  /**
   * Records demand samples (fenced). A sample with the same `pool` and `atMs` as a kept one
   * replaces it. Every value is checked first (`assertDemandSamples`): a bad one refuses the whole
   * write with an error naming the field, and nothing is written.
   */
  putDemandSamples(options: WriteOptions & { samples: readonly DemandSampleRecord[] }): Promise<void>;
  /**
   * The samples of `pool` at or after `fromMs`, oldest first; at most `MAX_DEMAND_SAMPLES_LISTED`
   * (the oldest of them when there are more).
   */
  listDemandSamples(options: { pool: string; fromMs: number }): Promise<DemandSampleRecord[]>;
  /** Deletes the samples of every pool taken before `beforeMs` (fenced); resolves to the number deleted. */
  deleteDemandSamples(options: WriteOptions & { beforeMs: number }): Promise<number>;
  close(): Promise<void>;
}

/** The leadership a replica holds. */
export interface Leadership {
  holderId: string;
  epoch: number;
}

/**
 * Leader election. Single-process stores grant leadership to their one writer; PostgreSQL uses
 * an advisory lock and increments the epoch on every change of leader.
 */
export interface LeaderElector {
  /** Becomes or stays leader; resolves null when another replica leads. */
  acquire(): Promise<Leadership | null>;
  /** Gives leadership up (no-op when not leader). */
  release(): Promise<void>;
  /** Who leads now, if anyone. */
  currentLeader(): Promise<Leadership | null>;
}
