// The Profiles and Flags tabs of the web debugger.
import { $, el, getJson, renderJson } from './dom.js'

/** The profile shown, as `user:<id>` or `group:<key>/<id>`. */
let profileKey = null
let profileListTimer = null
/** Definitions shown on the Flags tab. */
let flags = []

// ---- profiles -------------------------------------------------------------------------------

export function onProfileChange(change) {
  const key = change.kind === 'group' ? `${change.groupKey}/${change.id}` : change.id
  if (profileKey === `${change.kind}:${key}`) showProfile(change.kind, change.groupKey, change.id)
  if (profileListTimer === null && !$('tab-profiles').hidden) {
    profileListTimer = setTimeout(() => {
      profileListTimer = null
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

async function showProfile(kind, groupKey, id) {
  const pane = $('profile-detail')
  const key = kind === 'group' ? `${groupKey}/${id}` : id
  profileKey = `${kind}:${key}`
  const path =
    kind === 'group'
      ? `_/groups/${encodeURIComponent(groupKey)}/${encodeURIComponent(id)}`
      : `_/profiles/${encodeURIComponent(id)}`
  try {
    const profile = await getJson(path)
    const summary = el('dl', 'summary')
    summary.append(el('dt', '', kind === 'group' ? 'group' : 'distinct id'), el('dd', '', key))
    summary.append(el('dt', '', 'updated'), el('dd', '', new Date(profile.updatedAt).toISOString()))
    const pre = el('pre', 'json')
    renderJson(pre, profile.properties, '', new Set(), 0, '')
    pane.replaceChildren(summary, pre)
  } catch (error) {
    pane.replaceChildren(el('p', 'error', error.message))
  }
}

export function lookUpProfile() {
  const value = $('profile-id').value.trim()
  if (value === '') return
  const slash = value.indexOf('/')
  if (slash > 0) showProfile('group', value.slice(0, slash).trim(), value.slice(slash + 1).trim())
  else showProfile('user', null, value)
}

// ---- flags ----------------------------------------------------------------------------------

export async function loadFlags(config) {
  const rows = $('flag-rows')
  $('flags-source').textContent = config.flagsFile ? `(${config.flagsFile})` : ''
  try {
    const body = await getJson('flags/definitions')
    flags = Array.isArray(body.flags) ? body.flags : []
  } catch (error) {
    rows.replaceChildren()
    $('flags-empty').textContent = error.message
    return
  }
  $('flags-empty').hidden = flags.length > 0
  rows.replaceChildren(
    ...flags.map((flag) => {
      const tr = el('tr')
      const variants = flag.ruleset?.variants ?? []
      tr.append(
        el('td', 'id', flag.key),
        el('td', '', flag.name ?? ''),
        el('td', '', flag.status ?? ''),
        el('td', 'id', flag.context ?? ''),
        el('td', '', variants.map((v) => `${v.key} (${Math.round((v.split ?? 0) * 100)}%)`).join(', ')),
        el('td', '', String(flag.ruleset?.rollout?.length ?? 0)),
      )
      tr.addEventListener('click', () => {
        $('eval-flag').value = flag.key
      })
      return tr
    }),
  )
  const select = $('eval-flag')
  const current = select.value
  select.replaceChildren(el('option', '', 'all flags'))
  select.firstChild.value = ''
  for (const flag of flags) {
    const option = el('option', '', flag.key)
    option.value = flag.key
    select.append(option)
  }
  select.value = current
}

export async function evaluate(event) {
  event.preventDefault()
  const out = $('eval-result')
  let custom
  try {
    custom = JSON.parse($('eval-props').value || '{}')
  } catch {
    out.replaceChildren(el('p', 'error', 'Custom properties must be a JSON object.'))
    return
  }
  const context = { distinct_id: $('eval-user').value.trim(), custom_properties: custom }
  const params = new URLSearchParams({ context: JSON.stringify(context) })
  const flag = $('eval-flag').value
  if (flag !== '') params.set('flag_key', flag)
  try {
    const result = await getJson(`flags?${params}`)
    const pre = el('pre', 'json')
    renderJson(pre, result.flags, '', new Set(), 0, '')
    const note =
      Object.keys(result.flags ?? {}).length === 0
        ? el('p', 'muted', 'This user gets no variant (fallback).')
        : ''
    out.replaceChildren(...[note, pre].filter(Boolean))
  } catch (error) {
    out.replaceChildren(el('p', 'error', error.message))
  }
}
