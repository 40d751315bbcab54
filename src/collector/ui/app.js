// The collector's web debugger: the wiring of its tabs and the live stream. Everything that came
// from a request is put on the page with textContent (never innerHTML).

import { clearTimeline, countItem, draw, loadTimeline } from './chart.js'
import { $, getJson, throttle } from './dom.js'
import {
  clearSelection,
  isPaused,
  loadPage,
  onLiveItem,
  pageNewer,
  pageNewest,
  pageOlder,
  refilter,
  setPaused,
  showItem,
} from './events.js'
import { applyFaults, clearFaults, loadFaults, loadRequests } from './faults.js'
import { setFilters } from './filters.js'
import { evaluate, loadFlags } from './flags.js'
import { loadPlan } from './plan.js'
import { loadProfileLists, lookUpProfile, onProfileChange, showProfile } from './profiles.js'

const state = { config: {}, tab: 'events' }

function showStats(stats) {
  const values = { ...stats, violations: Math.max(0, stats.bad + stats.badUpdates - stats.refused) }
  for (const node of document.querySelectorAll('[data-stat]')) {
    if (node.closest('#plan-view')) continue
    const value = values[node.dataset.stat]
    if (typeof value === 'number') node.textContent = value.toLocaleString()
  }
}

const refreshPlan = throttle(() => {
  if (state.tab === 'plan') loadPlan()
}, 1000)
const refreshRequests = throttle(() => {
  if (state.tab === 'faults') loadRequests().catch(() => {})
}, 1000)

function connect() {
  const live = $('live')
  const source = new EventSource('_/stream')
  source.addEventListener('hello', (event) => {
    live.dataset.state = 'live'
    live.textContent = 'live'
    showStats(JSON.parse(event.data).stats)
    loadPage()
    loadTimeline().catch(() => {})
  })
  source.addEventListener('item', (event) => {
    const item = JSON.parse(event.data)
    countItem(item)
    onLiveItem(item)
    refreshPlan()
  })
  source.addEventListener('stats', (event) => {
    showStats(JSON.parse(event.data))
    refreshRequests()
  })
  source.addEventListener('profile', (event) => onProfileChange(JSON.parse(event.data)))
  source.addEventListener('reset', (event) => {
    clearSelection('Everything was cleared.')
    clearTimeline()
    showStats(JSON.parse(event.data))
    pageNewest()
    refreshPlan()
  })
  source.addEventListener('error', () => {
    live.dataset.state = 'offline'
    live.textContent = 'reconnecting'
  })
}

function showTab(name) {
  state.tab = name
  for (const button of document.querySelectorAll('[data-tab]')) {
    button.setAttribute('aria-selected', String(button.dataset.tab === name))
  }
  for (const panel of document.querySelectorAll('[data-panel]')) panel.hidden = panel.dataset.panel !== name
  if (name === 'plan') loadPlan()
  if (name === 'profiles') loadProfileLists().catch(() => {})
  if (name === 'flags') loadFlags(state.config)
  if (name === 'faults') loadFaults()
}

function start() {
  for (const button of document.querySelectorAll('[data-tab]')) {
    button.addEventListener('click', () => showTab(button.dataset.tab))
  }
  const filtersChanged = throttle(refilter, 250)
  for (const id of ['filter', 'filter-prop', 'filter-issue']) $(id).addEventListener('input', filtersChanged)
  for (const id of ['filter-verdict', 'filter-kind', 'filter-source'])
    $(id).addEventListener('change', refilter)
  $('page-older').addEventListener('click', pageOlder)
  $('page-newer').addEventListener('click', pageNewer)
  $('page-newest').addEventListener('click', pageNewest)
  $('pause').addEventListener('click', () => setPaused(!isPaused()))
  $('rows').addEventListener('click', (event) => {
    const tr = event.target.closest('tr')
    if (tr) showItem(Number(tr.dataset.id))
  })
  $('reset').addEventListener('click', async () => {
    if (!window.confirm('Delete every stored event, request and profile?')) return
    await fetch('_/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  })
  $('profile-go').addEventListener('click', lookUpProfile)
  $('profile-id').addEventListener('keydown', (event) => {
    if (event.key === 'Enter') lookUpProfile()
  })
  $('eval-form').addEventListener('submit', evaluate)
  $('faults-form').addEventListener('submit', applyFaults)
  $('faults-clear').addEventListener('click', clearFaults)
  window.addEventListener('ew:open-profile', (event) => {
    const { kind, groupKey, id } = event.detail
    showTab('profiles')
    showProfile(kind, groupKey, id)
  })
  window.addEventListener('ew:open-item', (event) => {
    showTab('events')
    showItem(event.detail.id)
  })
  window.addEventListener('ew:filter', (event) => {
    setFilters(event.detail)
    showTab('events')
    refilter()
  })
  setInterval(draw, 1000)
  getJson('_/config')
    .then((config) => {
      state.config = config
    })
    .catch(() => {})
  connect()
}

start()
