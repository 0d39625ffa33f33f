import { HeadroomError } from './headroom-error.js';

const name = 'FencedWriteError';
const marker = `headroom.error.${name}`;
const symbol = Symbol.for(marker);

/** A write carried a leadership epoch older than the store's: this replica was deposed and must stop acting. */
export class FencedWriteError extends HeadroomError {
  protected readonly [symbol] = true;
  readonly epoch: number;
  readonly currentEpoch: number;

  constructor({ epoch, currentEpoch }: { epoch: number; currentEpoch: number }) {
    super({ name, message: `write fenced: epoch ${epoch} is older than the current leadership epoch ${currentEpoch}` });
    this.epoch = epoch;
    this.currentEpoch = currentEpoch;
  }

  static override isInstance(error: unknown): error is FencedWriteError {
    return HeadroomError.hasMarker(error, marker);
  }
}
