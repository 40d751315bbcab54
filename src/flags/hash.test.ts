import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { KeyHasher, normalizedHash, utf8 } from './hash.js'

// The textbook definition, with BigInt, over Buffer's UTF-8 bytes: what Mixpanel's SDKs compute.
function referenceHash(key: string, salt: string): number {
  let hash = 0xcbf29ce484222325n
  for (const byte of Buffer.from(key + salt, 'utf8')) {
    hash ^= BigInt(byte)
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn
  }
  return Number(hash % 100n) / 100
}

test('Mixpanel test vectors', () => {
  assert.equal(normalizedHash('abc', 'variant'), 0.72)
  assert.equal(normalizedHash('def', 'variant'), 0.21)
  assert.equal(referenceHash('abc', 'variant'), 0.72)
})

test('matches the BigInt definition for ASCII keys and salts', () => {
  fc.assert(
    fc.property(
      fc.string(),
      fc.string(),
      (key, salt) => normalizedHash(key, salt) === referenceHash(key, salt),
    ),
    { numRuns: 2000 },
  )
})

test('matches for any UTF-16 input, including astral characters and lone surrogates', () => {
  const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))
  const anyString = fc.oneof(
    fc.string({ unit: codeUnit, maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 6 }),
  )
  fc.assert(
    fc.property(anyString, anyString, (key, salt) => normalizedHash(key, salt) === referenceHash(key, salt)),
    { numRuns: 3000 },
  )
  for (const key of ['é', '日本', '😀', '\ud800', '\udc00x', 'a\ud83d', 'user-Ω-42']) {
    assert.equal(normalizedHash(key, 'salt'), referenceHash(key, 'salt'), key)
  }
  // A key ending in a high surrogate and a salt starting with a low one make one code point.
  assert.equal(normalizedHash('\ud800', '\udc00'), referenceHash('\ud800', '\udc00'))
  assert.equal(normalizedHash('k\ud83d', '\ude00flag'), referenceHash('k😀', 'flag'))
  assert.notEqual(normalizedHash('k\ud83d', '\ude00flag'), normalizedHash('k\ud83d', '\ufffdflag'))
})

test('a key, a salt prefix and a salt hash as their concatenation, surrogates split across them too', () => {
  const unit = fc.constantFrom('a', 'é', '\ud83d', '\ude00', '\ud800', '\udc00', '😀', '')
  const piece = fc.array(unit, { maxLength: 4 }).map((units) => units.join(''))
  const hasher = new KeyHasher()
  fc.assert(
    fc.property(piece, piece, piece, piece, (key, prefix, salt, other) => {
      hasher.setKey(key)
      hasher.absorb(utf8(prefix), prefix)
      const first = hasher.bucket(utf8(salt), salt)
      const second = hasher.bucket(utf8(other), other)
      return first === referenceHash(key, prefix + salt) && second === referenceHash(key, prefix + other)
    }),
    { numRuns: 3000 },
  )
})

test('one key hashed once serves several salts, and setKey resets the state', () => {
  const hasher = new KeyHasher()
  hasher.setKey('user-1')
  const first = hasher.bucket(utf8('flagrollout'))
  assert.equal(first, referenceHash('user-1', 'flagrollout'))
  assert.equal(hasher.bucket(utf8('flagvariant')), referenceHash('user-1', 'flagvariant'))
  hasher.setKey('ünïcode')
  assert.equal(hasher.bucket(utf8('x')), referenceHash('ünïcode', 'x'))
  hasher.setKey('user-1')
  assert.equal(hasher.bucket(utf8('flagrollout')), first)
})

test('buckets are two-decimal values spread over [0, 1)', () => {
  const seen = new Set<number>()
  for (let i = 0; i < 5000; i++) {
    const b = normalizedHash(`user-${i}`, 'flagrollout')
    assert.ok(b >= 0 && b < 1)
    assert.equal(Math.round(b * 100) / 100, b)
    seen.add(b)
  }
  assert.equal(seen.size, 100)
})
