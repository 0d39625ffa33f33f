import type { HeadroomConfig, PoolConfig } from '../config/config-schema.js';
import type { AutoscaleEntry } from '../config/config-views.js';

type PoolKind = PoolConfig['kind'];

/** What validation knows about the config a script belongs to (raw input: nothing is parsed yet). */
export interface PlaceholderSourceContext {
  poolKind: PoolKind;
  /** The autoscale config as written. */
  autoscale: Record<string, unknown>;
  /** The whole config as written (service sections included). */
  config: Record<string, unknown>;
}

/** What the reconciler knows when it renders the script of one new instance. */
export interface PlaceholderValueInput {
  config: HeadroomConfig;
  entry: AutoscaleEntry;
  /** Headroom instance id (the deterministic name) of the new instance. */
  instanceName: string;
  /** Its `{server_id}` (`serverIdFor` its intent key). */
  serverId: string;
  /** The password generated for it when its connection sets `generatePassword`. */
  connectionPassword?: string;
  /** The Active Directory computer record created for it, when its config creates one. */
  computerRecord?: { computerName: string; joinPassword: string };
}

/**
 * One `{placeholder}` of startup scripts: where its value comes from and which pool kinds may use
 * it. Adding a placeholder is adding one entry to `STARTUP_SCRIPT_PLACEHOLDER_CATALOGUE`.
 */
export interface StartupScriptPlaceholderDefinition {
  readonly name: string;
  /** Where the value comes from, in words (docs, validation errors, `headroom script`). */
  readonly source: string;
  /** Pool kinds whose scripts may use it. */
  readonly poolKinds: readonly PoolKind[];
  /** A secret value: masked by `headroom script`, never logged. */
  readonly secret: boolean;
  /**
   * Why this config has no value for it (what to set), or undefined when it has one. Absent: the
   * value always exists.
   */
  missingSource?(context: PlaceholderSourceContext): string | undefined;
  /** Why this config's value for it is wrong (the fix included), or undefined when it is fine. */
  invalidSource?(context: PlaceholderSourceContext): string | undefined;
  /**
   * The value for one new instance. Absent: the value is supplied at run time by whoever runs the
   * reconciler (`startupScriptValues`: the service's check-in token, an embedder's values).
   */
  valueFor?(input: PlaceholderValueInput): string | undefined;
}
