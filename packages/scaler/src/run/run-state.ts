import { type CheckinTokens, createCheckinTokens } from './checkin-tokens.js';
import type { ServiceConfig } from './service-config.js';

/** The mutable state of a running `headroom run`: replaced on reload and on leadership changes. */
export interface RunState {
  /** The config in force. */
  loaded: ServiceConfig;
  /** Check-in token issuer of the config in force; undefined without `checkin`. */
  tokens: CheckinTokens | undefined;
  /** Whether this replica leads now. */
  leader: boolean;
}

/** The check-in token issuer/verifier of a config; undefined without `checkin` or its key. */
export const tokensOf = (current: ServiceConfig): CheckinTokens | undefined =>
  current.checkinKey && current.settings.checkin
    ? createCheckinTokens({
        signingKey: current.checkinKey,
        issuer: current.settings.scaler.managedBy,
        validitySeconds: current.settings.checkin.tokenValiditySeconds,
      })
    : undefined;

/** The inventory poll options of a config (empty without `inventory`). */
export const pollOf = ({ settings, inventoryToken }: ServiceConfig) =>
  settings.inventory
    ? {
        poll: {
          url: settings.inventory.url,
          intervalSeconds: settings.inventory.intervalSeconds,
          ...(inventoryToken ? { token: inventoryToken } : {}),
        },
      }
    : {};
