// The error an SDK call fails with (fails the test if the call succeeds), with its extra modeled members.
import type { ServiceDiscoveryServiceException } from '@aws-sdk/client-servicediscovery';

export type SdkError = ServiceDiscoveryServiceException & Record<string, unknown>;

export async function errorOf(call: Promise<unknown>): Promise<SdkError> {
  let result: unknown;
  try {
    result = await call;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error(`expected the call to fail, but it returned ${JSON.stringify(result)}`);
}
