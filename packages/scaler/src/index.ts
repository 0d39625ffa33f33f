export { COMMANDS, main, VERSION } from './cli.js';
export type { Command, CommandContext } from './command.js';
export { loadConfigFile, parseYaml, readInputFile } from './load-config-file.js';
export { createComputeProvider, createDnsProvider, validateProviderSettings } from './provider-registry.js';
export { UsageError } from './usage-error.js';
