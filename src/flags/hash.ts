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
  /** ASCII bytes of the current key, reused between keys. */
  #scratch = new Uint8Array(64)

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
        this.#setKeyBytes(Buffer.from(key, 'utf8'))
        return
      }
      bytes[i] = c
    }
    this.#setKeyBytes(bytes.subarray(0, n))
  }

  /**
   * Folds `bytes` into the current key state, for a salt prefix shared by several salts (a flag's
   * `key + hash_salt` is the start of both its rollout and its variant salts).
   */
  absorb(bytes: Uint8Array): void {
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
  bucket(salt: Uint8Array): number {
    const k0 = this.#k0
    const k1 = this.#k1
    const k2 = this.#k2
    const k3 = this.#k3
    this.absorb(salt)
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

  #setKeyBytes(bytes: Uint8Array): void {
    this.#k0 = OFFSET[0]
    this.#k1 = OFFSET[1]
    this.#k2 = OFFSET[2]
    this.#k3 = OFFSET[3]
    this.absorb(bytes)
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
  return hasher.bucket(utf8(salt))
}
