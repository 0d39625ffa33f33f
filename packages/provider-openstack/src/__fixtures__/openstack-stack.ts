import type { OpenstackAccessRule } from '../openstack-access-rules.js';
import type { OpenstackProviderSettings } from '../openstack-provider-settings.js';

/**
 * The real test stack started by `scripts/ci/openstack/start-openstack.sh` (Keystone, Nova on the
 * fake virt driver, Placement, Glance, a Neutron stub), described by the env it prints.
 */
export interface OpenstackStack {
  identityEndpoint: string;
  region: string;
  username: string;
  password: string;
  project: string;
  /** A project whose instance quota is 0. */
  quotaProject: string;
  domain: string;
  imageId: string;
  flavor: string;
  /** A flavor larger than the fake compute host: the scheduler finds no valid host. */
  hugeFlavor: string;
}

const variables = {
  identityEndpoint: 'HEADROOM_TEST_OPENSTACK_URL',
  region: 'HEADROOM_TEST_OPENSTACK_REGION',
  username: 'HEADROOM_TEST_OPENSTACK_USERNAME',
  password: 'HEADROOM_TEST_OPENSTACK_PASSWORD',
  project: 'HEADROOM_TEST_OPENSTACK_PROJECT',
  quotaProject: 'HEADROOM_TEST_OPENSTACK_QUOTA_PROJECT',
  domain: 'HEADROOM_TEST_OPENSTACK_DOMAIN',
  imageId: 'HEADROOM_TEST_OPENSTACK_IMAGE_ID',
  flavor: 'HEADROOM_TEST_OPENSTACK_FLAVOR',
  hugeFlavor: 'HEADROOM_TEST_OPENSTACK_HUGE_FLAVOR',
} as const satisfies Record<keyof OpenstackStack, string>;

function readStack(): OpenstackStack | undefined {
  const entries = Object.entries(variables).map(([key, name]) => [key, process.env[name]] as const);
  if (entries.some(([, value]) => !value)) return undefined;
  return Object.fromEntries(entries) as unknown as OpenstackStack;
}

export const openstackStack = readStack();
export const openstackStackMissingMessage =
  'no OpenStack test stack: run `eval "$(bash scripts/ci/openstack/start-openstack.sh | sed s/^/export\\ /)"` ' +
  '(HEADROOM_TEST_OPENSTACK_URL and the other HEADROOM_TEST_OPENSTACK_* variables are not set)';

/** Provider settings for the stack with password authentication. */
export function stackSettings(
  stack: OpenstackStack,
  overrides: Partial<OpenstackProviderSettings> = {},
): OpenstackProviderSettings {
  return {
    maxInstances: 20,
    identityEndpoint: stack.identityEndpoint,
    region: stack.region,
    authenticationMethod: 'password',
    username: stack.username,
    password: stack.password,
    projectName: stack.project,
    projectDomainName: stack.domain,
    userDomainName: stack.domain,
    imageId: stack.imageId,
    flavor: stack.flavor,
    networkId: 'none',
    metadata: { team: 'headroom-tests' },
    pollIntervalMs: 250,
    ...overrides,
  };
}

/** Issues a password token for the stack's user; its id, user id and project id. */
export async function issueStackToken(stack: OpenstackStack, project = stack.project) {
  const response = await fetch(`${stack.identityEndpoint}/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: stack.username, domain: { name: stack.domain }, password: stack.password } },
        },
        scope: { project: { name: project, domain: { name: stack.domain } } },
      },
    }),
  });
  if (response.status !== 201) throw new Error(`token issue failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { token: { user: { id: string }; project: { id: string } } };
  return {
    token: response.headers.get('x-subject-token') as string,
    userId: body.token.user.id,
    projectId: body.token.project.id,
  };
}

/** Revokes a token (Keystone `DELETE /v3/auth/tokens`). */
export async function revokeStackToken(stack: OpenstackStack, token: string): Promise<void> {
  const response = await fetch(`${stack.identityEndpoint}/auth/tokens`, {
    method: 'DELETE',
    headers: { 'X-Auth-Token': token, 'X-Subject-Token': token },
  });
  if (response.status !== 204) throw new Error(`token revocation failed: ${response.status}`);
}

/** Creates an application credential restricted to `accessRules`; deleted by the returned `remove`. */
export async function createStackApplicationCredential(
  stack: OpenstackStack,
  options: { name: string; accessRules: readonly OpenstackAccessRule[] },
) {
  const { token, userId } = await issueStackToken(stack);
  const response = await fetch(`${stack.identityEndpoint}/users/${userId}/application_credentials`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
    body: JSON.stringify({ application_credential: { name: options.name, access_rules: options.accessRules } }),
  });
  if (response.status !== 201) {
    throw new Error(`application credential creation failed: ${response.status} ${await response.text()}`);
  }
  const body = (await response.json()) as { application_credential: { id: string; secret: string } };
  const { id, secret } = body.application_credential;
  return {
    id,
    secret,
    remove: async () => {
      await fetch(`${stack.identityEndpoint}/users/${userId}/application_credentials/${id}`, {
        method: 'DELETE',
        headers: { 'X-Auth-Token': token },
      });
    },
  };
}
