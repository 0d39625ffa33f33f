import type { Clock } from '@headroom/core';

/** What a command gets: its arguments, output streams and the clock. Returns the exit code. */
export interface CommandContext {
  argv: string[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  clock: Clock;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(context: CommandContext): Promise<number>;
}
