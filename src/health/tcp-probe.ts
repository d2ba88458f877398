// TCP check: healthy when a connection to the instance's address and port opens before the timeout.
import { connect } from 'node:net';
import type { Probe } from './probe.ts';

export const tcpProbe: Probe = (target, signal) =>
  new Promise<boolean>((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const socket = connect({ host: target.host, port: target.port });
    const done = (healthy: boolean): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(healthy);
    };
    const onAbort = (): void => done(false);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
