import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';

/** One answer of the API as a test saw it. */
export interface RecordedResponse {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

type Operation = { responses: Record<string, { content?: Record<string, { schema: object }> }> };
type OpenApiDocument = { paths: Record<string, Record<string, Operation>> };

function templateOf(document: OpenApiDocument, path: string): string | undefined {
  const bare = path.split('?')[0] ?? path;
  return Object.keys(document.paths).find((template) =>
    new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare),
  );
}

/**
 * Checks every recorded JSON answer against the schema the OpenAPI document gives for its path,
 * method and status; an answer the document does not describe fails too.
 */
export function expectResponsesMatchOpenApi(openApi: object, responses: RecordedResponse[]): number {
  const document = openApi as OpenApiDocument;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (instance: Ajv2020) => void)(ajv);
  let checked = 0;
  for (const response of responses) {
    if (response.path.startsWith('/metrics')) continue;
    const template = templateOf(document, response.path);
    expect(template, `${response.method} ${response.path} is in the document`).toBeDefined();
    const operation = document.paths[template!]![response.method.toLowerCase()];
    expect(operation, `${response.method} ${template} is in the document`).toBeDefined();
    const described = operation!.responses[String(response.status)];
    expect(described, `${response.method} ${template} → ${response.status} is described`).toBeDefined();
    const schema = described!.content?.['application/json']?.schema;
    if (!schema) continue;
    const validate = ajv.compile(schema);
    const valid = validate(response.body);
    expect(
      valid ? [] : validate.errors,
      `${response.method} ${response.path} → ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`,
    ).toEqual([]);
    checked += 1;
  }
  return checked;
}
