/**
 * The operations of json-logic-js 2.0.5, the engine Mixpanel's Node SDK evaluates runtime rules
 * with, written out so that compiled rules give exactly its answers: the same JavaScript operators
 * and coercions on the same values, in the same order. The type casts below only quiet the type
 * checker; at run time every operator sees the value as it is, as in json-logic-js.
 */
import { datetimeCompare, semverCompare } from './runtime-operators.js'

/** json-logic-js's truthiness: JavaScript's, except that an empty array is false. */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value) && value.length === 0) return false
  return !!value
}

/** json-logic-js's `is_logic`: an object, not an array, with exactly one key is an operation. */
export function isLogic(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1
  )
}

/** The descent of `var` through `data` along `parts` (a path split on dots). */
export function walkPath(data: unknown, parts: readonly string[], notFound: unknown): unknown {
  for (let i = 0; i < parts.length; i++) {
    if (data === null || data === undefined) return notFound
    data = (data as Record<string, unknown>)[parts[i]!]
    if (data === undefined) return notFound
  }
  return data
}

/** `{"var": [path, default]}` over plain `data`. */
export function readVar(data: unknown, path: unknown, fallback: unknown): unknown {
  const notFound = fallback === undefined ? null : fallback
  if (path === undefined || path === '' || path === null) return data
  return walkPath(data, String(path).split('.'), notFound)
}

type Num = number

/** Operations that read at most three arguments; further arguments are evaluated and ignored. */
export const FIXED_OPERATIONS: ReadonlyMap<string, (a: unknown, b: unknown, c: unknown) => unknown> = new Map<
  string,
  (a: unknown, b: unknown, c: unknown) => unknown
>([
  // biome-ignore lint/suspicious/noDoubleEquals: json-logic-js's loose equality
  ['==', (a, b) => a == b],
  ['===', (a, b) => a === b],
  // biome-ignore lint/suspicious/noDoubleEquals: json-logic-js's loose inequality
  ['!=', (a, b) => a != b],
  ['!==', (a, b) => a !== b],
  ['>', (a, b) => (a as Num) > (b as Num)],
  ['>=', (a, b) => (a as Num) >= (b as Num)],
  [
    '<',
    (a, b, c) =>
      c === undefined ? (a as Num) < (b as Num) : (a as Num) < (b as Num) && (b as Num) < (c as Num),
  ],
  [
    '<=',
    (a, b, c) =>
      c === undefined ? (a as Num) <= (b as Num) : (a as Num) <= (b as Num) && (b as Num) <= (c as Num),
  ],
  ['!!', (a) => truthy(a)],
  ['!', (a) => !truthy(a)],
  ['%', (a, b) => (a as Num) % (b as Num)],
  ['-', (a, b) => (b === undefined ? -(a as Num) : (a as Num) - (b as Num))],
  ['/', (a, b) => (a as Num) / (b as Num)],
  ['in', (a, b) => inOperation(a, b)],
  ['substr', (source, start, end) => substr(source, start, end)],
])

/** Operations over all their arguments. */
export const VARIADIC_OPERATIONS: ReadonlyMap<string, (args: unknown[]) => unknown> = new Map<
  string,
  (args: unknown[]) => unknown
>([
  ['cat', (args) => args.join('')],
  ['+', (args) => args.reduce((a, b) => parseFloat(a as string) + parseFloat(b as string), 0)],
  // No initial value: no arguments throws, one argument is returned as it is.
  ['*', (args) => args.reduce((a, b) => parseFloat(a as string) * parseFloat(b as string))],
  ['min', (args) => Math.min(...(args as Num[]))],
  ['max', (args) => Math.max(...(args as Num[]))],
  ['merge', (args) => args.reduce<unknown[]>((a, b) => a.concat(b), [])],
  ['semver_compare', (args) => semverCompare(...args)],
  ['datetime_compare', (args) => datetimeCompare(...args)],
])

/** `in`: membership in an array, or a substring of a string. */
export function inOperation(a: unknown, b: unknown): boolean {
  if (!b || typeof (b as { indexOf?: unknown }).indexOf === 'undefined') return false
  return (b as { indexOf(x: unknown): number }).indexOf(a) !== -1
}

function substr(source: unknown, start: unknown, end: unknown): string {
  // substr (not slice) for its own argument coercions. A negative length counts from the end, as in PHP.
  if ((end as Num) < 0) {
    const temp = String(source).substr(start as Num)
    return temp.substr(0, temp.length + (end as Num))
  }
  return String(source).substr(start as Num, end as Num)
}
