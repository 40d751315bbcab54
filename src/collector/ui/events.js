// The Events tab: one page of items from the server (filters applied there), paged by id, live
// items added on top while the newest page is shown, pause/resume, and the export link.

import { renderDetail } from './detail.js'
import { $, el, formatTime, getJson, throttle } from './dom.js'
import { currentFilters, filtering, matches, verdictOf } from './filters.js'

export const PAGE_SIZE = 200

const list = {
  items: [],
  total: 0,
  filters: {},
  /** Upper id bound of the page shown (exclusive); null = the newest page. */
  before: null,
  /** `before` of the pages passed on the way back (for Newer). */
  history: [],
  loading: true,
  paused: false,
  buffered: [],
  selectedId: null,
  fresh: new Set(),
  seq: 0,
  codes: new Set(),
  /** Live items that arrived while the newest page was loading (merged when it arrives). */
  arrivedWhileLoading: [],
  /**
   * The newest item id accounted for: the server's newest when it last answered, or a later live
   * item's. The stream may bring an item after an answer that already counted it.
   */
  last: 0,
}

const renderSoon = throttle(() => renderRows(), 80)

/** Loads the page shown (after a filter change, paging, a reset or a reconnect). */
export async function loadPage() {
  const seq = ++list.seq
  list.loading = true
  list.arrivedWhileLoading = []
  list.filters = currentFilters()
  updateExportLink()
  renderEmpty()
  const params = new URLSearchParams({ limit: String(PAGE_SIZE), count: '1', ...list.filters })
  if (list.before !== null) params.set('before', String(list.before))
  try {
    const { events, total, last } = await getJson(`_/events?${params}`)
    if (seq !== list.seq) return
    // The server answered from what it had stored up to item `last`; a live item that arrived
    // meanwhile may or may not be in the answer: it is added unless it is.
    const missed = list.arrivedWhileLoading.filter((item) => item.id > last)
    list.last = missed.length > 0 ? missed[missed.length - 1].id : last
    list.items = events
    list.total = total
    // Paused, they wait with the others; otherwise they are counted, and shown on the newest page.
    list.buffered = list.paused ? missed : []
    if (!list.paused) {
      list.total += missed.length
      if (list.before === null) list.items = [...missed.reverse(), ...events].slice(0, PAGE_SIZE)
    }
    for (const item of events) noteCodes(item)
  } catch (error) {
    if (seq !== list.seq) return
    list.items = []
    list.total = 0
    $('empty').textContent = `Could not load events: ${error.message}`
  }
  list.loading = false
  renderRows()
  renderBuffered()
}

/** Filters changed: back to the newest page. */
export function refilter() {
  list.before = null
  list.history = []
  loadPage()
}

export function pageOlder() {
  const last = list.items[list.items.length - 1]
  if (last === undefined || list.history.length * PAGE_SIZE + list.items.length >= list.total) return
  list.history.push(list.before)
  list.before = last.id
  loadPage()
}

export function pageNewer() {
  if (list.history.length === 0) return
  list.before = list.history.pop()
  loadPage()
}

export function pageNewest() {
  refilter()
}

/** An item from the live stream. */
export function onLiveItem(item) {
  noteCodes(item)
  if (!matches(item, list.filters)) return
  if (list.loading) {
    list.arrivedWhileLoading.push(item)
    return
  }
  // Already in the last answer (the stream runs behind it).
  if (item.id <= list.last) return
  list.last = item.id
  if (list.paused) {
    list.buffered.push(item)
    renderBuffered()
    return
  }
  list.total++
  if (list.before !== null) {
    renderSoon()
    return
  }
  list.items.unshift(item)
  list.fresh.add(item.id)
  if (list.items.length > PAGE_SIZE) list.items.length = PAGE_SIZE
  renderSoon()
}

/** Pauses or resumes the live list; resuming adds what arrived meanwhile. */
export function setPaused(paused) {
  list.paused = paused
  const button = $('pause')
  button.setAttribute('aria-pressed', String(paused))
  button.textContent = paused ? 'Resume' : 'Pause'
  if (!paused) {
    const arrived = list.buffered.reverse()
    list.buffered = []
    list.total += arrived.length
    if (list.before === null) {
      for (const item of arrived) list.fresh.add(item.id)
      list.items = [...arrived, ...list.items].slice(0, PAGE_SIZE)
    }
    renderRows()
  }
  renderBuffered()
}

export function isPaused() {
  return list.paused
}

/** Shows one item (also from other tabs: a profile's event). */
export async function showItem(id) {
  list.selectedId = id
  for (const tr of $('rows').children) tr.classList.toggle('selected', Number(tr.dataset.id) === id)
  let item = list.items.find((i) => i.id === id)
  if (item === undefined) {
    try {
      item = await getJson(`_/events/${id}`)
    } catch (error) {
      $('detail').replaceChildren(el('p', 'error', error.message))
      return
    }
  }
  renderDetail(item)
}

export function clearSelection(message) {
  list.selectedId = null
  $('detail').replaceChildren(el('p', 'hint', message))
}

function noteCodes(item) {
  const datalist = $('issue-codes')
  for (const issue of item.issues) {
    if (list.codes.has(issue.code)) continue
    list.codes.add(issue.code)
    const option = el('option')
    option.value = issue.code
    datalist.append(option)
  }
}

function updateExportLink() {
  const params = new URLSearchParams(list.filters)
  $('export').href = `_/export${params.size > 0 ? `?${params}` : ''}`
}

function renderEmpty() {
  const empty = $('empty')
  if (list.loading) {
    empty.textContent = 'Loading…'
    empty.hidden = false
    return
  }
  empty.hidden = list.items.length > 0
  if (list.items.length === 0) {
    empty.textContent = filtering(list.filters)
      ? 'No item matches these filters.'
      : 'Waiting for events… point an SDK at this collector.'
  }
}

function renderBuffered() {
  const note = $('buffered')
  note.hidden = !list.paused
  note.textContent = list.paused ? `paused · ${list.buffered.length} new` : ''
}

const BADGES = {
  good: ['valid', 'valid'],
  refused: ['refused', 'invalid'],
  violation: ['plan issue', 'plan'],
}

function renderRows() {
  const rows = list.items.map((item) => {
    const tr = el('tr')
    tr.dataset.id = String(item.id)
    if (item.id === list.selectedId) tr.classList.add('selected')
    if (list.fresh.has(item.id)) tr.classList.add('fresh')
    const who =
      item.kind === 'group' ? `${item.groupKey ?? '?'}: ${item.distinctId ?? ''}` : (item.distinctId ?? '')
    tr.append(
      el('td', 'time', formatTime(item.receivedAt)),
      el('td', 'name', item.name ?? (typeof item.payload === 'string' ? '(not JSON)' : '(no name)')),
      el('td', 'id', who),
    )
    const src = el('td')
    src.append(el('span', `src ${item.source}`, item.source))
    const status = el('td')
    const [label, cls] = BADGES[verdictOf(item)]
    status.append(el('span', `badge ${cls}`, label))
    tr.append(src, el('td', 'id', item.endpoint), status)
    return tr
  })
  list.fresh.clear()
  $('rows').replaceChildren(...rows)
  renderEmpty()
  const offset = list.history.length * PAGE_SIZE
  $('shown-count').textContent =
    list.items.length === 0
      ? `0 of ${list.total}`
      : `${offset + 1}–${offset + list.items.length} of ${list.total}`
  $('page-newer').disabled = list.history.length === 0
  $('page-newest').disabled = list.before === null
  $('page-older').disabled = offset + list.items.length >= list.total
}
