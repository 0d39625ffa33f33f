const marker = 'headroom.error';
const symbol = Symbol.for(marker);

/**
 * Base of every error Headroom raises on purpose. `isInstance` works across duplicate copies of
 * this package (it checks a global symbol, not the prototype chain).
 */
export class HeadroomError extends Error {
  protected readonly [symbol] = true;
  override readonly cause?: unknown;

  constructor({ name, message, cause }: { name: string; message: string; cause?: unknown }) {
    super(message);
    this.name = name;
    this.cause = cause;
  }

  static isInstance(error: unknown): error is HeadroomError {
    return HeadroomError.hasMarker(error, marker);
  }

  protected static hasMarker(error: unknown, markerName: string): boolean {
    const markerSymbol = Symbol.for(markerName);
    return (
      error != null &&
      typeof error === 'object' &&
      markerSymbol in error &&
      (error as Record<symbol, unknown>)[markerSymbol] === true
    );
  }
}
