import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toFlagContext } from './context.js'

test('attributes pass through as is; Dates become ISO strings at any depth', () => {
  const nested = { plan: 'premium', tags: ['a', 'b'] }
  const context = toFlagContext(
    {
      targetingKey: 'user-1',
      distinct_id: 'd-1',
      seats: 4,
      custom_properties: nested,
      signup: new Date('2024-02-03T04:05:06.000Z'),
      dates: { at: [new Date(0)] },
    },
    'none',
  )
  assert.deepEqual(
    { ...context, dates: { ...(context.dates as object) } },
    {
      targetingKey: 'user-1',
      distinct_id: 'd-1',
      seats: 4,
      custom_properties: nested,
      signup: '2024-02-03T04:05:06.000Z',
      dates: { at: ['1970-01-01T00:00:00.000Z'] },
    },
  )
  assert.equal(context.custom_properties, nested, 'objects without Dates are not copied')
})

test('targetingKey becomes distinct_id only when asked and when distinct_id is absent', () => {
  assert.equal(toFlagContext({ targetingKey: 'user-1' }, 'none').distinct_id, undefined)
  assert.equal(toFlagContext({ targetingKey: 'user-1' }, 'distinct_id').distinct_id, 'user-1')
  assert.equal(
    toFlagContext({ targetingKey: 'user-1', distinct_id: 'other' }, 'distinct_id').distinct_id,
    'other',
  )
  assert.equal(
    toFlagContext({ targetingKey: 'user-1', distinct_id: '' }, 'distinct_id').distinct_id,
    'user-1',
  )
  assert.deepEqual(toFlagContext(undefined, 'distinct_id'), {})
})
