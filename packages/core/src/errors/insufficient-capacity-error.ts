import { HeadroomError } from './headroom-error.js';

const name = 'InsufficientCapacityError';
const marker = `headroom.error.${name}`;
const symbol = Symbol.for(marker);

/** The cloud has no capacity for the requested shape right now. Back off; another zone or type may work. */
export class InsufficientCapacityError extends HeadroomError {
  protected readonly [symbol] = true;
  readonly providerId: string;

  constructor({ providerId, message, cause }: { providerId: string; message: string; cause?: unknown }) {
    super({ name, message: `[${providerId}] ${message}`, cause });
    this.providerId = providerId;
  }

  static override isInstance(error: unknown): error is InsufficientCapacityError {
    return HeadroomError.hasMarker(error, marker);
  }
}
