import { jsonLogic, type RulesLogic } from './json-logic.js'
import {
  FIXED_OPERATIONS,
  inOperation,
  isLogic,
  readVar,
  truthy,
  VARIADIC_OPERATIONS,
  walkPath,
} from './json-logic-operations.js'
import type { RuleInput } from './rule-input.js'
import { datetimeMatcher, semverMatcher } from './runtime-operators.js'

/**
 * A compiled part of a rule: its value given `data`, the current item inside `map`, `filter`,
 * `reduce`, `all`, `none` and `some`, and the rule's input, which the rest of the rule reads.
 */
type Node = (data: unknown, input: RuleInput) => unknown

/** A compiled rule: json-logic-js's value of the rule for the input, and a throw where it throws. */
export type CompiledLogic = (input: RuleInput) => unknown

const UNDEFINED: Node = () => undefined

/**
 * Compiles a runtime rule, already lower-cased, into plain functions with json-logic-js 2.0.5's
 * semantics (Mixpanel's operation set: the standard one, `semver_compare` and `datetime_compare`).
 * Returns undefined for what only json-logic-js itself can do: `log`, which prints, and operation
 * names with a dot, which look into json-logic-js's own operation table.
 */
export function compileLogic(rule: unknown): CompiledLogic | undefined {
  let node: Node
  try {
    node = compile(rule, false)
  } catch {
    // Unsupported, or nested too deeply for the stack: json-logic-js evaluates it.
    return undefined
  }
  return (input) => node(undefined, input)
}

class Unsupported extends Error {}

// `scoped`: inside the logic of map, filter..., where `var` reads the current item rather than the
// rule's input.
function compile(logic: unknown, scoped: boolean): Node {
  if (Array.isArray(logic)) {
    // A new array on every evaluation, as json-logic-js maps it.
    const items = logic.map((item) => compile(item, scoped))
    return (data, input) => items.map((item) => item(data, input))
  }
  // Anything but an object with exactly one key is data, returned as it is.
  if (!isLogic(logic)) return () => logic
  const op = Object.keys(logic)[0]!
  const raw = logic[op]
  const values: unknown[] = Array.isArray(raw) ? raw : [raw]
  switch (op) {
    case 'if':
    case '?:':
      return compileIf(values.map((v) => compile(v, scoped)))
    case 'and':
      return compileAnd(values.map((v) => compile(v, scoped)))
    case 'or':
      return compileOr(values.map((v) => compile(v, scoped)))
    case 'filter':
    case 'map':
    case 'reduce':
    case 'all':
    case 'none':
    case 'some':
      return compileIteration(op, values, scoped)
  }
  const args = values.map((v) => compile(v, scoped))
  switch (op) {
    case 'var':
      return compileVar(values, args, scoped)
    case 'missing':
      return (data, input) => missing(evaluate(args, data, input), data, input, scoped)
    case 'missing_some':
      return compileMissingSome(args, scoped)
    case 'in':
      // A literal list is built once: `in` only searches it.
      if (args.length === 2 && Array.isArray(values[1]) && values[1].every(isConstant)) {
        const list: readonly unknown[] = Object.freeze([...values[1]])
        const needle = args[0]!
        return (data, input) => list.indexOf(needle(data, input)) !== -1
      }
      break
    case 'semver_compare':
    case 'datetime_compare':
      // A literal comparator and target are parsed once.
      if (args.length === 3 && isConstant(values[1]) && isConstant(values[2])) {
        const matches = (op === 'semver_compare' ? semverMatcher : datetimeMatcher)(values[1], values[2])
        const actual = args[0]!
        return (data, input) => matches(actual(data, input))
      }
      break
    case 'log':
      throw new Unsupported(op)
  }
  const fixed = FIXED_OPERATIONS.get(op)
  if (fixed !== undefined) return compileFixed(op, fixed, args)
  const variadic = VARIADIC_OPERATIONS.get(op)
  if (variadic !== undefined) return (data, input) => variadic(evaluate(args, data, input))
  if (op.indexOf('.') > 0) throw new Unsupported(op)
  // Arguments first, as json-logic-js evaluates them before it looks the operation up.
  return (data, input) => {
    evaluate(args, data, input)
    throw new Error(`Unrecognized operation ${op}`)
  }
}

// A value json-logic-js returns as it is: not an operation, not an array (which it maps).
function isConstant(value: unknown): boolean {
  return !Array.isArray(value) && !isLogic(value)
}

function evaluate(args: readonly Node[], data: unknown, input: RuleInput): unknown[] {
  return args.map((arg) => arg(data, input))
}

function compileFixed(
  op: string,
  fn: (a: unknown, b: unknown, c: unknown) => unknown,
  args: readonly Node[],
): Node {
  const [a = UNDEFINED, b = UNDEFINED, c = UNDEFINED] = args
  if (args.length > 3) {
    const rest = args.slice(3)
    return (data, input) => {
      const x = a(data, input)
      const y = b(data, input)
      const z = c(data, input)
      for (const arg of rest) arg(data, input)
      return fn(x, y, z)
    }
  }
  // The frequent operations get closures of their own, which the engine can inline.
  if (args.length <= 2) {
    switch (op) {
      case '==':
        // biome-ignore lint/suspicious/noDoubleEquals: json-logic-js's loose equality
        return (data, input) => a(data, input) == b(data, input)
      case '===':
        return (data, input) => a(data, input) === b(data, input)
      case 'in':
        return (data, input) => inOperation(a(data, input), b(data, input))
    }
  }
  if (op === '!' && args.length <= 1) return (data, input) => !truthy(a(data, input))
  return (data, input) => fn(a(data, input), b(data, input), c(data, input))
}

