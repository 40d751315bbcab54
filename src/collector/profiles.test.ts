import assert from 'node:assert/strict'
import { test } from 'node:test'
import { applyUpdate } from './profiles.js'

test('operations in one record apply in Mixpanel order', () => {
  const current = { a: 1, list: [1, 2, 2, 3], n: 'x' }
  const next = applyUpdate(current, {
    $unset: ['a'],
    $remove: { list: 2 },
    $union: { list: [3, 4] },
    $append: { list: 5 },
    $add: { n: 1, m: 2 },
    $set_once: { a: 'once', b: 'once' },
    $set: { a: 'set' },
  })
  // $set → $set_once → $add → $append → $union → $remove → $unset
  assert.deepEqual(next, { list: [1, 3, 5, 4], n: 'x', m: 2, b: 'once' })
  assert.deepEqual(current, { a: 1, list: [1, 2, 2, 3], n: 'x' }, 'the input is not modified')
})

test('$union compares objects by content; $delete removes the profile', () => {
  assert.deepEqual(applyUpdate(undefined, { $union: { o: [{ a: 1 }, { a: 1 }, { a: 2 }] } }), {
    o: [{ a: 1 }, { a: 2 }],
  })
  assert.equal(applyUpdate({ a: 1 }, { $delete: '', $set: { b: 2 } }), undefined)
  assert.deepEqual(applyUpdate(undefined, { $add: { x: 'nope' } }), {})
})
