import { readFile } from 'node:fs/promises';
import { ConfigError, type HeadroomConfig, parseConfig } from '@headroom/core';
import { parseDocument } from 'yaml';
import { UsageError } from './usage-error.js';

/** Reads a text file, turning a missing or unreadable file into a UsageError naming the flag. */
export async function readInputFile(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String(code ?? error);
    throw new UsageError(`${flag} ${path}: cannot read (${why})`);
  }
}

/**
 * The document as plain data. An alias that expands too often (a "billion laughs" alias bomb) is
 * refused by the parser's alias limit, reported as a UsageError.
 */
function toPlainData(document: ReturnType<typeof parseDocument>, source: string): unknown {
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message))
      throw new UsageError(
        `invalid YAML\n${source}: aliases expand too far (more than 100 times); write the values out`,
      );
    throw error;
  }
}

/** Parses YAML (JSON is YAML too), reporting syntax errors with line and column. */
export function parseYaml(text: string, source: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const lines = document.errors.map((error) => {
      const position = error.linePos?.[0];
      return `${source}${position ? `:${position.line}:${position.col}` : ''}: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
    });
    throw new UsageError(`invalid YAML\n${lines.join('\n')}`);
  }
  return toPlainData(document, source);
}

/**
 * Parses a data file: JSON with `JSON.parse` (a `.json` file, or text starting with `{` or `[`),
 * anything else as YAML. JSON snapshots can be large; the YAML parser is far slower on them.
 */
export function parseDataFile(text: string, source: string): unknown {
  const first = text.trimStart()[0];
  if (!source.endsWith('.json') && first !== '{' && first !== '[') return parseYaml(text, source);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`invalid JSON\n${source}: ${(error as Error).message}`);
  }
}

/**
 * Reads a config file into its YAML document. An editor that truncates before writing must not
 * turn the service off: an empty file (or only comments) is not a config.
 * @throws UsageError (unreadable, bad YAML) or ConfigError (empty).
 */
export async function readConfigDocument(path: string): Promise<unknown> {
  const document = parseYaml(await readInputFile(path, '--config'), path);
  if (document === null || document === undefined) {
    throw new ConfigError({
      issues: [{ path: '', message: 'the file is empty; a config needs at least pools' }],
      source: path,
    });
  }
  return document;
}

/** Loads and validates a config file. @throws UsageError (unreadable, bad YAML) or ConfigError (empty or invalid config). */
export async function loadConfigFile(path: string): Promise<HeadroomConfig> {
  return parseConfig(await readConfigDocument(path), { source: path });
}

export { ConfigError };