function compileIf(branches: readonly Node[]): Node {
  return (data, input) => {
    let i = 0
    for (; i < branches.length - 1; i += 2) {
      if (truthy(branches[i]!(data, input))) return branches[i + 1]!(data, input)
    }
    return branches.length === i + 1 ? branches[i]!(data, input) : null
  }
}

// The first falsy value, or the last.
function compileAnd(terms: readonly Node[]): Node {
  if (terms.length === 2) {
    const [first, second] = terms as [Node, Node]
    return (data, input) => {
      const current = first(data, input)
      return truthy(current) ? second(data, input) : current
    }
  }
  return (data, input) => {
    let current: unknown
    for (const term of terms) {
      current = term(data, input)
      if (!truthy(current)) return current
    }
    return current
  }
}

// The first truthy value, or the last.
function compileOr(terms: readonly Node[]): Node {
  return (data, input) => {
    let current: unknown
    for (const term of terms) {
      current = term(data, input)
      if (truthy(current)) return current
    }
    return current
  }
}

function compileIteration(op: string, values: readonly unknown[], scoped: boolean): Node {
  const source = compile(values[0], scoped)
  // The logic is applied to each item: `var` inside it reads the item.
  const logic = compile(values[1], true)
  switch (op) {
    case 'filter':
      return (data, input) => {
        const items = source(data, input)
        return Array.isArray(items) ? items.filter((item) => truthy(logic(item, input))) : []
      }
    case 'map':
      return (data, input) => {
        const items = source(data, input)
        return Array.isArray(items) ? items.map((item) => logic(item, input)) : []
      }
    case 'reduce': {
      const initial = values[2] !== undefined ? compile(values[2], scoped) : () => null
      return (data, input) => {
        const items = source(data, input)
        const start = initial(data, input)
        if (!Array.isArray(items)) return start
        return items.reduce((accumulator, current) => logic({ current, accumulator }, input), start)
      }
    }
    case 'all':
      // False for no items.
      return (data, input) => {
        const items = source(data, input)
        if (!Array.isArray(items) || items.length === 0) return false
        for (let i = 0; i < items.length; i++) if (!truthy(logic(items[i], input))) return false
        return true
      }
    case 'none':
      return (data, input) => {
        const items = source(data, input)
        if (!Array.isArray(items) || items.length === 0) return true
        for (let i = 0; i < items.length; i++) if (truthy(logic(items[i], input))) return false
        return true
      }
    default:
      // some
      return (data, input) => {
        const items = source(data, input)
        if (!Array.isArray(items) || items.length === 0) return false
        for (let i = 0; i < items.length; i++) if (truthy(logic(items[i], input))) return true
        return false
      }
  }
}

function compileVar(values: readonly unknown[], args: readonly Node[], scoped: boolean): Node {
  const path = values[0]
  const literal = typeof path === 'string' || typeof path === 'number' || typeof path === 'boolean'
  if (literal && path !== '' && args.length <= 2) {
    // A literal path is split once.
    const parts = String(path).split('.')
    const fallback = args[1]
    if (fallback === undefined) {
      return scoped ? (data) => walkPath(data, parts, null) : (_, input) => input.read(parts, null)
    }
    return (data, input) => {
      const f = fallback(data, input)
      const notFound = f === undefined ? null : f
      return scoped ? walkPath(data, parts, notFound) : input.read(parts, notFound)
    }
  }
  const [pathArg = UNDEFINED, fallbackArg = UNDEFINED] = args
  const rest = args.slice(2)
  return (data, input) => {
    const a = pathArg(data, input)
    const b = fallbackArg(data, input)
    for (const arg of rest) arg(data, input)
    return varAt(a, b, data, input, scoped)
  }
}

// `{"var": [path, fallback]}` over the rule's input, or over the current item when scoped.
function varAt(path: unknown, fallback: unknown, data: unknown, input: RuleInput, scoped: boolean): unknown {
  if (scoped) return readVar(data, path, fallback)
  if (path === undefined || path === '' || path === null) return input.lowered()
  return input.read(String(path).split('.'), fallback === undefined ? null : fallback)
}

// `missing`: the keys whose `var` is null or ''. A key that is itself an array or an operation is
// evaluated by json-logic-js, as `{"var": key}`, against the data.
function missing(values: unknown[], data: unknown, input: RuleInput, scoped: boolean): unknown[] {
  const keys = Array.isArray(values[0]) ? (values[0] as unknown[]) : values
  const out: unknown[] = []
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]
    const value =
      Array.isArray(key) || isLogic(key)
        ? jsonLogic().apply({ var: key } as RulesLogic, scoped ? data : input.lowered())
        : varAt(key, undefined, data, input, scoped)
    if (value === null || value === '') out.push(key)
  }
  return out
}

// `missing_some(needCount, keys)`: [] when at least needCount keys are present, else the missing
// ones. json-logic-js applies `missing` to the keys as logic, so keys that are arrays or
// operations are evaluated first.
function compileMissingSome(args: readonly Node[], scoped: boolean): Node {
  const [needArg = UNDEFINED, optionsArg = UNDEFINED] = args
  const rest = args.slice(2)
  return (data, input) => {
    const needCount = needArg(data, input)
    const options = optionsArg(data, input)
    for (const arg of rest) arg(data, input)
    const keys = (Array.isArray(options) ? options : [options]).map((key) =>
      Array.isArray(key) || isLogic(key)
        ? jsonLogic().apply(key as RulesLogic, scoped ? data : input.lowered())
        : key,
    )
    const areMissing = missing(keys, data, input, scoped)
    return (options as unknown[]).length - areMissing.length >= (needCount as number) ? [] : areMissing
  }
}
