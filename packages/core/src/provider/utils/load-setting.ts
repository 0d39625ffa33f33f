import { readFile as readFileFromDisk } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { InvalidProviderConfigError } from '../../errors/invalid-provider-config-error.js';

/** Environment variables to read settings from. Default: `process.env`, read at call time. */
export type SettingEnvironment = Readonly<Record<string, string | undefined>>;

export interface LoadSettingOptions {
  /** The value passed in the settings, if any; it wins over the environment variable. */
  settingValue: string | undefined;
  /** Environment variable read when the setting is not given. */
  environmentVariableName: string;
  /** Name of the setting, as the user writes it (`region`). */
  settingName: string;
  /** What the setting is, for the error message (`AWS region`). */
  description: string;
  providerId: string;
  environment?: SettingEnvironment;
}

const currentEnvironment = (): SettingEnvironment => (typeof process === 'undefined' ? {} : process.env);

/**
 * Returns the setting, else its environment variable, else undefined. An empty string counts as
 * not set.
 * @throws InvalidProviderConfigError when the setting is given but is not a string.
 */
export function loadOptionalSetting(options: LoadSettingOptions): string | undefined {
  const { settingValue, settingName, description, providerId } = options;
  if (settingValue !== undefined && settingValue !== null) {
    if (typeof settingValue !== 'string') {
      throw new InvalidProviderConfigError({
        providerId,
        field: settingName,
        message: `${description} must be a string.`,
      });
    }
    if (settingValue !== '') return settingValue;
  }
  const fromEnvironment = (options.environment ?? currentEnvironment())[options.environmentVariableName];
  return fromEnvironment === undefined || fromEnvironment === '' ? undefined : fromEnvironment;
}

/**
 * Returns the setting, else its environment variable.
 * @throws InvalidProviderConfigError naming the setting and the variable when neither is set.
 */
export function loadSetting(options: LoadSettingOptions): string {
  const value = loadOptionalSetting(options);
  if (value === undefined) {
    throw new InvalidProviderConfigError({
      providerId: options.providerId,
      field: options.settingName,
      message: `${options.description} is missing. Pass it as the \`${options.settingName}\` setting or set the ${options.environmentVariableName} environment variable.`,
    });
  }
  return value;
}

/** A secret given inline, as the name of an environment variable, or as the path of a file. */
export type SecretInput = string | { env: string } | { file: string };

export interface ResolveSecretOptions {
  value: SecretInput;
  providerId: string;
  /** Setting the secret belongs to (`password`), for error messages. */
  field: string;
  environment?: SettingEnvironment;
  /** Reads a secret file. Default: `fs.readFile(path, 'utf8')`. */
  readFile?: (path: string) => Promise<string> | string;
  /** Folder a relative `{ file }` path resolves against (the config file's). Default: the working directory. */
  baseDirectory?: string;
}

/** A `{ file }` secret's path made absolute against `baseDirectory` (the config file's folder). */
export function resolveSecretPath(path: string, baseDirectory: string | undefined): string {
  return baseDirectory === undefined || isAbsolute(path) ? path : resolve(baseDirectory, path);
}

/**
 * Resolves a secret. A file's content loses one trailing newline. Error messages name the field,
 * the variable or the path, never the value.
 * @throws InvalidProviderConfigError when the variable is not set, the file cannot be read, or the
 *   secret is empty.
 */
export async function resolveSecret(options: ResolveSecretOptions): Promise<string> {
  const { value, providerId, field } = options;
  const fail = (message: string, cause?: unknown): never => {
    throw new InvalidProviderConfigError({ providerId, field, message, ...(cause ? { cause } : {}) });
  };
  let secret: string;
  if (typeof value === 'string') {
    secret = value;
  } else if (value && typeof value === 'object' && 'env' in value && typeof value.env === 'string') {
    const fromEnvironment = (options.environment ?? currentEnvironment())[value.env];
    secret = fromEnvironment ?? fail(`environment variable ${value.env} is not set.`);
  } else if (value && typeof value === 'object' && 'file' in value && typeof value.file === 'string') {
    const read = options.readFile ?? ((path: string) => readFileFromDisk(path, 'utf8'));
    let content: string;
    try {
      content = await read(resolveSecretPath(value.file, options.baseDirectory));
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      return fail(`cannot read secret file ${value.file}${typeof code === 'string' ? ` (${code})` : ''}.`, error);
    }
    secret = content.replace(/\r?\n$/, '');
  } else {
    return fail('must be a string, { env: NAME } or { file: path }.');
  }
  if (secret === '') fail('the secret is empty.');
  return secret;
}
