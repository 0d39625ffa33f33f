import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The providers and DNS providers of `examples/providers/gcp.yaml` (also shown in the README). */
export function readGcpExample(): {
  providers: Record<string, Record<string, unknown>>;
  dnsProviders: Record<string, Record<string, unknown>>;
} {
  return parse(readFileSync(new URL('../../../../examples/providers/gcp.yaml', import.meta.url), 'utf8'));
}
