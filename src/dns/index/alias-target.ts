// An AWS_ALIAS_DNS_NAME target as prepared bytes: the question to ask upstream and its cache key.
import { CLASS_IN, encodeName, lowerKey, type Labels } from '../wire/index.ts';

/** An AWS_ALIAS_DNS_NAME target and the address type wanted from it. */
export interface AliasTarget {
  /** The question section (name, type, class IN) to ask upstream. */
  readonly question: Buffer;
  readonly type: number;
  /** Cache key: the question, lower-cased. */
  readonly key: string;
}

export function aliasTarget(type: number, target: Labels): AliasTarget {
  const question = Buffer.concat([encodeName(target), Buffer.from([type >> 8, type & 0xff, 0, CLASS_IN])]);
  return { question, type, key: lowerKey(question, 0, question.length) };
}
