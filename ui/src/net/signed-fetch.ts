// fetch() for cairn's API: signed with SigV4 (aws4fetch, WebCrypto) when the console has credentials, as the
// SDKs sign. Every header sent is signed, content-type and x-amz-target among them, as cairn requires.
import { AwsV4Signer } from 'aws4fetch';
import type { Credentials } from './session.ts';

export interface Call {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export async function signedFetch(path: string, call: Call, creds: Credentials | undefined): Promise<Response> {
  const url = new URL(path, location.href).toString();
  if (!creds) return fetch(url, { method: call.method, headers: call.headers, body: call.body, signal: call.signal, cache: 'no-store' });
  const signer = new AwsV4Signer({
    url,
    method: call.method,
    headers: call.headers ?? {},
    body: call.body,
    accessKeyId: creds.accessKeyId,
    secretAccessKey: creds.secretAccessKey,
    service: 'servicediscovery',
    region: 'us-east-1',
    allHeaders: true,
  });
  const signed = await signer.sign();
  return fetch(signed.url.toString(), {
    method: call.method,
    headers: signed.headers,
    body: call.body,
    signal: call.signal,
    cache: 'no-store',
  });
}
