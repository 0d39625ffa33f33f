export { adapter } from './aws-adapter.js';
export type { AwsCallOptions, AwsEc2Client, AwsRoute53Client } from './aws-client.js';
export { type AwsDnsProvider, createAwsDnsProvider } from './aws-dns-provider.js';
export { type AwsProvider, createAwsProvider } from './aws-provider.js';
export {
  type AwsDnsProviderSettings,
  type AwsProviderSettings,
  type AwsSecretSetting,
  awsDnsProviderSettingsSchema,
  awsProviderSettingsSchema,
} from './aws-provider-settings.js';

export const VERSION = '0.1.0';
