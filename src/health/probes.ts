// The probe for each HealthCheckConfig Type. A new kind of check is one file and one line here.
import type { HealthCheckType } from '../model/records.ts';
import { httpProbe, httpsProbe } from './http-probe.ts';
import type { Probe } from './probe.ts';
import { tcpProbe } from './tcp-probe.ts';

export const probes: Record<HealthCheckType, Probe> = {
  TCP: tcpProbe,
  HTTP: httpProbe,
  HTTPS: httpsProbe,
};
