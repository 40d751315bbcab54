import { REDACTED, redactPatterns } from '../errors/index.js'

/**
 * The one place secrets are taken out of text eventwire writes: error messages (at
 * construction), log lines, event payloads and CLI output. Two layers:
 *
 * - patterns that need no knowledge of the secret: the password of a URL's user info
 *   (`redis://:pw@host`, `https://user:pw@host`) and the value after `Basic` / `Bearer` (an
 *   `Authorization` header, also when a server echoes it back in a response body). They live
 *   with the errors (`redactPatterns`), which apply them to every message at construction;
 * - exact secrets the caller knows (API secrets, service-account secrets, GDPR tokens, Redis
 *   passwords), also in the forms they take on the wire (base64 of `user:secret`, URL-encoded).
 */

export { REDACTED, redactPatterns }

/** Secrets shorter than this are not searched for: they would blank out ordinary words. */
const MIN_SECRET_LENGTH = 6

/** A URL with the password of its user info replaced (for messages naming a Redis server). */
export function redactUrl(url: string): string {
  return redactPatterns(url)
}

/** A credential a redactor knows: a bare secret, or a user name and its secret. */
export type KnownSecret = string | { readonly user: string; readonly secret: string } | undefined | null

/**
 * Removes known secrets, in every form they take on the wire, and the {@link redactPatterns}
 * patterns from text. Built once per object that holds credentials (a destination, an API client,
 * a CLI command); `text()` is only called on failure paths.
 */
export class Redactor {
  readonly #secrets: readonly KnownSecret[]
  readonly #needles: readonly string[]

  constructor(secrets: Iterable<KnownSecret> = []) {
    this.#secrets = [...secrets]
    const needles = new Set<string>()
    const add = (value: string) => {
      if (value.length < MIN_SECRET_LENGTH) return
      needles.add(value)
      needles.add(Buffer.from(value).toString('base64'))
      const encoded = encodeURIComponent(value)
      if (encoded !== value) needles.add(encoded)
    }
    for (const secret of this.#secrets) {
      if (secret === undefined || secret === null) continue
      if (typeof secret === 'string') {
        add(secret)
        // As the user name of Basic auth with an empty password (`token:`).
        if (secret.length >= MIN_SECRET_LENGTH) needles.add(Buffer.from(`${secret}:`).toString('base64'))
        continue
      }
      add(secret.secret)
      if (secret.secret.length >= MIN_SECRET_LENGTH) {
        needles.add(`${secret.user}:${secret.secret}`)
        needles.add(Buffer.from(`${secret.user}:${secret.secret}`).toString('base64'))
      }
    }
    // Longest first, so a secret inside a longer form does not leave the rest of that form behind.
    this.#needles = [...needles]
      .filter((n) => n.length >= MIN_SECRET_LENGTH)
      .sort((a, b) => b.length - a.length)
  }

  /** Whether this redactor knows any exact secret. */
  get knowsSecrets(): boolean {
    return this.#needles.length > 0
  }

  /** `text` without the known secrets and without URL passwords and `Basic`/`Bearer` values. */
  text(text: string): string {
    let out = text
    for (const needle of this.#needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED)
    return redactPatterns(out)
  }

  /** A redactor knowing these secrets and more. */
  with(secrets: Iterable<KnownSecret>): Redactor {
    return new Redactor([...this.#secrets, ...secrets])
  }
}

/** A redactor that knows no exact secret: patterns only. */
export const patternRedactor = new Redactor()

/** Headers whose values are credentials. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'x-auth-token',
])

/** Query and form parameters whose values are credentials. */
export const SECRET_PARAMS: ReadonlySet<string> = new Set([
  'api_key',
  'api_secret',
  'secret',
  'password',
  'access_token',
  'client_secret',
])

/**
 * A copy of `headers` with the values of {@link SECRET_HEADERS} replaced: by `[redacted]`, or with
 * `keepScheme`, by `Basic [redacted]` / `Bearer [redacted]` (the scheme says which auth was used).
 */
export function redactHeaders(
  headers: Readonly<Record<string, string>>,
  keepScheme = false,
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADERS.has(name.toLowerCase())) out[name] = value
    else if (!keepScheme) out[name] = REDACTED
    else {
      const scheme = /^([A-Za-z]+)\s+\S/.exec(value)
      out[name] = scheme === null ? REDACTED : `${scheme[1]} ${REDACTED}`
    }
  }
  return out
}

/** A query string (`?a=1&api_key=x`) with the values of {@link SECRET_PARAMS} redacted. */
export function redactQuery(search: string): string {
  if (search === '' || search === '?') return ''
  return `?${redactForm(search.slice(1))}`
}

/** `a=1&api_secret=x` form text with the values of {@link SECRET_PARAMS} redacted; other text unchanged. */
export function redactForm(text: string): string {
  if (!text.includes('=')) return text
  return text.replace(/(^|&)([^=&]*)=([^&]*)/g, (whole, lead: string, name: string) => {
    let key: string
    try {
      key = decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase()
    } catch {
      return whole
    }
    return SECRET_PARAMS.has(key) ? `${lead}${name}=${REDACTED}` : whole
  })
}
