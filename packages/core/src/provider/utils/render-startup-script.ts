import {
  STARTUP_SCRIPT_PLACEHOLDER_CATALOGUE,
  type StartupScriptPlaceholder,
} from '../../startup-script/startup-script-placeholder-catalogue.js';
import { StartupScriptError, type TemplatePosition } from './startup-script-error.js';

export type { StartupScriptPlaceholder } from '../../startup-script/startup-script-placeholder-catalogue.js';

/** Placeholders a startup script may use (`STARTUP_SCRIPT_PLACEHOLDER_CATALOGUE` says where each value comes from). */
export const STARTUP_SCRIPT_PLACEHOLDERS: readonly StartupScriptPlaceholder[] =
  STARTUP_SCRIPT_PLACEHOLDER_CATALOGUE.map((definition) => definition.name);

/** Values of the placeholders; a placeholder the template uses must have one. */
export type StartupScriptValues = Partial<Record<StartupScriptPlaceholder, string>>;

const knownPlaceholders: ReadonlySet<string> = new Set(STARTUP_SCRIPT_PLACEHOLDERS);

type TemplatePart = { literal: string } | { placeholder: string; position: TemplatePosition };

function positionAt(template: string, offset: number): TemplatePosition {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset; index++) {
    if (template[index] === '\n') {
      line += 1;
      lineStart = index + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/**
 * Splits a template by Python `str.format` brace rules: `{{` and `}}` are literal braces, `{name}`
 * is a placeholder, any other brace is an error.
 * @throws StartupScriptError (unknown placeholder or unmatched brace)
 */
function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let index = 0;
  while (index < template.length) {
    const character = template[index]!;
    if (character === '{' && template[index + 1] === '{') {
      literal += '{';
      index += 2;
    } else if (character === '}' && template[index + 1] === '}') {
      literal += '}';
      index += 2;
    } else if (character === '}') {
      throw new StartupScriptError({ problem: 'unmatched-brace', position: positionAt(template, index) });
    } else if (character === '{') {
      const close = template.indexOf('}', index + 1);
      const nestedOpen = template.indexOf('{', index + 1);
      if (close < 0 || (nestedOpen >= 0 && nestedOpen < close)) {
        throw new StartupScriptError({ problem: 'unmatched-brace', position: positionAt(template, index) });
      }
      const placeholder = template.slice(index + 1, close);
      const position = positionAt(template, index);
      if (!knownPlaceholders.has(placeholder)) {
        throw new StartupScriptError({ problem: 'unknown-placeholder', placeholder, position });
      }
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ placeholder, position });
      index = close + 1;
    } else {
      literal += character;
      index += 1;
    }
  }
  if (literal) parts.push({ literal });
  return parts;
}

/**
 * The placeholders a template uses, in order of first use.
 * @throws StartupScriptError when the template has an unknown placeholder or an unmatched brace.
 */
export function listStartupScriptPlaceholders(template: string): StartupScriptPlaceholder[] {
  const used = new Set<StartupScriptPlaceholder>();
  for (const part of parseTemplate(template)) {
    if ('placeholder' in part) used.add(part.placeholder as StartupScriptPlaceholder);
  }
  return [...used];
}

/**
 * Renders a startup script with the seed's rules (Python `str.format`): `{name}` is replaced by
 * its value, `{{` and `}}` become `{` and `}`. Values are inserted verbatim (no escaping).
 * @throws StartupScriptError for an unknown placeholder, a used placeholder without a value, or an
 *   unmatched brace; the message never contains a value.
 */
export function renderStartupScript(options: { template: string; values: StartupScriptValues }): string {
  let rendered = '';
  for (const part of parseTemplate(options.template)) {
    if ('literal' in part) {
      rendered += part.literal;
      continue;
    }
    const value = options.values[part.placeholder as StartupScriptPlaceholder];
    if (value === undefined) {
      throw new StartupScriptError({
        problem: 'missing-value',
        placeholder: part.placeholder,
        position: part.position,
      });
    }
    rendered += value;
  }
  return rendered;
}
