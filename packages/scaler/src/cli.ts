#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, HeadroomError, systemClock } from '@headroom/core';
import type { Command } from './command.js';
import { imagesCommand } from './commands/images-command.js';
import { loadCommand } from './commands/load-command.js';
import { planCommand } from './commands/plan-command.js';
import { runCommand } from './commands/run-command.js';
import { scheduleCommand } from './commands/schedule-command.js';
import { schemaCommand } from './commands/schema-command.js';
import { scriptCommand } from './commands/script-command.js';
import { simulateCommand } from './commands/simulate-command.js';
import { validateCommand } from './commands/validate-command.js';
import { StartupError } from './startup-error.js';
import { UsageError } from './usage-error.js';
import { VERSION } from './version.js';

export { VERSION };

/** Every `headroom` subcommand, in help order. */
export const COMMANDS: Command[] = [
  validateCommand,
  scheduleCommand,
  planCommand,
  schemaCommand,
  scriptCommand,
  runCommand,
  loadCommand,
  simulateCommand,
  imagesCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    `headroom ${VERSION} — autoscaler for session VM fleets`,
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Run "headroom COMMAND --help" for its flags. Exit codes: 0 ok, 1 failure at run time, 2 usage or config error.',
    '',
  ].join('\n');
}

/** `usage`, summary and one line per flag. */
export function commandHelp(command: Command): string {
  const names = Object.entries(command.flags).map(([name, flag]) => [
    `--${name}${flag.value ? ` ${flag.value}` : ''}`,
    flag.description,
  ]);
  const width = Math.max(0, ...names.map(([name]) => name!.length));
  const flags = names.map(([name, description]) => `  ${name!.padEnd(width)}  ${description}`);
  return [`usage: ${command.usage}`, '', command.summary, ...(flags.length ? ['', 'Flags:', ...flags] : []), ''].join(
    '\n',
  );
}

/** Runs the CLI; resolves to the exit code. User errors exit 2 with a message and no stack trace. */
export async function main(argv: string[], io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr.write(`headroom: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(commandHelp(command));
    return 0;
  }
  try {
    return await command.run({ argv: rest, stdout: io.stdout, stderr: io.stderr, clock: systemClock });
  } catch (error) {
    if (error instanceof UsageError || ConfigError.isInstance(error)) {
      io.stderr.write(`headroom ${name}: ${error.message}\n`);
      return 2;
    }
    if (HeadroomError.isInstance(error) || error instanceof StartupError) {
      io.stderr.write(`headroom ${name}: ${error.message}\n`);
      return 1;
    }
    io.stderr.write(`headroom ${name}: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}

function invokedDirectly(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
