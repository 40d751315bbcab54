// DOM helpers of the web debugger. Everything that came from a request is put on the page with
// textContent (never innerHTML), so payloads are always shown as text, never run.

export const $ = (id) => document.getElementById(id)

/** Creates an element with a class and text. */
export function el(tag, className, text) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined && text !== null) node.textContent = String(text)
  return node
}

/** Fetches JSON from the collector; throws with the server's reason on an error status. */
export async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } })
  const body = await res.json().catch(() => ({}))
  if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`)
  return body
}

// ---- JSON rendering (DOM nodes only) --------------------------------------------------------

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

/** Appends one line per value to `out`, marking lines whose path is in `highlighted`. */
export function renderJson(out, value, path, highlighted, depth, label, last = true) {
  const indent = '  '.repeat(depth)
  const line = el('span', 'line')
  line.dataset.path = path
  if (highlighted.has(path)) line.classList.add('hl')
  line.append(indent)
  if (label !== '') line.append(el('span', 'k', JSON.stringify(label)), ': ')
  const comma = last ? '' : ','
  if (value === null || typeof value !== 'object') {
    line.append(scalar(value), comma)
    out.append(line)
    return
  }
  const isArray = Array.isArray(value)
  const entries = isArray ? value.map((v, i) => [i, v]) : Object.entries(value)
  if (entries.length === 0) {
    line.append(isArray ? '[]' : '{}', comma)
    out.append(line)
    return
  }
  line.append(isArray ? '[' : '{')
  out.append(line)
  entries.forEach(([key, child], index) => {
    renderJson(
      out,
      child,
      childPath(path, key),
      highlighted,
      depth + 1,
      isArray ? '' : key,
      index === entries.length - 1,
    )
  })
  const close = el('span', 'line')
  close.append(indent, isArray ? ']' : '}', comma)
  out.append(close)
}
