// Says loudly who can write the registry when the API listens beyond this machine without
// --credentials: the default (0.0.0.0, no signatures) suits a container, not a shared network.
import ipaddr from 'ipaddr.js';

export function isLoopback(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  if (!ipaddr.isValid(host)) return false; // a name may resolve to anything
  const address = ipaddr.process(host); // ::ffff:127.0.0.1 is IPv4 loopback
  return address.range() === 'loopback';
}

/** The warning to log at start, or undefined when the API is loopback-only or verifies signatures. */
export function exposureWarning(host: string, port: number, verifiesSignatures: boolean): string | undefined {
  if (verifiesSignatures || isLoopback(host)) return undefined;
  return (
    `the API listens on ${host.includes(':') ? `[${host}]` : host}:${port} without --credentials: anyone who can reach it can ` +
    'create, change and delete namespaces, services and instances, and so rewrite what DNS answers. ' +
    'Lock it down with --api-host 127.0.0.1 (this machine only) or --credentials ACCESS_KEY_ID:SECRET (SigV4-signed requests only)'
  );
}
