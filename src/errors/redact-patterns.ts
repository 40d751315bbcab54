/**
 * Secrets that can be found without knowing them: the password of a URL's user info and the value
 * after `Basic` / `Bearer`. Every error message goes through {@link redactPatterns} at
 * construction; `Redactor` (src/internal/redact.ts) adds the exact secrets an object knows.
 */

/** What a secret is replaced with. */
export const REDACTED = '[redacted]'

/** `scheme://userinfo@`: the user info ends at the first `/ ? # @`, space or quote. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]*)@/gi
/** `Basic <credentials>` / `Bearer <token>`, up to a space, quote, separator or bracket. */
const AUTH_VALUE = /\b(Basic|Bearer)(\s+)[^\s"',;<>()[\]{}]+/gi

/** Removes URL passwords and `Basic`/`Bearer` values from `text` (no known secret needed). */
export function redactPatterns(text: string): string {
  let out = text
  if (out.includes('@')) {
    out = out.replace(URL_USERINFO, (_all, scheme: string, info: string) => {
      if (info === '' || info === REDACTED) return `${scheme}${info}@`
      const colon = info.indexOf(':')
      // `user:password@` keeps the user name; a bare `token@` is all secret.
      return colon >= 0 ? `${scheme}${info.slice(0, colon)}:${REDACTED}@` : `${scheme}${REDACTED}@`
    })
  }
  if (/basic|bearer/i.test(out)) out = out.replace(AUTH_VALUE, `$1$2${REDACTED}`)
  return out
}
