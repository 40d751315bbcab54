import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode } from '@openfeature/server-sdk'
import type { VariantResult } from '../flags/index.js'
import { matchesType, toResolution } from './resolution.js'

const local = (value: unknown, extra: Partial<VariantResult> = {}): VariantResult => ({
  variantKey: 'v',
  value,
  source: 'local',
  ...extra,
})
const fallback = (reason: VariantResult['reason'], message?: string): VariantResult => ({
  variantKey: undefined,
  value: 'ignored',
  source: 'fallback',
  reason,
  message,
})

test('type rules: booleans are never numbers; any finite number serves a number request', () => {
  assert.equal(matchesType(true, 'boolean'), true)
  assert.equal(matchesType('true', 'boolean'), false)
  assert.equal(matchesType(3, 'number'), true)
  assert.equal(matchesType(3.0, 'number'), true)
  assert.equal(matchesType(0.25, 'number'), true)
  assert.equal(matchesType(true, 'number'), false)
  assert.equal(matchesType('42', 'number'), false)
  assert.equal(matchesType(Number.NaN, 'number'), false)
  assert.equal(matchesType('x', 'string'), true)
  assert.equal(matchesType(1, 'string'), false)
  assert.equal(matchesType({ a: 1 }, 'object'), true)
  assert.equal(matchesType([1], 'object'), true)
  assert.equal(matchesType(null, 'object'), false)
  assert.equal(matchesType('{}', 'object'), false)
})

test('a variant of the requested type resolves with variant, TARGETING_MATCH and metadata', () => {
  const details = toResolution(
    'f',
    local(7, { experimentId: 'e', isExperimentActive: false, isQaTester: true }),
    0,
    'number',
  )
  assert.deepEqual(details, {
    value: 7,
    variant: 'v',
    reason: 'TARGETING_MATCH',
    flagMetadata: { source: 'local', experimentId: 'e', isExperimentActive: false, isQaTester: true },
  })
  assert.deepEqual(toResolution('f', local('x', { source: 'remote' }), '', 'string').flagMetadata, {
    source: 'remote',
  })
})

test('fallback reasons map to the seed error codes and reasons', () => {
  const cases: Array<[VariantResult, ErrorCode | undefined, string]> = [
    [fallback('NO_ROLLOUT_MATCH'), undefined, 'DEFAULT'],
    [fallback('FLAG_NOT_FOUND'), ErrorCode.FLAG_NOT_FOUND, 'DEFAULT'],
    [fallback('MISSING_CONTEXT_KEY', 'device_id'), ErrorCode.TARGETING_KEY_MISSING, 'ERROR'],
    [fallback('NOT_READY'), ErrorCode.PROVIDER_NOT_READY, 'ERROR'],
    [fallback('BACKEND_ERROR', 'HTTP 500: down'), ErrorCode.GENERAL, 'ERROR'],
    [local('text'), ErrorCode.TYPE_MISMATCH, 'ERROR'],
  ]
  for (const [result, code, reason] of cases) {
    const details = toResolution('f', result, false, 'boolean')
    assert.equal(details.value, false)
    assert.equal(details.errorCode, code, result.reason)
    assert.equal(details.reason, reason, result.reason)
    assert.equal(details.variant, undefined)
    assert.equal(details.errorMessage === undefined, code === undefined)
  }
  assert.match(
    toResolution('f', fallback('MISSING_CONTEXT_KEY', 'device_id'), 0, 'number').errorMessage!,
    /"device_id"/,
  )
  assert.equal(
    toResolution('f', fallback('BACKEND_ERROR', 'HTTP 500: down'), 0, 'number').errorMessage,
    'HTTP 500: down',
  )
  assert.match(
    toResolution('f', local('text'), false, 'boolean').errorMessage!,
    /a string value .* not a boolean/,
  )
  assert.match(toResolution('f', local(1), {}, 'object').errorMessage!, /a number value .* not an object/)
})
