import { z } from 'zod';

/**
 * Own zod types for the parts of Kubernetes, KubeVirt (`kubevirt.io/v1`) and CDI
 * (`cdi.kubevirt.io/v1beta1`) objects the adapter reads. Everything else passes through untouched.
 */

const stringMap = z.record(z.string(), z.string());

/** Timestamps: JSON strings from CustomObjectsApi, `Date`s from client-node's typed CoreV1Api models. */
const timestampSchema = z
  .union([z.string(), z.date()])
  .transform((value) => (value instanceof Date ? value.toISOString() : value));

export const objectMetaSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: timestampSchema.optional(),
  deletionTimestamp: timestampSchema.optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
});

export type ObjectMeta = z.output<typeof objectMetaSchema>;

const conditionSchema = z.looseObject({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
});

export type KubernetesCondition = z.output<typeof conditionSchema>;

/** A `kubevirt.io/v1` VirtualMachine, as far as the adapter reads it. */
export const virtualMachineSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: objectMetaSchema,
  spec: z
    .looseObject({
      runStrategy: z.string().optional(),
      running: z.boolean().optional(),
      dataVolumeTemplates: z.array(z.looseObject({ metadata: z.looseObject({ name: z.string() }) })).optional(),
      template: z
        .looseObject({
          spec: z
            .looseObject({
              volumes: z
                .array(
                  z.looseObject({
                    name: z.string(),
                    dataVolume: z.looseObject({ name: z.string() }).optional(),
                    persistentVolumeClaim: z.looseObject({ claimName: z.string() }).optional(),
                    cloudInitConfigDrive: z
                      .looseObject({ secretRef: z.looseObject({ name: z.string() }).optional() })
                      .optional(),
                    cloudInitNoCloud: z
                      .looseObject({ secretRef: z.looseObject({ name: z.string() }).optional() })
                      .optional(),
                  }),
                )
                .optional(),
              domain: z
                .looseObject({
                  cpu: z.looseObject({ cores: z.number().optional(), sockets: z.number().optional() }).optional(),
                  memory: z.looseObject({ guest: z.string().optional() }).optional(),
                  resources: z
                    .looseObject({ requests: z.looseObject({ memory: z.string().optional() }).optional() })
                    .optional(),
                  devices: z.looseObject({ gpus: z.array(z.unknown()).optional() }).optional(),
                })
                .optional(),
            })
            .optional(),
        })
        .optional(),
    })
    .optional(),
  status: z
    .looseObject({
      printableStatus: z.string().optional(),
      ready: z.boolean().optional(),
      created: z.boolean().optional(),
      conditions: z.array(conditionSchema).optional(),
    })
    .optional(),
});

export type VirtualMachine = z.output<typeof virtualMachineSchema>;

/** A `kubevirt.io/v1` VirtualMachineInstance, as far as the adapter reads it. */
export const virtualMachineInstanceSchema = z.looseObject({
  metadata: objectMetaSchema,
  status: z
    .looseObject({
      phase: z.string().optional(),
      conditions: z.array(conditionSchema).optional(),
      interfaces: z
        .array(
          z.looseObject({
            name: z.string().optional(),
            ipAddress: z.string().optional(),
            ipAddresses: z.array(z.string()).optional(),
            infoSource: z.string().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

export type VirtualMachineInstance = z.output<typeof virtualMachineInstanceSchema>;

/** Any namespaced object whose metadata is all the adapter reads (Secrets, PVCs, DataVolumes). */
export const metadataOnlySchema = z.looseObject({ metadata: objectMetaSchema });

export type MetadataOnly = z.output<typeof metadataOnlySchema>;

/** A list response: items plus the `continue` token of the next page. */
export const objectListSchema = z.looseObject({
  metadata: z.looseObject({ continue: z.string().optional(), resourceVersion: z.string().optional() }).optional(),
  items: z.array(z.unknown()),
});

/** A `Status` object, the body of every API error response. */
export const statusSchema = z.looseObject({
  kind: z.literal('Status'),
  status: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  code: z.number().optional(),
  details: z
    .looseObject({
      name: z.string().optional(),
      kind: z.string().optional(),
      causes: z.array(z.looseObject({ message: z.string().optional(), field: z.string().optional() })).optional(),
      retryAfterSeconds: z.number().optional(),
    })
    .optional(),
});

export type KubernetesStatus = z.output<typeof statusSchema>;
