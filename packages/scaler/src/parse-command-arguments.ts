import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

/** `util.parseArgs` with strict checking, turning its errors into a UsageError that names the flag. */
export function parseCommandArguments<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  command: string,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`${message} (see headroom ${command} --help)`);
  }
}

export function requireFlag(value: string | undefined, flag: string, command: string): string {
  if (!value) throw new UsageError(`missing required ${flag} (see headroom ${command} --help)`);
  return value;
}
