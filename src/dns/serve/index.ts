// Query bytes → answer bytes: the checks of a query, the authoritative lookup in the prepared index,
// negative answers, EDNS, forwarding and alias lookups, and the UDP and TCP sockets that carry them.
export { ClientViews } from './client-views.ts';
export { Forwarder, type Upstream } from './forward.ts';
export { listen, type UdpIo } from './listen.ts';
export { Responder } from './respond.ts';
export { DnsCounts, FORWARD_RESULTS } from './counts.ts';
