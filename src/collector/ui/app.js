// The collector's web debugger: the live events table, the detail pane and the wiring. Everything
// that came from a request is put on the page with textContent (never innerHTML).
import { $, el, getJson, renderJson } from './dom.js'
import { evaluate, loadFlags, loadProfileLists, lookUpProfile, onProfileChange } from './panels.js'

const MAX_ITEMS = 2000
const RENDER_DELAY_MS = 80

const state = {
  /** @type {Map<number, any>} items by id */
  items: new Map(),
  selectedId: null,
  fresh: new Set(),
  renderTimer: null,
  config: {},
}

// ---- counters -------------------------------------------------------------------------------

function showStats(stats) {
  for (const node of document.querySelectorAll('[data-stat]')) {
    const value = stats[node.dataset.stat]
    if (typeof value === 'number') node.textContent = value.toLocaleString()
  }
}

// ---- events table ---------------------------------------------------------------------------

function addItems(items, fresh) {
  for (const item of items) {
    state.items.set(item.id, item)
    if (fresh) state.fresh.add(item.id)
  }
  if (state.items.size > MAX_ITEMS) {
    const ids = [...state.items.keys()].sort((a, b) => a - b)
    for (const id of ids.slice(0, state.items.size - MAX_ITEMS)) state.items.delete(id)
  }
  scheduleRender()
}

function scheduleRender() {
  if (state.renderTimer !== null) return
  state.renderTimer = setTimeout(() => {
    state.renderTimer = null
    renderRows()
  }, RENDER_DELAY_MS)
}

function matches(item) {
  const valid = $('filter-valid').value
  if (valid === 'good' && !item.valid) return false
  if (valid === 'bad' && item.valid) return false
  const kind = $('filter-kind').value
  if (kind !== 'all' && item.kind !== kind) return false
  const text = $('filter').value.trim().toLowerCase()
  if (text === '') return true
  return [item.name, item.distinctId, item.source, item.endpoint, item.insertId, item.groupKey].some(
    (field) => typeof field === 'string' && field.toLowerCase().includes(text),
  )
}

