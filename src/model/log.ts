// What any part needs of a logger: pino's four levels with a context object and a message. One type for
// every part, so a part can be given pino itself, a child of it, or the silent log in tests.
export interface Log {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const nothing = (): void => undefined;
export const silentLog: Log = { debug: nothing, info: nothing, warn: nothing, error: nothing };
