import type { requests as coreRequests, responses as coreResponses } from 'oci-core';
import type { requests as dnsRequests, responses as dnsResponses } from 'oci-dns';
import type { requests as identityRequests, responses as identityResponses } from 'oci-identity';

/** The Compute calls the adapter makes: the narrow seam tests and custom clients implement. */
export interface OciComputeClient {
  launchInstance(request: coreRequests.LaunchInstanceRequest): Promise<coreResponses.LaunchInstanceResponse>;
  listInstances(request: coreRequests.ListInstancesRequest): Promise<coreResponses.ListInstancesResponse>;
  terminateInstance(request: coreRequests.TerminateInstanceRequest): Promise<coreResponses.TerminateInstanceResponse>;
  listVnicAttachments(
    request: coreRequests.ListVnicAttachmentsRequest,
  ): Promise<coreResponses.ListVnicAttachmentsResponse>;
}

/** The Virtual Network call the adapter makes (addresses of a VNIC). */
export interface OciNetworkClient {
  getVnic(request: coreRequests.GetVnicRequest): Promise<coreResponses.GetVnicResponse>;
}

/** The Identity call the adapter makes (availability domains when none are configured). */
export interface OciIdentityClient {
  listAvailabilityDomains(
    request: identityRequests.ListAvailabilityDomainsRequest,
  ): Promise<identityResponses.ListAvailabilityDomainsResponse>;
}

/** The DNS calls the DNS adapter makes. */
export interface OciDnsClient {
  listZones(request: dnsRequests.ListZonesRequest): Promise<dnsResponses.ListZonesResponse>;
  getZoneRecords(request: dnsRequests.GetZoneRecordsRequest): Promise<dnsResponses.GetZoneRecordsResponse>;
  updateRRSet(request: dnsRequests.UpdateRRSetRequest): Promise<dnsResponses.UpdateRRSetResponse>;
  deleteRRSet(request: dnsRequests.DeleteRRSetRequest): Promise<dnsResponses.DeleteRRSetResponse>;
}

/** Every client of the compute adapter. */
export interface OciClients {
  compute: OciComputeClient;
  network: OciNetworkClient;
  identity: OciIdentityClient;
}

/** What the SDK clients are built from: an API signing key (resolved secrets) and a region. */
export interface OciSdkClientOptions {
  tenancyOcid: string;
  userOcid: string;
  fingerprint: string;
  privateKey: string;
  privateKeyPassphrase: string | undefined;
  region: string;
  /** Overrides every client's endpoint (tests, private endpoints). */
  endpoint: string | undefined;
}

/**
 * The SDK's client construction options: API key authentication, no SDK retries (the reconciler
 * retries) and no SDK circuit breaker (the reconciler rate-limits).
 */
async function sdkClientParts(options: OciSdkClientOptions) {
  const common = await import('oci-common');
  const authenticationDetailsProvider = new common.SimpleAuthenticationDetailsProvider(
    options.tenancyOcid,
    options.userOcid,
    options.fingerprint,
    options.privateKey,
    options.privateKeyPassphrase ?? null,
    common.Region.fromRegionId(options.region),
  );
  const configuration = {
    retryConfiguration: common.NoRetryConfigurationDetails,
    circuitBreaker: new common.CircuitBreaker({ disableClientCircuitBreaker: true }),
  };
  const place = (client: { regionId: string; endpoint: string }) => {
    client.regionId = options.region;
    if (options.endpoint !== undefined) client.endpoint = options.endpoint;
  };
  return { params: { authenticationDetailsProvider }, configuration, place };
}

/** Creates the compute seams on `oci-core` and `oci-identity`, loaded on first use. */
export async function createOciSdkClients(options: OciSdkClientOptions): Promise<OciClients> {
  const { params, configuration, place } = await sdkClientParts(options);
  const core = await import('oci-core');
  const identity = await import('oci-identity');
  const compute = new core.ComputeClient(params, configuration);
  const network = new core.VirtualNetworkClient(params, configuration);
  const identityClient = new identity.IdentityClient(params, configuration);
  for (const client of [compute, network, identityClient]) place(client);
  return { compute, network, identity: identityClient };
}

/** Creates the DNS seam on `oci-dns`, loaded on first use. */
export async function createOciSdkDnsClient(options: OciSdkClientOptions): Promise<OciDnsClient> {
  const { params, configuration, place } = await sdkClientParts(options);
  const dns = await import('oci-dns');
  const client = new dns.DnsClient(params, configuration);
  place(client);
  return client;
}
