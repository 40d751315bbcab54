import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ConfigError } from '../errors/index.js'
import { parseRetryAfter, RetryPolicy } from './retry-policy.js'

describe('RetryPolicy', () => {
  test('backs off exponentially with full jitter, capped', () => {
    const top = new RetryPolicy({ retryBackoffFactor: 0.25, maxRetryDelayMs: 1500 }, () => 0.999999)
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => top.delayMs(n)),
      [249, 499, 999, 1499, 1499],
    )
    const half = new RetryPolicy({}, () => 0.5)
    assert.deepEqual(
      [1, 2, 3].map((n) => half.delayMs(n)),
      [125, 250, 500],
    )
    const zero = new RetryPolicy({}, () => 0)
    assert.equal(zero.delayMs(3), 0)
  })

  test('a server Retry-After wins over the computed backoff', () => {
    const policy = new RetryPolicy({ maxRetryDelayMs: 1000 }, () => 0.5)
    assert.equal(policy.delayMs(1, 5000), 5000)
    assert.equal(policy.delayMs(1, 0), 0)
  })

  test('retries 408, 425, 429 and 5xx by default, not other 4xx', () => {
    const policy = new RetryPolicy()
    for (const status of [408, 425, 429, 500, 502, 503, 504, 599])
      assert.equal(policy.isRetryableStatus(status), true, String(status))
    for (const status of [400, 401, 403, 404, 410, 413, 422])
      assert.equal(policy.isRetryableStatus(status), false, String(status))
  })

  test('customRetryCodes override the defaults both ways', () => {
    const policy = new RetryPolicy({ customRetryCodes: { 400: true, 503: false } })
    assert.equal(policy.isRetryableStatus(400), true)
    assert.equal(policy.isRetryableStatus(503), false)
    assert.equal(policy.hasCustomRule(400), true)
    assert.equal(policy.hasCustomRule(500), false)
  })

  test('invalid options name the option', () => {
    assert.throws(
      () => new RetryPolicy({ retryLimit: -1 }),
      (e: unknown) => e instanceof ConfigError && e.option === 'retryLimit',
    )
    assert.throws(() => new RetryPolicy({ retryBackoffFactor: Number.NaN }), { option: 'retryBackoffFactor' })
    assert.throws(() => new RetryPolicy({ customRetryCodes: { 42: true } }), { option: 'customRetryCodes' })
  })
})

describe('parseRetryAfter', () => {
  test('reads delta seconds and HTTP dates', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0)
    assert.equal(parseRetryAfter('2', now), 2000)
    assert.equal(parseRetryAfter(['1.5'], now), 1500)
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now), 10_000)
    assert.equal(parseRetryAfter(undefined, now), undefined)
    assert.equal(parseRetryAfter('soon', now), undefined)
  })
})
