import { HeadroomError } from './headroom-error.js';

const name = 'InstanceNotFoundError';
const marker = `headroom.error.${name}`;
const symbol = Symbol.for(marker);

/** The instance does not exist (any more). `destroyInstance` treats this as success; reads may surface it. */
export class InstanceNotFoundError extends HeadroomError {
  protected readonly [symbol] = true;
  readonly providerId: string;
  readonly instanceId: string;

  constructor({ providerId, instanceId, cause }: { providerId: string; instanceId: string; cause?: unknown }) {
    super({ name, message: `[${providerId}] instance ${instanceId} not found`, cause });
    this.providerId = providerId;
    this.instanceId = instanceId;
  }

  static override isInstance(error: unknown): error is InstanceNotFoundError {
    return HeadroomError.hasMarker(error, marker);
  }
}
