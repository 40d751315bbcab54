/**
 * FNV-1a 64-bit bucketing, bit-for-bit the hash Mixpanel's SDKs use to assign users to rollouts and
 * variants: offset basis 0xCBF29CE484222325, prime 0x100000001B3, over the UTF-8 bytes of
 * `key + salt`, reduced to `(hash mod 100) / 100`.
 *
 * The 64-bit state lives in four 16-bit limbs of plain numbers, so no BigInt is allocated. The
 * prime is 2^40 + 435, so one multiplication is `h × 435 + (h << 40)`, and the shift only reaches
 * the top two limbs. Every intermediate stays below 2^26, exact in a double.
 */

const OFFSET = [0x2325, 0x8422, 0x9ce4, 0xcbf2] as const
/** UTF-8 of U+FFFD, what a lone surrogate becomes. */
const REPLACEMENT = new Uint8Array([0xef, 0xbf, 0xbd])
/** No high surrogate is waiting for the next piece of text. */
const NONE = -1

function isHigh(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff
}

function isLow(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff
}

/**
 * Reusable hash state: hash an assignment key once with {@link setKey}, optionally extend it with
 * a shared salt prefix ({@link absorb}), then finish it with several salt suffixes
 * ({@link bucket}). FNV-1a is sequential and the key comes first in `key + salt`, so the common
 * start of the input is hashed once per evaluation.
 */
export class KeyHasher {
  #k0 = 0
  #k1 = 0
  #k2 = 0
  #k3 = 0
  /**
   * A high surrogate that ended the text hashed so far, not yet hashed: in `key + salt` it forms
   * one code point with a low surrogate that starts the next piece, and is U+FFFD otherwise.
   */
  #pending = NONE
  /** ASCII bytes of the current key, reused between keys. */
  #scratch = new Uint8Array(64)
  /** UTF-8 of one astral code point. */
  readonly #astral = new Uint8Array(4)

  /** Hashes the UTF-8 bytes of `key`; later {@link bucket} calls continue from this state. */
  setKey(key: string): void {
    const n = key.length
    let bytes = this.#scratch
    if (bytes.length < n) bytes = this.#scratch = new Uint8Array(Math.max(n, bytes.length * 2))
    for (let i = 0; i < n; i++) {
      const c = key.charCodeAt(i)
      // Rare: let Buffer do the UTF-8 encoding (incl. U+FFFD for lone surrogates), exactly as
      // the reference implementations do.
      if (c >= 0x80) {
        this.#reset()
        this.#feed(Buffer.from(key, 'utf8'), key)
        return
      }
      bytes[i] = c
    }
    this.#reset()
    this.#absorbBytes(bytes.subarray(0, n))
  }

  /**
   * Folds `bytes` into the current key state, for a salt prefix shared by several salts (a flag's
   * `key + hash_salt` is the start of both its rollout and its variant salts). Pass the `text`
   * the bytes encode when it may start or end with a lone surrogate: that surrogate may pair with
   * the text before or after it, as it does in the concatenated string.
   */
  absorb(bytes: Uint8Array, text?: string): void {
    if (text === undefined && this.#pending === NONE) this.#absorbBytes(bytes)
    else this.#feed(bytes, text)
  }

  /**
   * Folds one piece of text, given as its UTF-8 `bytes`: a pending high surrogate pairs with a
   * low surrogate that starts `text` (else it is U+FFFD), and a high surrogate that ends `text`
   * is held back for the next piece.
   */
  #feed(bytes: Uint8Array, text: string | undefined): void {
    let body = bytes
    const length = text === undefined ? bytes.length : text.length
    if (length === 0) return
    if (this.#pending !== NONE) {
      const first = text === undefined ? NONE : text.charCodeAt(0)
      if (isLow(first)) {
        const point = 0x10000 + ((this.#pending - 0xd800) << 10) + (first - 0xdc00)
        const astral = this.#astral
        astral[0] = 0xf0 | (point >> 18)
        astral[1] = 0x80 | ((point >> 12) & 0x3f)
        astral[2] = 0x80 | ((point >> 6) & 0x3f)
        astral[3] = 0x80 | (point & 0x3f)
        this.#absorbBytes(astral)
        body = body.subarray(REPLACEMENT.length)
      } else {
        this.#absorbBytes(REPLACEMENT)
      }
      this.#pending = NONE
    }
    const last = text === undefined ? NONE : text.charCodeAt(length - 1)
    if (isHigh(last)) {
      body = body.subarray(0, body.length - REPLACEMENT.length)
      this.#pending = last
    }
    this.#absorbBytes(body)
  }

  #absorbBytes(bytes: Uint8Array): void {
    let h0 = this.#k0
    let h1 = this.#k1
    let h2 = this.#k2
    let h3 = this.#k3
    const n = bytes.length
    for (let i = 0; i < n; i++) {
      h0 ^= bytes[i]!
      const t0 = h0 * 435
      let t1 = h1 * 435
      let t2 = h2 * 435 + (h0 << 8)
      const t3 = h3 * 435 + (h1 << 8)
      t1 += t0 >>> 16
      h0 = t0 & 0xffff
      t2 += t1 >>> 16
      h1 = t1 & 0xffff
      h3 = (t3 + (t2 >>> 16)) & 0xffff
      h2 = t2 & 0xffff
    }
    this.#k0 = h0
    this.#k1 = h1
    this.#k2 = h2
    this.#k3 = h3
  }

  /**
   * Finishes the hash of the current key with `salt` (its UTF-8 bytes, see {@link utf8}) and
   * returns the bucket in [0, 1): one of 0.00, 0.01 … 0.99.
   */
  bucket(salt: Uint8Array, text?: string): number {
    const k0 = this.#k0
    const k1 = this.#k1
    const k2 = this.#k2
    const k3 = this.#k3
    const pending = this.#pending
    this.absorb(salt, text)
    // A high surrogate that ends the whole input is lone.
    if (this.#pending !== NONE) this.#absorbBytes(REPLACEMENT)
    this.#pending = pending
    const h0 = this.#k0
    const h1 = this.#k1
    const h2 = this.#k2
    const h3 = this.#k3
    // The key state stays as it was, for the next salt.
    this.#k0 = k0
    this.#k1 = k1
    this.#k2 = k2
    this.#k3 = k3
    // 2^16, 2^32 and 2^48 are 36, 96 and 56 modulo 100.
    return ((h3 * 56 + h2 * 96 + h1 * 36 + h0) % 100) / 100
  }

  #reset(): void {
    this.#k0 = OFFSET[0]
    this.#k1 = OFFSET[1]
    this.#k2 = OFFSET[2]
    this.#k3 = OFFSET[3]
    this.#pending = NONE
  }
}

/** UTF-8 bytes of a salt, computed once when definitions load. */
export function utf8(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'))
}

/**
 * Mixpanel's normalized hash of `key + salt`: a number in [0, 1) with two decimals.
 * `normalizedHash('abc', 'variant')` is 0.72, `normalizedHash('def', 'variant')` is 0.21.
 */
export function normalizedHash(key: string, salt: string): number {
  const hasher = new KeyHasher()
  hasher.setKey(key)
  return hasher.bucket(utf8(salt), salt)
}
