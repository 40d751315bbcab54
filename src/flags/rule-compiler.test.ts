import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import fc from 'fast-check'
import { jsonLogic } from './json-logic.js'
import { lowercaseLeaves } from './lowercase.js'
import { compileLogic } from './rule-compiler.js'
import { ContextReadError, RuleInput } from './rule-input.js'

// The reference: what Mixpanel's Node SDK computes. A json-logic-js instance of its own (apart from
// the one eventwire adds its operations to, loaded first), with Mixpanel's operations added by the
// SDK's own module, and the SDK's own lower-casing of the rule and of the custom properties.
const ours = jsonLogic()
const require = createRequire(import.meta.url)
delete require.cache[require.resolve('json-logic-js')]
delete require.cache[require.resolve('mixpanel/lib/flags/custom_operators.js')]
const reference = require('json-logic-js') as typeof ours
require('mixpanel/lib/flags/custom_operators.js')
const mixpanelUtils = require('mixpanel/lib/flags/utils.js') as {
  lowercaseAllKeysAndValues(value: unknown): unknown
  lowercaseLeafNodes(value: unknown): unknown
}

type Outcome = { threw: true } | { threw: false; value: unknown }

function outcome(run: () => unknown): Outcome {
  try {
    return { threw: false, value: run() }
  } catch (error) {
    // The properties here are plain data: an error is the rule's, never one reading the context.
    assert.ok(!(error instanceof ContextReadError), String(error))
    return { threw: true }
  }
}

/** Mixpanel's Node SDK: `apply(lowercaseLeafNodes(rule), lowercaseAllKeysAndValues(properties))`. */
function expected(rule: unknown, properties: unknown): Outcome {
  const params =
    !properties || typeof properties !== 'object' ? null : mixpanelUtils.lowercaseAllKeysAndValues(properties)
  return outcome(() => reference.apply(mixpanelUtils.lowercaseLeafNodes(rule) as never, params as never))
}

function compiled(rule: unknown, properties: unknown): Outcome {
  const logic = compileLogic(lowercaseLeaves(rule))
  assert.ok(logic, `not compiled: ${JSON.stringify(rule)}`)
  const input = new RuleInput()
  input.reset({ custom_properties: properties })
  return outcome(() => logic(input))
}

function assertSame(rule: unknown, properties: unknown): void {
  assert.deepEqual(
    compiled(rule, properties),
    expected(rule, properties),
    JSON.stringify({ rule, properties }),
  )
}

test('the reference is a json-logic-js of its own, with Mixpanel’s operations', () => {
  assert.notEqual(reference, ours)
  assert.equal(reference.apply({ semver_compare: ['2.1.0', '>', '2.0.9'] } as never), true)
})

// Literals of every JSON type. Strings include path-like ones (for var and missing), versions,
// dates, and text whose lower-case form is longer ('İ').
const STRINGS = ['', 'a', 'A', 'b', 'Plan', 'list', 'list.0', 'obj', 'obj.a', 'obj.B.c', 's.length', 's.0']
  .concat(['n', 'nope', 'constructor', 'constructor.caller', 'list.map.caller', '__proto__', 'current'])
  .concat(['accumulator', '0', '1', 'true', 'null'])
  .concat([
    'İ',
    'ABC',
    '1.2.3',
    'v2.1',
    '2.1.0-rc.1',
    '2024-01-01T00:00:00Z',
    ' 1 ',
    '1e3',
    '[object object]',
  ])
const COMPARATORS = ['===', '!==', '<', '<=', '>', '>=', '==', 'bogus']
const KEYS = ['a', 'A', 'b', 'Plan', 'plan', 'PLAN', 'list', 'obj', 's', 'S', 'n', '', 'İ', 'app_version']
const OPERATIONS = ['==', '===', '!=', '!==', '>', '>=', '<', '<=', '!!', '!', '%', 'in', 'cat', 'substr']
  .concat(['+', '*', '-', '/', 'min', 'max', 'merge', 'var', 'missing', 'missing_some'])
  .concat(['if', '?:', 'and', 'or', 'filter', 'map', 'reduce', 'all', 'none', 'some'])
  .concat(['semver_compare', 'datetime_compare', 'nope', 'toString', 'hasOwnProperty', '__proto__', '.x'])

