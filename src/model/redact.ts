// Masks secrets in text that may be logged or sent back: the password of a URL
// (redis://user:password@host) and password parameters in its query.

// Greedy to the last '@' of the word: a password may hold an unescaped '@' or '/'.
const USERINFO = /(\/\/[^\s:@/]*):\S*@/g;
const PASSWORD_PARAM = /([?&][a-z]*password=)[^&#\s]*/gi;

export function redactSecrets(text: string): string {
  return text.replace(USERINFO, '$1:***@').replace(PASSWORD_PARAM, '$1***');
}
