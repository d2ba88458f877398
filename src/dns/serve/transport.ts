// What the sockets and the responder agree on: a message in, a response (or nothing) out, now or later.

export type Transport = 'udp' | 'tcp';
/** The bytes to send back; null: send nothing. */
export type Response = Buffer | null;

/** Answers one message; responses must come from Out#take (their TCP length prefix is in place). */
export type Handler = (msg: Buffer, address: string, transport: Transport) => Response | Promise<Response>;

/** Reports a failure of a socket or a handler (throttled: clients must not be able to flood the log). */
export type Fail = (err: unknown, what: string) => void;
