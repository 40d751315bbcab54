import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isValidInsertId, newInsertId } from './ids.js'

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

test('insert ids are distinct UUID v4s, also across refills of the random pool', () => {
  const seen = new Set<string>()
  const variants = new Set<string>()
  for (let i = 0; i < 5000; i++) {
    const id = newInsertId()
    assert.match(id, UUID_V4)
    assert.ok(isValidInsertId(id))
    seen.add(id)
    variants.add(id[19]!)
  }
  assert.equal(seen.size, 5000)
  assert.deepEqual([...variants].sort(), ['8', '9', 'a', 'b'])
})

test('every hex digit appears in every random position', () => {
  const digits = Array.from({ length: 36 }, () => new Set<string>())
  for (let i = 0; i < 2000; i++) {
    const id = newInsertId()
    for (let c = 0; c < 36; c++) digits[c]!.add(id[c]!)
  }
  for (let c = 0; c < 36; c++) {
    if (c === 8 || c === 13 || c === 18 || c === 23) assert.deepEqual([...digits[c]!], ['-'])
    else if (c === 14) assert.deepEqual([...digits[c]!], ['4'])
    else if (c !== 19) assert.equal(digits[c]!.size, 16, `position ${c}`)
  }
})
