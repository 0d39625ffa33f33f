import { HeadroomError } from './headroom-error.js';

const name = 'ConfigError';
const marker = `headroom.error.${name}`;
const symbol = Symbol.for(marker);

/** One problem in a configuration, located by a dotted path such as `pools[0].autoscale[1].standby.cores`. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** A configuration was refused as a whole. Every problem is listed; nothing was acted on. */
export class ConfigError extends HeadroomError {
  protected readonly [symbol] = true;
  readonly issues: readonly ConfigIssue[];

  constructor({ issues, source }: { issues: readonly ConfigIssue[]; source?: string }) {
    const header = `invalid configuration${source ? ` in ${source}` : ''} (${issues.length} problem${issues.length === 1 ? '' : 's'})`;
    super({
      name,
      message: [header, ...issues.map((issue) => `  ${issue.path || '(root)'}: ${issue.message}`)].join('\n'),
    });
    this.issues = issues;
  }

  static override isInstance(error: unknown): error is ConfigError {
    return HeadroomError.hasMarker(error, marker);
  }
}
