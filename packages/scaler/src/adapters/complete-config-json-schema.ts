import { configJsonSchema } from '@headroom/core';
import { z } from 'zod';
import { fakeDnsProviderSettingsSchema } from '../provider-registry.js';
import { fakeProviderSettingsSchema } from '../run/fake-provider-settings.js';
import {
  apiSectionSchema,
  checkinSectionSchema,
  inventorySectionSchema,
  scalerSectionSchema,
  stateSectionSchema,
} from '../run/run-config-schema.js';
import { simulationSectionSchema } from '../simulate/simulation-config-schema.js';
import { loadInstalledAdapters } from './load-adapter.js';

type JsonSchema = Record<string, unknown>;

const toJsonSchema = (schema: z.ZodType): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

/** An adapter's settings as one branch of the providers' union: its fields plus `type` fixed and `name`. */
function providerBranch(type: string, settingsSchema: z.ZodType, commonProperties: JsonSchema): JsonSchema {
  const schema = toJsonSchema(settingsSchema);
  const properties = { ...commonProperties, ...((schema.properties as JsonSchema | undefined) ?? {}) };
  const required = new Set([...((schema.required as string[] | undefined) ?? []), 'type']);
  return {
    ...schema,
    title: `${type} provider`,
    properties: { ...properties, type: { const: type }, name: { type: 'string' } },
    required: [...required],
  };
}

/**
 * The JSON Schema of the whole config file: core's, with the `providers` and `dnsProviders`
 * entries discriminated by `type` into the installed adapters' settings (and the built-in `fake`),
 * and the service, state, API, inventory, check-in and simulation sections filled in.
 */
export async function completeConfigJsonSchema(): Promise<JsonSchema> {
  const schema = configJsonSchema();
  const properties = schema.properties as Record<string, JsonSchema>;
  const adapters = await loadInstalledAdapters();
  const providerCommon = ((properties.providers?.additionalProperties as JsonSchema)?.properties ?? {}) as JsonSchema;
  const providerBranches = [
    providerBranch('fake', fakeProviderSettingsSchema, providerCommon),
    ...adapters.map((adapter) => providerBranch(adapter.type, adapter.settingsSchema, {})),
  ];
  const dnsBranches = [
    providerBranch('fake', fakeDnsProviderSettingsSchema, {}),
    ...adapters.flatMap((adapter) =>
      adapter.dnsSettingsSchema ? [providerBranch(adapter.type, adapter.dnsSettingsSchema, {})] : [],
    ),
  ];
  const sections: Record<string, z.ZodType> = {
    scaler: scalerSectionSchema,
    state: stateSectionSchema,
    api: apiSectionSchema,
    inventory: inventorySectionSchema,
    checkin: checkinSectionSchema,
    simulation: simulationSectionSchema,
  };
  return {
    ...schema,
    properties: {
      ...properties,
      providers: { ...properties.providers, additionalProperties: { oneOf: providerBranches } },
      dnsProviders: { ...properties.dnsProviders, additionalProperties: { oneOf: dnsBranches } },
      ...Object.fromEntries(Object.entries(sections).map(([key, section]) => [key, toJsonSchema(section)])),
    },
  };
}
