import { HeadroomError } from './headroom-error.js';

const name = 'QuotaExceededError';
const marker = `headroom.error.${name}`;
const symbol = Symbol.for(marker);

/** An account limit (instances, vCPUs, IPs) refused the call. Retrying soon will not help. */
export class QuotaExceededError extends HeadroomError {
  protected readonly [symbol] = true;
  readonly providerId: string;

  constructor({ providerId, message, cause }: { providerId: string; message: string; cause?: unknown }) {
    super({ name, message: `[${providerId}] ${message}`, cause });
    this.providerId = providerId;
  }

  static override isInstance(error: unknown): error is QuotaExceededError {
    return HeadroomError.hasMarker(error, marker);
  }
}
