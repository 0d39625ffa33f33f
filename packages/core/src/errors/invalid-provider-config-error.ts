import { HeadroomError } from './headroom-error.js';

const name = 'InvalidProviderConfigError';
const marker = `headroom.error.${name}`;
const symbol = Symbol.for(marker);

/** A provider setting is missing or wrong (bad image id, subnet, credentials). `field` names the setting. */
export class InvalidProviderConfigError extends HeadroomError {
  protected readonly [symbol] = true;
  readonly providerId: string;
  readonly field: string | undefined;

  constructor({
    providerId,
    field,
    message,
    cause,
  }: { providerId: string; field?: string; message: string; cause?: unknown }) {
    super({ name, message: `[${providerId}]${field ? ` ${field}:` : ''} ${message}`, cause });
    this.providerId = providerId;
    this.field = field;
  }

  static override isInstance(error: unknown): error is InvalidProviderConfigError {
    return HeadroomError.hasMarker(error, marker);
  }
}
