// TCP check: healthy when a connection to the instance's address and port opens before the timeout.
import { connect } from 'node:net';
import { probeOnce, type Probe } from './probe.ts';

export const tcpProbe: Probe = (target, signal) =>
  probeOnce(signal, (done) => {
    const socket = connect({ host: target.host, port: target.port });
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    return socket;
  });
