// What a failed Redis command says about its effect: Redis answered with an error (not carried out), the
// command never left the client (not connected), or it was sent and no answer came: it may yet be carried
// out, as a frozen Redis does with what it already received once it resumes.

export type Failure = 'refused' | 'not-sent' | 'no-answer';

/** ioredis's words when a command is refused at once because the connection is not up (no offline queue). */
const NOT_SENT = "Stream isn't writeable";
/** ioredis's words for a command whose connection closed under it, or that waited past commandTimeout. */
const CUT_OFF = new Set(['Connection is closed.', 'Command timed out']);

/**
 * A Cluster command redirected (MOVED, ASK, TRYAGAIN) more times than ioredis follows: every attempt was
 * answered with a redirection, so none was carried out. Seen while the registry's slot is being migrated.
 */
const REDIRECTED = 'Too many Cluster redirections';

/** What became of a write that failed: anything but a refusal or a command never sent may be applied. */
export function failureOf(e: unknown): Failure {
  if (e instanceof Error && (e.name === 'ReplyError' || e.message.startsWith(REDIRECTED))) return 'refused';
  if (e instanceof Error && e.message.startsWith(NOT_SENT)) return 'not-sent';
  return 'no-answer';
}

/** Whether a command failed for want of Redis (rather than an error Redis answered, or a bug). */
export function lostConnection(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  return (
    e.name === 'MaxRetriesPerRequestError' ||
    e.name === 'AbortError' ||
    e.message.startsWith(NOT_SENT) ||
    CUT_OFF.has(e.message) ||
    /^E[A-Z]+$/.test(String((e as NodeJS.ErrnoException).code ?? ''))
  );
}

/** The first word of a Redis error reply (OOM, READONLY, LOADING...): its kind, without the details. */
export const replyCode = (e: Error): string =>
  e.message.startsWith(REDIRECTED) ? 'slot migrating' : (/^[A-Z]+/.exec(e.message)?.[0] ?? 'ERR');
