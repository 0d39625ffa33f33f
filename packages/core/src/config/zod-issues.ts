import type { z } from 'zod';
import type { ConfigIssue } from '../errors/config-error.js';

/** Formats a zod path as `pools[0].autoscale[1].standby.cores`. */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text ? `.${String(segment)}` : String(segment);
  }
  return text;
}

/**
 * The one mapping of zod issues to config issues: each unknown key is its own issue ("unknown
 * field"), a union that matched nothing "has the wrong shape", a missing value "is required".
 * `pathPrefix` is put before every path (`['providers', 'aws-east']`).
 */
export function mapZodIssues(error: z.ZodError, pathPrefix: readonly PropertyKey[] = []): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = [...pathPrefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ path: formatConfigPath([...path, key]), message: 'unknown field' });
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0 && path.length > 0) {
      issues.push({
        path: formatConfigPath(path),
        message: issue.message === 'Invalid input' ? 'has the wrong shape' : issue.message,
      });
      continue;
    }
    let message = issue.message;
    if (issue.code === 'invalid_type' && /received undefined/i.test(message)) message = 'is required';
    issues.push({ path: formatConfigPath(path), message });
  }
  return issues;
}
