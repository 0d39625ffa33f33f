import type { AutoscaleEntry } from '../../../config/config-views.js';
import type { Resources } from '../../../model/resources.js';
import { serverIdFor } from '../../../startup-script/server-id.js';
import { createIntentKey, instanceNameFor } from '../../instance-naming.js';
import { failTick, messageOf, type TickContext } from '../../tick-context.js';
import { errorClassOf } from '../../with-events.js';

/** One planned create: the config, the shape and the plan's reason. */
export interface CreateJob {
  entry: AutoscaleEntry;
  shape: Resources;
  reason: string;
}

/** The identity of one create (intent key, instance name, server id) and how it reports a failure. */
export interface CreateAttempt extends CreateJob {
  pool: string;
  autoscale: string;
  providerId: string;
  key: string;
  name: string;
  serverId: string;
  /** Generated for server pools with `connection.generatePassword`. */
  connectionPassword: string | undefined;
  /** The fields every `instance-create-*` event carries. */
  ref: { instanceId: string; pool: string; autoscale: string; provider: string; intentKey: string; reason: string };
  /** Counts the failed create and records the error on the tick. */
  recordFailure(error: unknown): void;
  /** Emits `instance-create-error` with the number of leftovers destroyed. */
  emitFailure(error: unknown, cleanedUp: number): void;
}

/** Starts a create: takes the next intent sequence, names the instance and its server id. */
export function startCreateAttempt(context: TickContext, job: CreateJob): CreateAttempt {
  const { runtime } = context;
  const { entry, reason } = job;
  const pool = entry.pool.id;
  const autoscale = entry.autoscale.id;
  const providerId = entry.autoscale.provider;
  runtime.intentSequence += 1;
  const key = createIntentKey({
    managedBy: runtime.managedBy,
    pool,
    autoscale,
    nowMs: runtime.clock.now(),
    sequence: runtime.intentSequence,
    random: runtime.random,
  });
  const name = instanceNameFor({ pool, autoscale, intentKey: key });
  const ref = { instanceId: name, pool, autoscale, provider: providerId, intentKey: key, reason };
  const serverId = serverIdFor({ intentKey: key });
  const connectionPassword =
    entry.kind === 'server' && entry.autoscale.connection.generatePassword ? runtime.generateJoinPassword() : undefined;
  return {
    ...job,
    pool,
    autoscale,
    providerId,
    key,
    name,
    serverId,
    connectionPassword,
    ref,
    recordFailure: (error) => {
      context.actions.createFailed += 1;
      failTick(context, `create:${name}`, error);
    },
    emitFailure: (error, cleanedUp) => {
      runtime.emit({
        type: 'instance-create-error',
        at: runtime.clock.now(),
        ...ref,
        errorClass: errorClassOf(error),
        message: messageOf(error),
        cleanedUp,
      });
    },
  };
}
