import type { AutoscalerEvent, TickResult } from '@headroom/core';
import type { JsonLogger } from './json-logger.js';

/** Logs an autoscaler event: failed provider calls and instance errors warn; tick/plan events are not logged. */
export function logEvent(logger: JsonLogger, event: AutoscalerEvent): void {
  const { type, at: _at, ...fields } = event;
  if (type === 'provider-call') {
    if (event.errorClass) logger.warn('provider call failed', fields);
    else logger.debug('provider call', fields);
  } else if (type === 'instance-create-error' || type === 'instance-destroy-error') logger.warn(type, fields);
  else if (type !== 'tick-start' && type !== 'tick-end' && type !== 'plan') logger.info(type, fields);
}

/** Logs a leader's pass: each reconcile error, and a summary when it acted. */
export function logTick(logger: JsonLogger, result: TickResult): void {
  if (!result.leader) return;
  for (const error of result.errors) logger.warn('reconcile error', { ...error });
  const { created, destroyed, createFailed, destroyFailed } = result.actions;
  if (created.length || destroyed.length || createFailed || destroyFailed)
    logger.info('reconcile pass', {
      created: created.length,
      destroyed: destroyed.length,
      createFailed,
      destroyFailed,
      epoch: result.epoch,
    });
}
