// What the Redis store needs of a logger (pino's shape); silent when none is given.
export interface StoreLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export const silentLog: StoreLog = { info: () => undefined, warn: () => undefined };
