// A socket that could not be bound, with the address and transport in words, so that the start can fail
// with one line naming them (and the server, the flags that choose them).
export class ListenError extends Error {
  /** The system's code (EADDRINUSE, EACCES, EADDRNOTAVAIL...), kept so callers can tell the cases apart. */
  readonly code: string | undefined;
  /** host:port/transport, IPv6 hosts in brackets. */
  readonly where: string;

  constructor(host: string, port: number, transport: 'udp' | 'tcp', cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const where = `${host.includes(':') ? `[${host}]` : host}:${port}/${transport}`;
    super(`cannot listen on ${where} (${reasonOf(code, cause)})`, { cause });
    this.code = code;
    this.where = where;
  }
}

function reasonOf(code: string | undefined, cause: unknown): string {
  switch (code) {
    case 'EADDRINUSE':
      return 'address already in use';
    case 'EACCES':
      return 'permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE';
    case 'EADDRNOTAVAIL':
      return 'no such address on this machine';
    default:
      return code ?? (cause instanceof Error ? cause.message : String(cause));
  }
}
