// The Flags tab: the served definitions, and an evaluation for one user that says why each flag
// gave its variant (test user, which rollout group and bucket, the rule, the split).

import { $, el, getJson } from './dom.js'
import { renderJson } from './json-view.js'

let flags = []

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
    const [result, explained] = await Promise.all([
      getJson(`flags?${params}`),
      getJson(`_/flags/explain?${params}`),
    ])
    const parts = explained.flags.map(explanation)
    const pre = el('pre', 'json')
    renderJson(pre, result.flags)
    parts.push(el('h4', '', 'GET /flags answer'), pre)
    out.replaceChildren(...parts)
  } catch (error) {
    out.replaceChildren(el('p', 'error', error.message))
  }
}

const REASONS = {
  test_user: 'test user',
  rollout: 'rollout',
  no_rollout_match: 'no rollout matched',
  missing_context_key: 'missing context key',
  not_found: 'not found',
}

function explanation(flag) {
  const box = el('div', `explain ${flag.variant ? 'hit' : 'miss'}`)
  box.dataset.flag = flag.key
  const head = el('div', 'explain-head')
  head.append(
    el('code', '', flag.key),
    ' → ',
    el('strong', 'variant', flag.variant ? flag.variant.key : 'fallback'),
    ' ',
    el('span', `reason ${flag.reason}`, REASONS[flag.reason] ?? flag.reason),
  )
  box.append(head, el('p', 'summary-line', flag.summary))
  if (flag.rollouts.length > 0) {
    const table = el('table', 'steps')
    const header = el('tr')
    for (const h of ['Group', 'Rollout', 'Bucket', 'In', 'Rule', '']) header.append(el('th', '', h))
    table.append(header)
    for (const step of flag.rollouts) {
      const tr = el('tr', step.selected ? 'selected' : '')
      tr.append(
        el('td', '', `#${step.index + 1}`),
        el('td', '', `${Math.round(step.percentage * 1000) / 10}%`),
        el('td', '', step.bucket.toFixed(2)),
        el('td', '', step.inRollout ? 'yes' : 'no'),
        el('td', '', step.hasRule ? (step.ruleHolds ? 'holds' : 'fails') : '—'),
        el('td', '', step.selected ? '✓ selected' : ''),
      )
      table.append(tr)
    }
    box.append(table)
  }
  if (flag.split?.variants) {
    const bar = el('div', 'split-bar')
    for (const v of flag.split.variants) {
      const part = el(
        'span',
        v.selected ? 'part selected' : 'part',
        `${v.key} ${Math.round((v.to - v.from) * 100)}%`,
      )
      part.style.flexGrow = String(Math.max(v.to - v.from, 0.0001))
      bar.append(part)
    }
    box.append(bar, el('p', 'muted', `variant bucket ${flag.split.bucket.toFixed(2)}`))
  } else if (flag.split?.override) {
    box.append(el('p', 'muted', `variant override: ${flag.split.override}`))
  }
  return box
}
