/**
 * Kubernetes label selectors as the API server reads them: `key`, `!key`, `key=value`,
 * `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`, joined by commas.
 */
export type LabelRequirement =
  | { key: string; operator: 'exists' | 'not-exists' }
  | { key: string; operator: 'in' | 'notin'; values: string[] };

const setTerm = /^([^\s!=,()]+)\s+(in|notin)\s+\(([^)]*)\)$/;
const equalityTerm = /^([^\s!=,()]+)\s*(==|=|!=)\s*([^\s!=,()]*)$/;
const existsTerm = /^(!?)([^\s!=,()]+)$/;

/** Splits on commas outside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of selector) {
    if (character === '(') depth += 1;
    if (character === ')') depth -= 1;
    if (character === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else current += character;
  }
  if (current.trim() !== '') terms.push(current.trim());
  return terms;
}

/** Parses a selector; throws a message the fake answers with 400 BadRequest. */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  return splitTerms(selector).map((term) => {
    const set = term.match(setTerm);
    if (set) {
      const values = (set[3] as string).split(',').map((value) => value.trim());
      return { key: set[1] as string, operator: set[2] as 'in' | 'notin', values };
    }
    const equality = term.match(equalityTerm);
    if (equality) {
      return {
        key: equality[1] as string,
        operator: equality[2] === '!=' ? 'notin' : 'in',
        values: [equality[3] as string],
      };
    }
    const exists = term.match(existsTerm);
    if (exists) return { key: exists[2] as string, operator: exists[1] ? 'not-exists' : 'exists' };
    throw new Error(`unable to parse requirement: ${term}`);
  });
}

/** Whether labels satisfy every requirement. */
export function matchesLabelSelector(
  labels: Readonly<Record<string, string>>,
  requirements: readonly LabelRequirement[],
): boolean {
  return requirements.every((requirement) => {
    const value = labels[requirement.key];
    switch (requirement.operator) {
      case 'exists':
        return value !== undefined;
      case 'not-exists':
        return value === undefined;
      case 'in':
        return value !== undefined && requirement.values.includes(value);
      default:
        return value === undefined || !requirement.values.includes(value);
    }
  });
}
