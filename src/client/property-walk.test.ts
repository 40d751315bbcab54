import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ValidationError } from '../errors/index.js'
import { IsoDates } from './dates.js'
import { LIMITS } from './limits.js'
import { PropertyWalk, sanitizeProperties } from './property-walk.js'

function rejects(value: unknown, code: string, path?: string) {
  assert.throws(
    () => sanitizeProperties({ value }),
    (error: unknown) => {
      assert.ok(error instanceof ValidationError)
      assert.equal(error.code, code)
      if (path !== undefined) assert.equal(error.path, path)
      return true
    },
  )
}

describe('sanitizeProperties', () => {
  test('keeps plain JSON values unchanged', () => {
    const nested = { a: [1, 'x', true, null], b: { c: 2 } }
    const out = sanitizeProperties({ s: 's', n: 1.5, t: true, z: null, nested })
    assert.deepEqual(out, { s: 's', n: 1.5, t: true, z: null, nested })
    assert.equal(out.nested, nested, 'already JSON-safe nested values are shared, not copied')
  })

  test('maps every documented non-JSON type', () => {
    class Money {
      toJSON() {
        return { cents: 150 }
      }
    }
    const out = sanitizeProperties({
      date: new Date(Date.UTC(2024, 1, 3, 4, 5, 6, 7)),
      small: 42n,
      huge: 2n ** 80n,
      map: new Map<unknown, unknown>([
        ['k', 1],
        [2, new Date(0)],
      ]),
      set: new Set(['a', 'b']),
      typed: new Uint8Array([1, 2, 3]),
      floats: new Float64Array([0.5]),
      buffer: Buffer.from('hi'),
      arrayBuffer: new Uint8Array([255]).buffer,
      undef: undefined,
      list: [undefined, Number.NaN, Number.POSITIVE_INFINITY, -Infinity],
      nan: Number.NaN,
      money: new Money(),
      error: new TypeError('bad'),
      regexp: /a+/g,
    })
    assert.deepEqual(out, {
      date: '2024-02-03T04:05:06.007Z',
      small: 42,
      huge: '1208925819614629174706176',
      map: { k: 1, '2': '1970-01-01T00:00:00.000Z' },
      set: ['a', 'b'],
      typed: [1, 2, 3],
      floats: [0.5],
      buffer: 'aGk=',
      arrayBuffer: '/w==',
      list: [null, null, null, null],
      nan: null,
      money: { cents: 150 },
      error: 'TypeError: bad',
      regexp: '/a+/g',
    })
    assert.ok(!('undef' in out), 'undefined properties are omitted')
  })

  test('rejects functions, symbols, invalid dates and circular references with the path', () => {
    rejects(() => 1, 'EVENTWIRE_INVALID_PROPERTY', 'properties.value')
    rejects(Symbol('s'), 'EVENTWIRE_INVALID_PROPERTY', 'properties.value')
    rejects(new Date(Number.NaN), 'EVENTWIRE_INVALID_PROPERTY', 'properties.value')
    const loop: Record<string, unknown> = { a: 1 }
    loop.self = loop
    rejects(loop, 'EVENTWIRE_INVALID_PROPERTY', 'properties.value.self')
    rejects([{ f: () => 1 }], 'EVENTWIRE_INVALID_PROPERTY', 'properties.value[0].f')
  })

  test('a __proto__ key is kept as a property, not turned into a prototype', () => {
    const input = JSON.parse(
      '{"__proto__": {"x": 1}, "nested": {"__proto__": 2, "d": new Date(0)}}'.replace('new Date(0)', '0'),
    )
    const out = sanitizeProperties(input)
    assert.equal(JSON.stringify(out), '{"__proto__":{"x":1},"nested":{"__proto__":2,"d":0}}')
    assert.equal(Object.getPrototypeOf(out), Object.prototype)
    const withDate = sanitizeProperties(JSON.parse('{"n": {"__proto__": 1, "later": 2}}'))
    assert.equal(JSON.stringify(withDate), '{"n":{"__proto__":1,"later":2}}')
  })

  test('a shared (non-circular) object is allowed twice', () => {
    const shared = { x: 1 }
    assert.deepEqual(sanitizeProperties({ a: shared, b: [shared] }), { a: { x: 1 }, b: [{ x: 1 }] })
  })

  test("enforces Mixpanel's nesting, list and property-count limits", () => {
    assert.doesNotThrow(() => sanitizeProperties({ a: { b: { c: { d: 1 } } } }))
    rejects({ b: { c: { d: {} } } }, 'EVENTWIRE_LIMIT_EXCEEDED', 'properties.value.b.c.d')
    rejects(
      Array.from({ length: LIMITS.maxCollection + 1 }, () => 1),
      'EVENTWIRE_LIMIT_EXCEEDED',
    )
    const many = Object.fromEntries(Array.from({ length: LIMITS.maxProperties + 1 }, (_, i) => [`p${i}`, i]))
    assert.throws(() => sanitizeProperties(many), { code: 'EVENTWIRE_LIMIT_EXCEEDED' })
  })

  test('rejects properties that are not an object', () => {
    assert.throws(() => sanitizeProperties([1, 2]), { code: 'EVENTWIRE_INVALID_ARGUMENT' })
    assert.throws(() => sanitizeProperties('x'), { code: 'EVENTWIRE_INVALID_ARGUMENT' })
    assert.deepEqual(sanitizeProperties(undefined), {})
  })
})

describe('PropertyWalk snapshot', () => {
  test('copies every object and list; keys named like Object methods are kept, inherited ones left out', () => {
    const nested = { hasOwnProperty: 'n', list: [1, { toString: 's' }] }
    const input = { hasOwnProperty: 'own', constructor: 1, nested, when: new Date(0) }
    Object.defineProperty(Object.prototype, 'inherited', { value: 'x', enumerable: true, configurable: true })
    const walk = new PropertyWalk(true, new IsoDates())
    let out: Record<string, unknown>
    try {
      out = walk.walk(input)
    } finally {
      delete (Object.prototype as Record<string, unknown>).inherited
    }
    assert.equal(
      JSON.stringify(out),
      '{"hasOwnProperty":"own","constructor":1,"nested":{"hasOwnProperty":"n","list":[1,{"toString":"s"}]},"when":"1970-01-01T00:00:00.000Z"}',
    )
    assert.equal(walk.count, 4, 'the inherited key is not counted')
    nested.list.push(2)
    nested.hasOwnProperty = 'changed'
    assert.equal(JSON.stringify((out.nested as Record<string, unknown>).list), '[1,{"toString":"s"}]')
    assert.equal((out.nested as Record<string, unknown>).hasOwnProperty, 'n')
  })
})
