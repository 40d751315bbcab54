// The Profiles tab: user and group profiles, each with its current properties, its update
// history (every /engage or /groups update, in order, with what it did) and its events.

import { $, el, facts, formatTime, getJson, linkButton } from './dom.js'
import { renderJson } from './json-view.js'

/** The profile shown, as `user\u0000<id>` or `group\u0000<key>\u0000<id>`. */
let shown = null
let listTimer = null

export function onProfileChange(change) {
  const key =
    change.kind === 'group' ? `group\u0000${change.groupKey}\u0000${change.id}` : `user\u0000${change.id}`
  if (shown === key && !$('tab-profiles').hidden) showProfile(change.kind, change.groupKey, change.id)
  if (listTimer === null && !$('tab-profiles').hidden) {
    listTimer = setTimeout(() => {
      listTimer = null
      loadProfileLists()
    }, 300)
  }
}

export async function loadProfileLists() {
  const [{ profiles }, { groups }] = await Promise.all([
    getJson('_/profiles?limit=200'),
    getJson('_/groups?limit=200'),
  ])
  fillList(
    $('profile-list'),
    profiles,
    (p) => p.id,
    (p) => showProfile('user', null, p.id),
  )
  fillList(
    $('group-list'),
    groups,
    (g) => `${g.groupKey} / ${g.id}`,
    (g) => showProfile('group', g.groupKey, g.id),
  )
}

function fillList(list, profiles, label, onClick) {
  if (profiles.length === 0) {
    list.replaceChildren(el('li', 'muted', 'none yet'))
    return
  }
  list.replaceChildren(
    ...profiles.map((p) => {
      const li = el('li', '', label(p))
      li.addEventListener('click', () => onClick(p))
      return li
    }),
  )
}

/** Shows one profile; ids travel in the query string, so `..` or `a/b` are ids like any other. */
export async function showProfile(kind, groupKey, id) {
  const pane = $('profile-detail')
  shown = kind === 'group' ? `group\u0000${groupKey}\u0000${id}` : `user\u0000${id}`
  const profileUrl =
    kind === 'group'
      ? `_/group?${new URLSearchParams({ group_key: groupKey, group_id: id })}`
      : `_/profile?${new URLSearchParams({ distinct_id: id })}`
  const itemFilter = { distinct_id: id, limit: '200', order: 'asc' }
  if (kind === 'group') itemFilter.group_key = groupKey
  try {
    const [profile, updates, events] = await Promise.all([
      getJson(profileUrl).catch((error) => ({ missing: error.message })),
      getJson(`_/events?${new URLSearchParams({ ...itemFilter, kind })}`),
      kind === 'user'
        ? getJson(`_/events?${new URLSearchParams({ distinct_id: id, kind: 'event', limit: '100' })}`)
        : Promise.resolve({ events: [] }),
    ])
    const parts = [
      facts([
        [kind === 'group' ? 'group' : 'distinct id', kind === 'group' ? `${groupKey} / ${id}` : id],
        ['updated', profile.updatedAt ? new Date(profile.updatedAt).toISOString() : null],
        ['updates', updates.events.length],
        ['events', kind === 'user' ? events.events.length : null],
      ]),
    ]
    if (profile.missing) parts.push(el('p', 'muted', `No profile now (${profile.missing}).`))
    else {
      const pre = el('pre', 'json profile-props')
      renderJson(pre, profile.properties)
      parts.push(pre)
    }
    parts.push(el('h3', '', 'Update history'), historyList(updates.events))
    if (kind === 'user') parts.push(el('h3', '', 'Events of this user'), eventList(events.events))
    pane.replaceChildren(...parts)
  } catch (error) {
    pane.replaceChildren(el('p', 'error', error.message))
  }
}

function historyList(updates) {
  if (updates.length === 0) return el('p', 'muted', 'No updates stored.')
  const list = el('ol', 'history')
  list.id = 'profile-history'
  for (const update of updates) {
    const li = el('li', update.valid ? '' : update.accepted === false ? 'refused' : 'plan')
    li.dataset.id = String(update.id)
    const ops = Object.entries(update.payload ?? {}).filter(([key]) =>
      /^\$(set|set_once|add|append|union|remove|unset|delete)$/.test(key),
    )
    li.append(el('span', 'time', formatTime(update.receivedAt)), ' ')
    for (const [op, value] of ops) {
      li.append(
        el('code', 'op', op),
        ' ',
        el('span', 'ops', op === '$delete' ? '(profile deleted)' : JSON.stringify(value)),
        ' ',
      )
    }
    if (update.accepted === false) li.append(el('span', 'badge invalid', 'refused: not applied'))
    li.append(linkButton('details', () => openItem(update.id)))
    list.append(li)
  }
  return list
}

function eventList(events) {
  if (events.length === 0) return el('p', 'muted', 'No events from this user.')
  const list = el('ul', 'user-events')
  list.id = 'profile-events'
  for (const event of events) {
    const li = el('li')
    li.dataset.id = String(event.id)
    li.append(
      el('span', 'time', formatTime(event.receivedAt)),
      ' ',
      linkButton(event.name ?? '(no name)', () => openItem(event.id)),
    )
    if (!event.valid)
      li.append(
        ' ',
        el(
          'span',
          `badge ${event.accepted === false ? 'invalid' : 'plan'}`,
          event.accepted === false ? 'refused' : 'plan issue',
        ),
      )
    list.append(li)
  }
  return list
}

export function lookUpProfile() {
  const value = $('profile-id').value.trim()
  if (value === '') return
  const slash = value.indexOf('/')
  if (slash > 0) showProfile('group', value.slice(0, slash).trim(), value.slice(slash + 1).trim())
  else showProfile('user', null, value)
}

function openItem(id) {
  window.dispatchEvent(new CustomEvent('ew:open-item', { detail: { id } }))
}
