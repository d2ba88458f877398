// What a failed Redis command says about its effect: Redis answered with an error (not carried out), the
// command never left the client (not connected), or it was sent and no answer came: it may yet be carried
// out, as a frozen Redis does with what it already received once it resumes.

export type Failure = 'refused' | 'not-sent' | 'no-answer';

/** ioredis's words when a command is refused at once because the connection is not up (no offline queue). */
const NOT_SENT = "Stream isn't writeable";

export function failureOf(e: unknown): Failure {
  if (!(e instanceof Error)) return 'no-answer';
  if (e.name === 'ReplyError') return 'refused';
  if (e.message.startsWith(NOT_SENT)) return 'not-sent';
  // A socket timeout, a connection closed with the command in flight, a command timeout.
  return 'no-answer';
}

/** The first word of a Redis error reply (OOM, READONLY, LOADING...): its kind, without the details. */
export const replyCode = (e: Error): string => /^[A-Z]+/.exec(e.message)?.[0] ?? 'ERR';
