import { completeConfigJsonSchema } from '../adapters/complete-config-json-schema.js';
import type { Command } from '../command.js';
import { parseCommandArguments } from '../parse-command-arguments.js';

export const schemaCommand: Command = {
  name: 'schema',
  summary: "print the JSON Schema of the config file, with the installed adapters' fields (for editors)",
  usage: 'headroom schema',
  flags: {},
  async run({ argv, stdout }) {
    parseCommandArguments(argv, {}, 'schema');
    stdout.write(`${JSON.stringify(await completeConfigJsonSchema(), null, 2)}\n`);
    return 0;
  },
};