function formatTime(ms) {
  const d = new Date(ms)
  const pad = (n, w = 2) => String(n).padStart(w, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

function renderRows() {
  const body = $('rows')
  const items = [...state.items.values()].filter(matches).sort((a, b) => b.id - a.id)
  const rows = items.map((item) => {
    const tr = el('tr')
    tr.dataset.id = String(item.id)
    if (item.id === state.selectedId) tr.classList.add('selected')
    if (state.fresh.has(item.id)) tr.classList.add('fresh')
    tr.append(
      el('td', 'time', formatTime(item.receivedAt)),
      el('td', 'name', item.name ?? '(no name)'),
      el(
        'td',
        'id',
        item.kind === 'group' ? `${item.groupKey ?? '?'}: ${item.distinctId ?? ''}` : (item.distinctId ?? ''),
      ),
    )
    const src = el('td')
    src.append(el('span', `src ${item.source}`, item.source))
    tr.append(src, el('td', 'id', item.endpoint))
    const status = el('td')
    status.append(el('span', `badge ${item.valid ? 'valid' : 'invalid'}`, item.valid ? 'valid' : 'invalid'))
    tr.append(status)
    return tr
  })
  state.fresh.clear()
  body.replaceChildren(...rows)
  $('empty').hidden = state.items.size > 0
  $('shown-count').textContent = `${items.length} of ${state.items.size} shown`
}

function selectItem(id) {
  state.selectedId = id
  for (const tr of $('rows').children) tr.classList.toggle('selected', Number(tr.dataset.id) === id)
  const item = state.items.get(id)
  if (item) renderDetail(item)
}

function renderDetail(item) {
  const pane = $('detail')
  const summary = el('dl', 'summary')
  const facts = [
    ['name', item.name ?? '(none)'],
    ['kind', item.kind],
    ['source', `${item.source} ${item.endpoint}`],
    [
      item.kind === 'group' ? 'group' : 'distinct id',
      item.kind === 'group' ? `${item.groupKey}: ${item.distinctId}` : item.distinctId,
    ],
    ['insert id', item.insertId],
    ['event time', item.time === null ? null : new Date(item.time).toISOString()],
    ['received', new Date(item.receivedAt).toISOString()],
  ]
  for (const [label, value] of facts) {
    if (value === null || value === undefined) continue
    summary.append(el('dt', '', label), el('dd', '', value))
  }
  const parts = [summary]
  const paths = new Set(item.issues.map((issue) => issue.path))
  if (item.issues.length === 0) {
    parts.push(el('p', 'ok', '✓ valid: no issues'))
  } else {
    const list = el('ul', 'issues')
    list.id = 'issues'
    for (const issue of item.issues) {
      const li = el('li', issue.source === 'plan' ? 'plan' : '')
      li.dataset.path = issue.path
      li.append(
        el('span', 'tag', issue.source),
        el('span', 'code', issue.code),
        el('span', 'path', issue.path),
      )
      li.append(el('span', 'msg', issue.message))
      li.addEventListener('click', () => {
        const target = [...pane.querySelectorAll('.line')].find((line) => line.dataset.path === issue.path)
        target?.scrollIntoView({ block: 'center' })
      })
      list.append(li)
    }
    parts.push(list)
  }
  const pre = el('pre', 'json')
  renderJson(pre, item.payload, '', paths, 0, '')
  parts.push(pre)
  if (item.decoded) {
    parts.push(el('h3', '', 'Decoded'))
    const decoded = el('pre', 'json')
    renderJson(decoded, item.decoded, 'decoded', paths, 0, '')
    parts.push(decoded)
  }
  pane.replaceChildren(...parts)
}

// ---- live stream ----------------------------------------------------------------------------

function connect() {
  const live = $('live')
  const source = new EventSource('_/stream')
  source.addEventListener('hello', async (event) => {
    live.dataset.state = 'live'
    live.textContent = 'live'
    showStats(JSON.parse(event.data).stats)
    const { events } = await getJson(`_/events?limit=${MAX_ITEMS}`)
    addItems(events, false)
  })
  source.addEventListener('item', (event) => addItems([JSON.parse(event.data)], true))
  source.addEventListener('stats', (event) => showStats(JSON.parse(event.data)))
  source.addEventListener('profile', (event) => onProfileChange(JSON.parse(event.data)))
  source.addEventListener('reset', (event) => {
    state.items.clear()
    state.selectedId = null
    $('detail').replaceChildren(el('p', 'hint', 'Everything was cleared.'))
    showStats(JSON.parse(event.data))
    scheduleRender()
  })
  source.addEventListener('error', () => {
    live.dataset.state = 'offline'
    live.textContent = 'reconnecting'
  })
}

// ---- wiring ---------------------------------------------------------------------------------

function showTab(name) {
  for (const button of document.querySelectorAll('[data-tab]')) {
    button.setAttribute('aria-selected', String(button.dataset.tab === name))
  }
  for (const panel of document.querySelectorAll('[data-panel]')) panel.hidden = panel.dataset.panel !== name
  if (name === 'profiles') loadProfileLists().catch(() => {})
  if (name === 'flags') loadFlags(state.config)
}

function start() {
  for (const button of document.querySelectorAll('[data-tab]')) {
    button.addEventListener('click', () => showTab(button.dataset.tab))
  }
  $('filter').addEventListener('input', scheduleRender)
  $('filter-valid').addEventListener('change', scheduleRender)
  $('filter-kind').addEventListener('change', scheduleRender)
  $('rows').addEventListener('click', (event) => {
    const tr = event.target.closest('tr')
    if (tr) selectItem(Number(tr.dataset.id))
  })
  $('reset').addEventListener('click', async () => {
    if (!window.confirm('Delete every stored event and profile?')) return
    await fetch('_/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  })
  $('profile-go').addEventListener('click', lookUpProfile)
  $('profile-id').addEventListener('keydown', (event) => {
    if (event.key === 'Enter') lookUpProfile()
  })
  $('eval-form').addEventListener('submit', evaluate)
  getJson('_/config')
    .then((config) => {
      state.config = config
    })
    .catch(() => {})
  connect()
}

start()
