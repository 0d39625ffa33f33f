import type { Clock } from '@headroom/core';

/** What a command gets: its arguments, output streams and the clock. Returns the exit code. */
export interface CommandContext {
  argv: string[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  clock: Clock;
}

/** Help of one flag: `--name VALUE  description`. */
export interface FlagHelp {
  /** Placeholder of the value (`FILE`, `ISO`); absent for a boolean flag. */
  value?: string;
  description: string;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Every flag the command accepts, by name without the dashes, in help order. */
  flags: Record<string, FlagHelp>;
  run(context: CommandContext): Promise<number>;
}
