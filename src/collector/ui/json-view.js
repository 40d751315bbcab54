// Pretty-printed JSON as DOM lines, each tagged with its path so issues can highlight it. Built
// with textContent only. Bounded: nesting past MAX_DEPTH and lines past MAX_LINES are summarised,
// so no payload can hang or crash the page.

import { el } from './dom.js'

const MAX_DEPTH = 120
const MAX_LINES = 4000

function childPath(parent, key) {
  if (typeof key === 'number') return `${parent}[${key}]`
  return parent === '' ? key : `${parent}.${key}`
}

function scalar(value) {
  if (value === null) return el('span', 'z', 'null')
  switch (typeof value) {
    case 'string':
      return el('span', 's', JSON.stringify(value))
    case 'number':
      return el('span', 'n', String(value))
    case 'boolean':
      return el('span', 'b', String(value))
    default:
      return el('span', 'z', String(value))
  }
}

/** Renders `value` into `out` (a `pre`), highlighting lines whose path is in `highlighted`. */
export function renderJson(out, value, path = '', highlighted = new Set()) {
  const budget = { lines: 0, cut: false }
  // An explicit stack instead of recursion: depth never costs call-stack frames.
  const stack = [{ value, path, depth: 0, label: '', last: true }]
  while (stack.length > 0) {
    const frame = stack.pop()
    if (frame.close !== undefined) {
      out.append(line(frame.depth, '', frame.close, frame.last))
      continue
    }
    if (budget.lines >= MAX_LINES) {
      budget.cut = true
      break
    }
    budget.lines++
    const node = el('span', 'line')
    node.dataset.path = frame.path
    if (highlighted.has(frame.path)) node.classList.add('hl')
    node.append('  '.repeat(Math.min(frame.depth, 40)))
    if (frame.label !== '') node.append(el('span', 'k', JSON.stringify(frame.label)), ': ')
    const comma = frame.last ? '' : ','
    const v = frame.value
    if (v === null || typeof v !== 'object') {
      node.append(scalar(v), comma)
      out.append(node)
      continue
    }
    const isArray = Array.isArray(v)
    const entries = isArray ? v.map((child, i) => [i, child]) : Object.entries(v)
    if (entries.length === 0) {
      node.append(isArray ? '[]' : '{}', comma)
      out.append(node)
      continue
    }
    if (frame.depth >= MAX_DEPTH) {
      node.append(el('span', 'z', `${isArray ? '[…]' : '{…}'} nested too deep to show`), comma)
      out.append(node)
      continue
    }
    node.append(isArray ? '[' : '{')
    out.append(node)
    stack.push({ close: isArray ? ']' : '}', depth: frame.depth, last: frame.last })
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]
      stack.push({
        value: child,
        path: childPath(frame.path, key),
        depth: frame.depth + 1,
        label: isArray ? '' : key,
        last: i === entries.length - 1,
      })
    }
  }
  if (budget.cut)
    out.append(el('span', 'line z', `… more than ${MAX_LINES} lines: export the record to see all of it`))
}

function line(depth, label, text, last) {
  const node = el('span', 'line')
  node.append('  '.repeat(Math.min(depth, 40)), label, text, last ? '' : ',')
  return node
}
