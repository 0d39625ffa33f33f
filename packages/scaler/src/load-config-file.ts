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

/** Loads and validates a config file. @throws UsageError (unreadable, bad YAML) or ConfigError (invalid config). */
export async function loadConfigFile(path: string): Promise<HeadroomConfig> {
  const text = await readInputFile(path, '--config');
  return parseConfig(parseYaml(text, path), { source: path });
}

export { ConfigError };