const primitive = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...STRINGS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 3 }) },
  { weight: 2, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(-0, 0.5, -1.5, 1e21, 1_700_000_000_000) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
)

const { rule, operation } = fc.letrec<{ rule: unknown; args: unknown; operation: unknown; data: unknown }>(
  (tie) => ({
    rule: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 3, arbitrary: primitive },
      { weight: 1, arbitrary: tie('data') },
      { weight: 1, arbitrary: fc.array(tie('rule'), { maxLength: 3 }) },
      { weight: 4, arbitrary: tie('operation') },
    ),
    // An operation's arguments: a list, or a single value (the unary form).
    args: fc.oneof(
      { weight: 4, arbitrary: fc.array(tie('rule'), { maxLength: 4 }) },
      { weight: 1, arbitrary: tie('rule') },
    ),
    operation: fc.oneof(
      {
        weight: 8,
        arbitrary: fc
          .tuple(fc.constantFrom(...OPERATIONS), tie('args'))
          .map(([op, args]) => ({ [op]: args })),
      },
      { weight: 2, arbitrary: fc.constantFrom(...STRINGS).map((path) => ({ var: path })) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...STRINGS), tie('rule'))
          .map(([path, fallback]) => ({ var: [path, fallback] })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom('map', 'filter', 'reduce', 'all', 'none', 'some'), tie('rule'), tie('rule'))
          .map(([op, logic, initial]) => ({ [op]: [{ var: 'list' }, logic, initial] })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            fc.constantFrom('semver_compare', 'datetime_compare'),
            fc.oneof(fc.constant({ var: 'app_version' }), tie('rule')),
            fc.constantFrom(...COMPARATORS),
            fc.oneof(primitive, tie('rule')),
          )
          .map(([op, actual, comparator, target]) => ({ [op]: [actual, comparator, target] })),
      },
    ),
    // Objects that are not operations: none or several keys.
    data: fc.oneof(
      fc.constant({}),
      fc.dictionary(fc.constantFrom(...KEYS), tie('rule'), { minKeys: 2, maxKeys: 3 }),
    ),
  }),
)

const { properties } = fc.letrec<{ properties: unknown; value: unknown }>((tie) => ({
  properties: fc.oneof(
    { weight: 6, arbitrary: fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 6 }) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, null, 'text', 0, 1) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }) },
  ),
  value: fc.oneof(
    { depthSize: 'small' },
    primitive,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 3 }),
  ),
}))

test('compiled rules give json-logic-js’s answers, throws included, on generated rules and properties', () => {
  fc.assert(
    fc.property(fc.oneof(operation, rule), properties, (r, p) => assertSame(r, p)),
    { numRuns: 20_000 },
  )
})

test('one compiled rule, many properties: nothing carries over from one evaluation to the next', () => {
  fc.assert(
    fc.property(operation, fc.array(properties, { minLength: 2, maxLength: 5 }), (r, list) => {
      const logic = compileLogic(lowercaseLeaves(r))!
      const input = new RuleInput()
      for (const p of list) {
        input.reset({ custom_properties: p })
        assert.deepEqual(
          outcome(() => logic(input)),
          expected(r, p),
          JSON.stringify({ r, p }),
        )
      }
    }),
    { numRuns: 2_000 },
  )
})

const FIXED_PROPERTIES = {
  Plan: 'Premium',
  PLAN: 'Free',
  list: ['A', 'b', 3],
  obj: { a: 1, B: { c: 'X' } },
  one: { nope: 1 },
  s: 'İx',
  n: 0,
  empty: '',
  app_version: 'v2.1',
}

