const INSERT_ID = /^[A-Za-z0-9-]{1,36}$/

/** ASCII hex digits of every byte value, two per byte. */
const HEX_PAIRS = new Uint8Array(512)
for (let byte = 0; byte < 256; byte++) {
  const pair = byte.toString(16).padStart(2, '0')
  HEX_PAIRS[2 * byte] = pair.charCodeAt(0)
  HEX_PAIRS[2 * byte + 1] = pair.charCodeAt(1)
}
/** Where the two hex digits of each of a UUID's 16 bytes go in its 36 characters. */
const DIGITS_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]
/**
 * Random bytes for 256 ids, refilled from the CSPRNG (Web Crypto, a global in every supported
 * runtime) when used up, as Node's `randomUUID` does.
 */
const randomPool = new Uint8Array(16 * 256)
let poolNext = randomPool.length
/** The id being written, its dashes in place. */
const idText = Buffer.alloc(36, '-')

/**
 * A new random `$insert_id`: a 36-character UUID v4, within Mixpanel's `[A-Za-z0-9-]{1,36}`.
 * Written as ASCII bytes and read out as one flat string: `randomUUID()` builds a rope of some
 * twenty pieces that would have to be flattened again.
 */
export function newInsertId(): string {
  if (poolNext === randomPool.length) {
    crypto.getRandomValues(randomPool)
    poolNext = 0
  }
  const from = poolNext
  poolNext += 16
  for (let i = 0; i < 16; i++) {
    let byte = randomPool[from + i]!
    if (i === 6)
      byte = (byte & 0x0f) | 0x40 // version 4
    else if (i === 8) byte = (byte & 0x3f) | 0x80 // RFC 4122 variant
    const at = DIGITS_AT[i]!
    idText[at] = HEX_PAIRS[2 * byte]!
    idText[at + 1] = HEX_PAIRS[2 * byte + 1]!
  }
  return idText.toString('latin1', 0, 36)
}

/**
 * Returns `value` after making V8 store it as one flat string. A string built by concatenation is
 * a rope of all its pieces (a UUID from `randomUUID()` is some twenty of them, about 700 heap
 * bytes); a queued message keeps its id and JSON, so they are kept flat.
 */
export function flatten(value: string): string {
  // Reading a character of a rope flattens it in place.
  value.charCodeAt(0)
  return value
}

/** True when `value` satisfies Mixpanel's `$insert_id` rule: 1–36 characters of `[A-Za-z0-9-]`. */
export function isValidInsertId(value: unknown): value is string {
  return typeof value === 'string' && INSERT_ID.test(value)
}
