// Tag rules shared by TagResource and the Create* calls that accept Tags.
import { InvalidInput, TooManyTagsException } from '../model/errors.ts';
import type { Tag } from '../model/inputs.ts';

export function checkTags(tags: Tag[], limit: number, resourceName: string): void {
  for (const t of tags) {
    if (t.Key.toLowerCase().startsWith('aws:')) throw new InvalidInput(`Tag key ${t.Key} uses the reserved prefix aws:`);
  }
  if (new Set(tags.map((t) => t.Key)).size > limit) throw new TooManyTagsException(resourceName, limit);
}
