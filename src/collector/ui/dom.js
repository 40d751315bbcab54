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

/** POSTs JSON (the collector's own API requires the JSON content type). */
export async function postJson(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  })
  const answer = await res.json().catch(() => ({}))
  if (!res.ok) throw new Error(answer.error || `HTTP ${res.status}`)
  return answer
}

/** `hh:mm:ss.mmm` in local time. */
export function formatTime(ms) {
  const d = new Date(ms)
  const pad = (n, w = 2) => String(n).padStart(w, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

/** A definition list of [label, value] pairs, skipping empty values. */
export function facts(pairs) {
  const dl = el('dl', 'summary')
  for (const [label, value] of pairs) {
    if (value === null || value === undefined || value === '') continue
    const dd = el('dd')
    if (value instanceof Node) dd.append(value)
    else dd.textContent = String(value)
    dl.append(el('dt', '', label), dd)
  }
  return dl
}

/** Calls `fn` at most once per `ms`, with the last arguments. */
export function throttle(fn, ms) {
  let timer = null
  return () => {
    if (timer !== null) return
    timer = setTimeout(() => {
      timer = null
      fn()
    }, ms)
  }
}

/** A link-styled button. */
export function linkButton(text, onClick, title) {
  const button = el('button', 'link', text)
  button.type = 'button'
  if (title) button.title = title
  button.addEventListener('click', onClick)
  return button
}