test('edge cases: object literals, loose equality, identity, paths, unknown operations', () => {
  const cases: Array<[rule: unknown, answer: unknown]> = [
    [{ '!=': [{}, 1] }, true],
    [{ '==': [{}, 1] }, false],
    [{ '==': [null, 0] }, false],
    [{ '==': [null, undefined] }, true],
    [{ '==': [0, ''] }, true],
    [{ '==': ['1', 1] }, true],
    [{ '==': [[], false] }, true],
    [{ '==': [[1], [1]] }, false],
    [{ cat: [{}, 'X', null, [1, [2]]] }, '[object Object]x1,2'],
    [{ '+': [{}] }, Number.NaN],
    [{ '+': ['1', '2.5'] }, 3.5],
    [{ '*': ['3'] }, '3'],
    [{ '-': [3] }, -3],
    [{ in: ['b', { var: 'list' }] }, true],
    [{ in: ['x', {}] }, false],
    [{ in: ['RE', { var: 'plan' }] }, true],
    [{ '!!': [[]] }, false],
    [{ '!': {} }, false],
    [{ '<': [1, 2, 3] }, true],
    [{ '<': [1, 3, 2] }, false],
    [{ '<=': [1, 1, 1] }, true],
    [{ var: 'plan' }, 'free'],
    [{ var: 'obj.b.c' }, 'x'],
    [{ var: 'list.1' }, 'b'],
    [{ var: 'list.length' }, 3],
    [{ var: 's.length' }, 3],
    [{ var: ['missing', 'Default'] }, 'default'],
    [{ var: ['n', 5] }, 0],
    [{ var: 'constructor' }, Object],
    [{ '==': [{ var: 'obj' }, { var: 'obj' }] }, true],
    [{ '===': [{ var: 'obj.b' }, { var: 'obj.b' }] }, true],
    [{ missing: ['plan', 'empty', 'nope', 'n'] }, ['empty', 'nope']],
    [{ missing_some: [1, ['plan', 'nope']] }, []],
    [{ missing_some: [2, ['plan', 'nope']] }, ['nope']],
    [{ merge: [{}, [1, [2]]] }, [{}, 1, [2]]],
    [{ substr: ['abcdef', 1, -2] }, 'bcd'],
    [{ reduce: [{ var: 'list' }, { cat: [{ var: 'accumulator' }, { var: 'current' }] }, ''] }, 'ab3'],
    [{ if: [] }, null],
    [{ and: [] }, undefined],
    [{ semver_compare: [{ var: 'app_version' }, '>=', '2.1.0'] }, true],
  ]
  for (const [r, answer] of cases) {
    assert.deepEqual(compiled(r, FIXED_PROPERTIES), { threw: false, value: answer }, JSON.stringify(r))
    assertSame(r, FIXED_PROPERTIES)
  }
  const throwing: unknown[] = [
    { nope: [1] },
    { toString: [] },
    { '*': [] },
    { '==': [1, 1, { nope: [] }] },
    { missing: { var: 'one' } },
    { missing_some: [] },
    { var: 'constructor.caller' },
    { var: 'list.map.caller' },
  ]
  for (const r of throwing) {
    assert.deepEqual(compiled(r, FIXED_PROPERTIES), { threw: true }, JSON.stringify(r))
    assertSame(r, FIXED_PROPERTIES)
  }
})

test('a property named __proto__ is an ordinary key; properties keep their last spelling', () => {
  const properties = JSON.parse('{"__proto__": {"x": "Y"}, "Key": 1, "KEY": 2}')
  for (const r of [{ var: '__proto__.x' }, { var: 'key' }, { var: '__proto__' }, { var: 'constructor' }]) {
    assertSame(r, properties)
  }
  assert.deepEqual(compiled({ var: '__proto__.x' }, properties), { threw: false, value: 'y' })
  assert.deepEqual(compiled({ var: 'key' }, properties), { threw: false, value: 2 })
})

test('log and dotted operation names are left to json-logic-js', () => {
  assert.equal(compileLogic({ log: [1] }), undefined)
  assert.equal(compileLogic({ and: [true, { '==.prototype.constructor': [1, 1] }] }), undefined)
  assert.notEqual(compileLogic({ '.x': [1] }), undefined)
})
