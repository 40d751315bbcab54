// The Plan tab: the tracking plan's events, which were seen (how often, good or bad) and which
// never, the coverage of each planned property, and the events that arrived unplanned.

import { $, el, formatTime, getJson } from './dom.js'

const open = new Set()

export async function loadPlan() {
  const view = $('plan-view')
  let data
  try {
    data = await getJson('_/plan')
  } catch (error) {
    view.replaceChildren(el('p', 'error', error.message))
    return
  }
  const { coverage } = data
  const parts = []
  if (coverage.plan === null) {
    parts.push(
      el(
        'p',
        'muted',
        'No tracking plan loaded: start the collector with --plan <file>. Events seen so far:',
      ),
    )
  } else {
    const planned = coverage.events
    const seen = planned.filter((e) => e.seen > 0).length
    const summary = el('div', 'plan-summary')
    summary.append(
      stat('plan', `${coverage.plan.title ?? 'tracking plan'} ${coverage.plan.version}`),
      stat('planned events', planned.length, 'planned'),
      stat('seen', seen, 'seen'),
      stat('never seen', planned.length - seen, 'unseen'),
      stat('unplanned events', coverage.unplanned.length, 'unplanned'),
    )
    parts.push(summary, el('h3', '', 'Planned events'), plannedTable(planned))
  }
  parts.push(
    el('h3', '', coverage.plan === null ? 'Events' : 'Unplanned events'),
    unplannedTable(coverage.unplanned),
  )
  view.replaceChildren(...parts)
}

function stat(label, value, key) {
  const box = el('div', 'plan-stat')
  if (key) box.dataset.stat = key
  box.append(el('span', 'value', value), el('span', 'label', label))
  return box
}

function plannedTable(events) {
  const table = el('table', 'plan-events')
  const head = el('tr')
  for (const h of ['Event', 'Code name', 'Seen', 'Good', 'Bad', 'Last seen', 'Property coverage'])
    head.append(el('th', '', h))
  table.append(el('thead'), el('tbody'))
  table.tHead.append(head)
  for (const event of events) {
    const tr = el('tr', event.seen === 0 ? 'unseen' : '')
    tr.dataset.event = event.name
    const covered = event.properties.filter((p) => p.seen > 0).length
    const bar = el('span', 'cover')
    const fill = el('span', 'fill')
    fill.style.width = `${event.properties.length === 0 ? 0 : Math.round((covered / event.properties.length) * 100)}%`
    bar.append(fill)
    const coverCell = el('td', 'coverage')
    coverCell.append(bar, ` ${covered}/${event.properties.length}`)
    tr.append(
      el('td', 'name', `${event.name}${event.deprecated ? ' (deprecated)' : ''}`),
      el('td', 'id', event.codeName),
      el('td', 'num seen', event.seen),
      el('td', 'num good', event.good),
      el('td', 'num bad', event.bad),
      el('td', 'time', event.lastSeen === null ? 'never' : formatTime(event.lastSeen)),
      coverCell,
    )
    table.tBodies[0].append(tr)
    const details = el('tr', 'props')
    details.hidden = !open.has(event.name)
    const cell = el('td')
    cell.colSpan = 7
    cell.append(propertyList(event))
    details.append(cell)
    table.tBodies[0].append(details)
    tr.addEventListener('click', () => {
      details.hidden = !details.hidden
      if (details.hidden) open.delete(event.name)
      else open.add(event.name)
    })
  }
  return table
}

function propertyList(event) {
  const ul = el('ul', 'prop-cover')
  for (const p of event.properties) {
    const share = event.seen === 0 ? 0 : Math.round((p.seen / event.seen) * 100)
    const li = el('li', p.seen === 0 ? 'missing' : '')
    li.dataset.property = p.name
    li.append(el('code', '', p.name), ` ${p.seen}/${event.seen} (${share}%)`)
    if (p.required) li.append(el('span', 'req', 'required'))
    ul.append(li)
  }
  for (const p of event.unplannedProperties) {
    const li = el('li', 'extra')
    li.dataset.property = p.name
    li.append(el('code', '', p.name), ` ${p.seen}× `, el('span', 'req', 'unplanned'))
    ul.append(li)
  }
  return ul
}

function unplannedTable(events) {
  if (events.length === 0) return el('p', 'muted', 'None.')
  const table = el('table', 'plan-unplanned')
  const head = el('tr')
  for (const h of ['Event', 'Seen', 'Good', 'Bad', 'Sources', 'Last seen']) head.append(el('th', '', h))
  table.append(el('thead'), el('tbody'))
  table.tHead.append(head)
  for (const event of events) {
    const tr = el('tr')
    tr.dataset.event = event.name
    tr.append(
      el('td', 'name', event.name),
      el('td', 'num seen', event.seen),
      el('td', 'num good', event.good),
      el('td', 'num bad', event.bad),
      el('td', '', event.sources.join(', ')),
      el('td', 'time', formatTime(event.lastSeen)),
    )
    table.tBodies[0].append(tr)
  }
  return table
}
