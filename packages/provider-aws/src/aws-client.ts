import type {
  DescribeImagesRequest,
  DescribeImagesResult,
  DescribeInstancesRequest,
  DescribeInstancesResult,
  DescribeInstanceTypesRequest,
  DescribeInstanceTypesResult,
  GetPasswordDataRequest,
  GetPasswordDataResult,
  Reservation,
  RunInstancesRequest,
  TerminateInstancesRequest,
  TerminateInstancesResult,
} from '@aws-sdk/client-ec2';
import type {
  ChangeResourceRecordSetsRequest,
  ChangeResourceRecordSetsResponse,
  ListHostedZonesByNameRequest,
  ListHostedZonesByNameResponse,
  ListResourceRecordSetsRequest,
  ListResourceRecordSetsResponse,
} from '@aws-sdk/client-route-53';

/** Per-call options every client method takes. */
export interface AwsCallOptions {
  abortSignal?: AbortSignal | undefined;
}

/** The EC2 calls the adapter makes: the narrow seam tests and custom clients implement. */
export interface AwsEc2Client {
  runInstances(input: RunInstancesRequest, options: AwsCallOptions): Promise<Reservation>;
  describeInstances(input: DescribeInstancesRequest, options: AwsCallOptions): Promise<DescribeInstancesResult>;
  terminateInstances(input: TerminateInstancesRequest, options: AwsCallOptions): Promise<TerminateInstancesResult>;
  describeInstanceTypes(
    input: DescribeInstanceTypesRequest,
    options: AwsCallOptions,
  ): Promise<DescribeInstanceTypesResult>;
  describeImages(input: DescribeImagesRequest, options: AwsCallOptions): Promise<DescribeImagesResult>;
  getPasswordData(input: GetPasswordDataRequest, options: AwsCallOptions): Promise<GetPasswordDataResult>;
  /** Releases sockets. Optional. */
  destroy?(): void;
}

/** The Route 53 calls the DNS adapter makes. */
export interface AwsRoute53Client {
  listHostedZonesByName(
    input: ListHostedZonesByNameRequest,
    options: AwsCallOptions,
  ): Promise<ListHostedZonesByNameResponse>;
  changeResourceRecordSets(
    input: ChangeResourceRecordSetsRequest,
    options: AwsCallOptions,
  ): Promise<ChangeResourceRecordSetsResponse>;
  listResourceRecordSets(
    input: ListResourceRecordSetsRequest,
    options: AwsCallOptions,
  ): Promise<ListResourceRecordSetsResponse>;
  /** Releases sockets. Optional. */
  destroy?(): void;
}

/** Static or resolved-on-demand credentials; absent means the SDK's default chain. */
export type AwsCredentialsProvider = () => Promise<{
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}>;

/** Options of the SDK-backed clients. */
export interface AwsSdkClientOptions {
  region: string;
  credentials: AwsCredentialsProvider | undefined;
  endpoint: string | undefined;
  maxAttempts: number;
}

function sdkClientConfig(options: AwsSdkClientOptions) {
  return {
    region: options.region,
    maxAttempts: options.maxAttempts,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
}

/** Creates the EC2 seam on `@aws-sdk/client-ec2`, loaded on first use (the SDK is heavy). */
export async function createAwsSdkEc2Client(options: AwsSdkClientOptions): Promise<AwsEc2Client> {
  const sdk = await import('@aws-sdk/client-ec2');
  const client = new sdk.EC2Client(sdkClientConfig(options));
  return {
    async runInstances(input, { abortSignal }) {
      const { $metadata: _, ...reservation } = await client.send(new sdk.RunInstancesCommand(input), { abortSignal });
      return reservation;
    },
    describeInstances: (input, { abortSignal }) =>
      client.send(new sdk.DescribeInstancesCommand(input), { abortSignal }),
    terminateInstances: (input, { abortSignal }) =>
      client.send(new sdk.TerminateInstancesCommand(input), { abortSignal }),
    describeInstanceTypes: (input, { abortSignal }) =>
      client.send(new sdk.DescribeInstanceTypesCommand(input), { abortSignal }),
    describeImages: (input, { abortSignal }) => client.send(new sdk.DescribeImagesCommand(input), { abortSignal }),
    getPasswordData: (input, { abortSignal }) => client.send(new sdk.GetPasswordDataCommand(input), { abortSignal }),
    destroy: () => client.destroy(),
  };
}

/** Creates the Route 53 seam on `@aws-sdk/client-route-53`, loaded on first use. */
export async function createAwsSdkRoute53Client(options: AwsSdkClientOptions): Promise<AwsRoute53Client> {
  const sdk = await import('@aws-sdk/client-route-53');
  const client = new sdk.Route53Client(sdkClientConfig(options));
  return {
    listHostedZonesByName: (input, { abortSignal }) =>
      client.send(new sdk.ListHostedZonesByNameCommand(input), { abortSignal }),
    changeResourceRecordSets: (input, { abortSignal }) =>
      client.send(new sdk.ChangeResourceRecordSetsCommand(input), { abortSignal }),
    listResourceRecordSets: (input, { abortSignal }) =>
      client.send(new sdk.ListResourceRecordSetsCommand(input), { abortSignal }),
    destroy: () => client.destroy(),
  };
}
