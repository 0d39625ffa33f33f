import { STAGING_PERMISSIONS, type StagingPermission, type ZoneConfig } from '../config/config-schema.js';

/** Group settings that need the container created with them applied (the seed's list). */
export const INCOMPATIBLE_GROUP_SETTINGS = [
  'expose_user_environment_vars',
  'inject_ssh_keys',
  'run_config',
  'volume_mapping',
  'web_filter_policy',
] as const;
export type IncompatibleGroupSetting = (typeof INCOMPATIBLE_GROUP_SETTINGS)[number];

/** A user's request for a session, as the control plane knows it when assigning. */
export interface SessionRequest {
  user: string;
  workspace: string;
  zone: string;
  /** The user's effective "Allow ..." permissions; a missing flag is false. */
  permissions: Partial<Record<StagingPermission, boolean>>;
  /** Group settings by the seed's names; a setting applies when true or a non-empty value. */
  groupSettings?: Partial<Record<IncompatibleGroupSetting, unknown>>;
  /** Workspace settings that rule staging out. */
  workspaceSettings?: {
    persistentProfile?: boolean;
    /** Volume mappings (host path → mount); those using `{username}` or `{user_id}` rule staging out. */
    volumeMappings?: Record<string, unknown>;
  };
}

/** An unassigned staged session the control plane could hand out. */
export interface StagedSessionOffer {
  sessionId: string;
  instanceId: string;
  workspace: string;
  zone: string;
  /** ISO-8601 creation instant; the oldest matching session is handed out first. */
  createdAt?: string;
  /** The permissions of the staging config it was created with. */
  permissions: Record<StagingPermission, boolean>;
}

export interface StagingPolicy {
  zones: readonly ZoneConfig[];
  /** Zones that can start an on-demand session now; when omitted every zone is assumed to. */
  zonesWithCapacity?: readonly string[];
}

/** An incompatible setting: logged, and the request gets an on-demand session. */
export interface StagingWarning {
  user: string;
  workspace: string;
  flag: string;
  message: string;
}

export type StagedSessionMatch =
  | { kind: 'staged'; session: StagedSessionOffer; alternateZone: boolean; reason: string; warnings: StagingWarning[] }
  | {
      kind: 'on-demand';
      /** Zones to try, in order (empty when none has capacity). */
      zones: string[];
      reason: string;
      warnings: StagingWarning[];
    };

const applies = (value: unknown): boolean =>
  value === true ||
  (typeof value === 'string' && value.length > 0) ||
  (Array.isArray(value) && value.length > 0) ||
  (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0);

/** The settings of `request` that staging cannot honour, as warnings naming user, workspace and flag. */
export function incompatibleSettings(request: SessionRequest): StagingWarning[] {
  const warn = (flag: string, what: string): StagingWarning => ({
    user: request.user,
    workspace: request.workspace,
    flag,
    message: `user ${request.user}, workspace ${request.workspace}: ${what} "${flag}" is incompatible with staged sessions; creating one on demand`,
  });
  const warnings: StagingWarning[] = [];
  const workspace = request.workspaceSettings;
  if (workspace?.persistentProfile) warnings.push(warn('persistent_profile', 'workspace setting'));
  const mappings = workspace?.volumeMappings ? JSON.stringify(workspace.volumeMappings) : '';
  if (mappings.includes('{username}') || mappings.includes('{user_id}'))
    warnings.push(warn('volume_mappings', 'workspace setting (uses {username} or {user_id})'));
  for (const setting of INCOMPATIBLE_GROUP_SETTINGS) {
    if (applies(request.groupSettings?.[setting])) warnings.push(warn(setting, 'group setting'));
  }
  return warnings;
}

/** The request's zone, then (when its zone searches alternate zones) the others in search order. */
export function zoneSearchOrder(zone: string, zones: readonly ZoneConfig[]): string[] {
  const own = zones.find((candidate) => candidate.id === zone);
  if (!own?.searchAlternateZones) return [zone];
  const alternates = own.alternateZones ?? zones.map((candidate) => candidate.id);
  return [zone, ...alternates.filter((candidate) => candidate !== zone)];
}

const mismatchedPermissions = (request: SessionRequest, offer: StagedSessionOffer): StagingPermission[] =>
  STAGING_PERMISSIONS.filter((flag) => (request.permissions[flag] ?? false) !== offer.permissions[flag]);

const createdMs = (offer: StagedSessionOffer) =>
  offer.createdAt === undefined ? Number.NEGATIVE_INFINITY : Date.parse(offer.createdAt);

/**
 * Decides whether `request` takes a staged session (the seed's order: staged here, staged in
 * alternate zones, on demand here, on demand in alternate zones). A staged session matches when
 * its workspace is the request's and every "Allow ..." flag equals the user's; incompatible
 * workspace or group settings send the request on demand, with a warning each. Pure.
 */
export function matchStagedSession(
  request: SessionRequest,
  staged: readonly StagedSessionOffer[],
  policy: StagingPolicy,
): StagedSessionMatch {
  const order = zoneSearchOrder(request.zone, policy.zones);
  const warnings = incompatibleSettings(request);
  const onDemand = (why: string): StagedSessionMatch => {
    const capacity = policy.zonesWithCapacity;
    const zones = capacity ? order.filter((zone) => capacity.includes(zone)) : order;
    const where =
      zones.length > 0 ? `on demand in zone ${zones[0]}` : `queued: no zone of ${order.join(', ')} has capacity`;
    return { kind: 'on-demand', zones, reason: `${why}; ${where}`, warnings };
  };
  if (warnings.length > 0)
    return onDemand(`incompatible settings: ${warnings.map((warning) => warning.flag).join(', ')}`);
  const sameWorkspace = staged.filter((offer) => offer.workspace === request.workspace);
  const mismatches = new Set<StagingPermission>();
  for (const zone of order) {
    const matching = sameWorkspace
      .filter((offer) => offer.zone === zone)
      .filter((offer) => {
        const mismatched = mismatchedPermissions(request, offer);
        for (const flag of mismatched) mismatches.add(flag);
        return mismatched.length === 0;
      })
      .sort((a, b) => createdMs(a) - createdMs(b) || (a.sessionId < b.sessionId ? -1 : 1));
    if (matching.length === 0) continue;
    const session = matching[0]!;
    const alternateZone = zone !== request.zone;
    return {
      kind: 'staged',
      session,
      alternateZone,
      reason: `staged session ${session.sessionId} on ${session.instanceId} in ${alternateZone ? 'alternate ' : ''}zone ${zone}`,
      warnings,
    };
  }
  if (mismatches.size > 0)
    return onDemand(
      `staged ${request.workspace} sessions in zone(s) ${order.join(', ')} differ in ${[...mismatches].join(', ')}`,
    );
  return onDemand(`no staged ${request.workspace} session in zone(s) ${order.join(', ')}`);
}
