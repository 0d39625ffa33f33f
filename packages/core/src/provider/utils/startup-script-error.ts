import { HeadroomError } from '../../errors/headroom-error.js';

const name = 'StartupScriptError';
const marker = `headroom.error.${name}`;
const symbol = Symbol.for(marker);

/** Why a startup script template was refused. */
export type StartupScriptProblem = 'unknown-placeholder' | 'missing-value' | 'unmatched-brace';

/** Where a problem sits in the template: 0-based offset, 1-based line and column. */
export interface TemplatePosition {
  offset: number;
  line: number;
  column: number;
}

/**
 * A startup script template cannot be rendered: an unknown placeholder, a known placeholder
 * without a value, or a brace that is neither doubled nor part of a placeholder. The message names
 * the placeholder and its position, never a value.
 */
export class StartupScriptError extends HeadroomError {
  protected readonly [symbol] = true;
  readonly problem: StartupScriptProblem;
  /** The placeholder name (for `unknown-placeholder` and `missing-value`). */
  readonly placeholder: string | undefined;
  readonly position: TemplatePosition;

  constructor(options: { problem: StartupScriptProblem; placeholder?: string; position: TemplatePosition }) {
    const { problem, placeholder, position } = options;
    const where = `at line ${position.line}, column ${position.column}`;
    const detail =
      problem === 'unknown-placeholder'
        ? `unknown placeholder {${placeholder}} ${where}; write {{ and }} for literal braces`
        : problem === 'missing-value'
          ? `no value for placeholder {${placeholder}} ${where}`
          : `unmatched brace ${where}; write {{ and }} for literal braces`;
    super({ name, message: `startup script: ${detail}` });
    this.problem = problem;
    this.placeholder = placeholder;
    this.position = position;
  }

  static override isInstance(error: unknown): error is StartupScriptError {
    return HeadroomError.hasMarker(error, marker);
  }
}
