import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError } from '../errors/index.js'
import { suggestOptionName } from './option-hints.js'
import { checkOptions, optionList } from './validate.js'

const NAMES = ['apiHost', 'batchSize', 'flushIntervalMs', 'store', 'retryLimit', 'token', 'redis']

test('the same name spelt differently: case, snake case, kebab case, a missing Ms', () => {
  assert.equal(suggestOptionName('batch_size', NAMES, 'same'), 'batchSize')
  assert.equal(suggestOptionName('BATCH-SIZE', NAMES, 'same'), 'batchSize')
  assert.equal(suggestOptionName('flush_interval', NAMES, 'same'), 'flushIntervalMs')
  assert.equal(suggestOptionName('retrylimit', NAMES, 'same'), 'retryLimit')
  assert.equal(suggestOptionName('host', NAMES, 'same'), undefined)
})

test("other SDKs' names: the first candidate the object knows", () => {
  assert.equal(suggestOptionName('host', NAMES, 'other'), 'apiHost')
  assert.equal(suggestOptionName('url', NAMES, 'other'), 'redis')
  assert.equal(suggestOptionName('event_store', NAMES, 'other'), 'store')
  assert.equal(suggestOptionName('flushAt', NAMES, 'other'), 'batchSize')
  assert.equal(suggestOptionName('url', ['endpoint'], 'other'), 'endpoint')
})

test('near misses within a distance that grows with the length; nothing for unrelated names', () => {
  assert.equal(suggestOptionName('tokn', NAMES, 'close'), 'token')
  assert.equal(suggestOptionName('stroe', NAMES, 'close'), 'store')
  assert.equal(suggestOptionName('flushIntervalMsec', NAMES, 'close'), 'flushIntervalMs')
  assert.equal(suggestOptionName('colour', NAMES, 'close'), undefined)
})

test('checkOptions: a surer suggestion among the options of another object wins over a near miss', () => {
  interface Opts {
    maxBatchSize?: number
  }
  const names = optionList<Opts>()({ maxBatchSize: true })
  const error = (() => {
    try {
      checkOptions({ batchSize: 1 }, names, 'Thing', { elsewhere: { batchSize: 'an option of Other' } })
    } catch (e) {
      return e as ConfigError
    }
    assert.fail('expected a ConfigError')
  })()
  assert.ok(error instanceof ConfigError)
  assert.equal(error.message, '"batchSize" is not an option of Thing: an option of Other')
  assert.equal(error.suggestion, 'batchSize')
})

test('checkOptions accepts undefined (unless required), refuses null, arrays, primitives and unreadable objects', () => {
  const names = { a: true } as const
  checkOptions(undefined, names, 'Thing')
  checkOptions({ a: 1 }, names, 'Thing')
  assert.throws(() => checkOptions(undefined, names, 'Thing', { required: true }), { option: 'options' })
  for (const bad of [null, [], 'x', 3, true]) {
    assert.throws(() => checkOptions(bad, names, 'Thing'), {
      code: 'EVENTWIRE_INVALID_OPTION',
      option: 'options',
      message: /^Invalid option "options": Thing expects an options object/,
    })
  }
  const revocable = Proxy.revocable({}, {})
  revocable.revoke()
  assert.throws(() => checkOptions(revocable.proxy, names, 'Thing'), {
    option: 'options',
    message: /could not read its options object/,
  })
})
