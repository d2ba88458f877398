// The HTTP API's public surface: the fastify app (Cloud Map's JSON 1.1 protocol, /healthz, /readyz), its
// socket's bind and drain, and the gates the server may put in front of dispatch: SigV4 verification and
// the discovery rate limit.
export { buildApi, type ApiOptions } from './app.ts';
export type { ConsoleOptions } from './console.ts';
export { defaultHttpBounds, type HttpBounds } from './http-bounds.ts';
export { discoveryRateLimit } from './rate-limit.ts';
export { sigv4Verifier, type Credentials } from './sigv4.ts';
export { exposureWarning } from './exposure.ts';
export { listenMetrics, type MetricsListener } from './metrics-listener.ts';
export { bindApi, drainApi } from './lifetime.ts';
export type { Phase, ReadinessSource } from './readiness.ts';
