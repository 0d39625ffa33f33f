/** A registry call failed. `retryable` for network errors, 429 and 5xx. Never carries credentials. */
export class RegistryError extends Error {
  readonly registry: string;
  readonly statusCode: number | undefined;
  /** The registry's error code (`MANIFEST_UNKNOWN`, `DENIED`), when it gave one. */
  readonly code: string | undefined;
  readonly retryable: boolean;

  constructor(options: {
    registry: string;
    message: string;
    statusCode?: number;
    code?: string;
    retryable?: boolean;
    cause?: unknown;
  }) {
    super(
      `registry ${options.registry}: ${options.message}`,
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.name = 'RegistryError';
    this.registry = options.registry;
    this.statusCode = options.statusCode;
    this.code = options.code;
    this.retryable =
      options.retryable ??
      (options.statusCode !== undefined && (options.statusCode === 429 || options.statusCode >= 500));
  }

  /** The error of a failed response, with the registry's own error code and message when it sent JSON. */
  static async fromResponse(registry: string, response: Response, what: string): Promise<RegistryError> {
    let code: string | undefined;
    let detail = '';
    try {
      const body = (await response.json()) as { errors?: Array<{ code?: string; message?: string }> };
      code = body.errors?.[0]?.code;
      detail = body.errors?.[0]?.message ? `: ${body.errors[0].message}` : '';
    } catch {
      // not JSON (a HEAD, a proxy's page): the status says enough
    }
    return new RegistryError({
      registry,
      statusCode: response.status,
      ...(code ? { code } : {}),
      message: `${what}: HTTP ${response.status}${code ? ` ${code}` : ''}${detail}`,
    });
  }
}
