/**
 * The comparison key for "the same name, written differently": lower case, camelCase split,
 * and runs of spaces, `_`, `-` and `.` collapsed to one space. `User Signs Up`, `user_signs_up`
 * and `userSignsUp` all fold to `user signs up`.
 */
export function foldName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[\s_.-]+/g, ' ')
    .trim()
}

/** A code name (identifier) for a display name: `User signs up` → `userSignsUp`. */
export function codeNameOf(name: string): string {
  const words = foldName(name)
    .replace(/[^a-z0-9 ]+/g, ' ')
    .split(' ')
    .filter((w) => w !== '')
  const camel = words.map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('')
  if (camel === '') return 'event'
  return /^[0-9]/.test(camel) ? `event${camel[0]!.toUpperCase()}${camel.slice(1)}` : camel
}

/** Builds a JSON pointer from path segments (escaping `~` and `/`). */
export function pointerOf(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')
}

/** Splits a JSON pointer (as in ajv's `instancePath`) into unescaped segments. */
export function segmentsOf(pointer: string): string[] {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** Appends a key to a dotted issue path: `properties.cart`, `properties["Plan type"]`, `items[3]`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`
  return IDENTIFIER.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`
}

/** Names Mixpanel reserves or the client handles itself; never flagged unless the plan declares them. */
export const RESERVED_PROPERTY_PATTERN = '^(\\$|mp_|(time|distinct_id|token)$)'

const RESERVED = new RegExp(RESERVED_PROPERTY_PATTERN)

/** True for `$`-prefixed, `mp_`-prefixed and client-handled property names. */
export function isReservedProperty(name: string): boolean {
  return RESERVED.test(name)
}
