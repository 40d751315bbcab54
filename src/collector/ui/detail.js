// The detail pane of the Events tab: an item's facts, its issues (refused-by-the-rules apart from
// plan issues), its payload with the offending lines highlighted, and the raw request it came in
// with the exact answer the SDK got.

import { $, el, facts, getJson, linkButton } from './dom.js'
import { verdictOf } from './filters.js'
import { renderJson } from './json-view.js'

const VERDICT_TEXT = {
  good: '✓ valid: no issues',
  refused: '✗ refused: Mixpanel (or Snowplow, or your Iglu schemas) would not ingest this record',
  violation: '⚠ plan violation: Mixpanel would accept this record, but it does not follow the tracking plan',
}

/** Shows one item in the detail pane, on its Record view. */
export function renderDetail(item) {
  const pane = $('detail')
  const tabs = el('div', 'subtabs')
  const record = el('div', 'subview')
  const request = el('div', 'subview')
  request.hidden = true
  const show = (which) => {
    record.hidden = which !== 'record'
    request.hidden = which !== 'request'
    for (const b of tabs.children) b.setAttribute('aria-selected', String(b.dataset.view === which))
    if (which === 'request' && !request.dataset.loaded) {
      request.dataset.loaded = '1'
      loadRequest(item, request)
    }
  }
  for (const [view, label] of [
    ['record', 'Record'],
    ['request', 'Request & response'],
  ]) {
    const button = el('button', 'subtab', label)
    button.type = 'button'
    button.dataset.view = view
    button.addEventListener('click', () => show(view))
    tabs.append(button)
  }
  record.append(...recordView(item))
  pane.replaceChildren(tabs, record, request)
  show('record')
}

function recordView(item) {
  const who = item.distinctId
  const whoNode =
    who !== null && item.kind !== 'group'
      ? linkButton(who, () => openProfile('user', null, who), 'Open this profile')
      : item.kind === 'group'
        ? linkButton(
            `${item.groupKey}: ${who}`,
            () => openProfile('group', item.groupKey, who),
            'Open this group',
          )
        : null
  const parts = [
    facts([
      ['name', item.name ?? '(none)'],
      ['kind', item.kind],
      ['source', `${item.source} ${item.endpoint}`],
      [item.kind === 'group' ? 'group' : 'distinct id', whoNode],
      ['insert id', item.insertId],
      ['event time', item.time === null ? null : new Date(item.time).toISOString()],
      ['received', new Date(item.receivedAt).toISOString()],
      ['request', item.requestId === null ? null : `#${item.requestId}`],
    ]),
  ]
  const verdict = verdictOf(item)
  parts.push(el('p', `verdict ${verdict}`, VERDICT_TEXT[verdict]))
  const paths = new Set(item.issues.map((issue) => issue.path))
  const groups = [
    ['Refused by the rules', item.issues.filter((i) => i.source !== 'plan'), 'refused'],
    ['Tracking-plan issues', item.issues.filter((i) => i.source === 'plan'), 'plan'],
  ]
  for (const [title, issues, cls] of groups) {
    if (issues.length === 0) continue
    parts.push(el('h4', `issues-title ${cls}`, title))
    const list = el('ul', 'issues')
    if (cls === 'refused') list.id = 'issues'
    else list.id = 'plan-issues'
    for (const issue of issues) {
      const li = el('li', issue.source === 'plan' ? 'plan' : '')
      li.dataset.path = issue.path
      li.append(
        el('span', 'tag', issue.source),
        el('span', 'code', issue.code),
        el('span', 'path', issue.path),
        el('span', 'msg', issue.message),
      )
      li.addEventListener('click', () => {
        const target = [...$('detail').querySelectorAll('.line')].find(
          (line) => line.dataset.path === issue.path,
        )
        target?.scrollIntoView({ block: 'center' })
      })
      list.append(li)
    }
    parts.push(list)
  }
  const pre = el('pre', 'json payload')
  renderJson(pre, item.payload, '', paths)
  parts.push(pre)
  if (item.decoded) {
    parts.push(el('h3', '', 'Decoded'))
    const decoded = el('pre', 'json')
    renderJson(decoded, item.decoded, 'decoded', paths)
    parts.push(decoded)
  }
  return parts
}

async function loadRequest(item, out) {
  if (item.requestId === null) {
    out.replaceChildren(el('p', 'muted', 'This item was stored before requests were kept.'))
    return
  }
  out.replaceChildren(el('p', 'muted', 'Loading…'))
  try {
    out.replaceChildren(...requestView(await getJson(`_/requests/${item.requestId}`)))
  } catch (error) {
    out.replaceChildren(el('p', 'error', error.message))
  }
}

/** The raw request and its answer (also used by the Faults tab). */
export function requestView(request) {
  const headerList = (headers) => {
    const pre = el('pre', 'headers')
    pre.textContent = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}`)
      .join('\n')
    return pre
  }
  const body = el('pre', 'raw-body')
  const declared = Number(request.headers['content-length'] ?? 0)
  body.textContent =
    request.body === ''
      ? declared > 0
        ? '(body not read: the request was answered before it, e.g. by an injected fault or a size limit)'
        : '(no body)'
      : `${request.body}${request.bodyTruncated ? `\n… cut at ${request.body.length} characters` : ''}`
  const answer = el('pre', 'raw-body response-body')
  answer.textContent = request.response.body === '' ? '(empty)' : request.response.body
  const status = request.response.status
  return [
    el('h4', '', 'Request (as received; credentials redacted)'),
    el('p', 'request-line', `${request.method} ${request.url}`),
    headerList(request.headers),
    el(
      'p',
      'muted',
      `body: ${request.bodyBytes} bytes${request.headers['content-encoding'] ? ' (decoded)' : ''}`,
    ),
    body,
    el('h4', '', 'Response (exactly as sent)'),
    el(
      'p',
      `status-line ${status >= 400 || status === 0 ? 'bad' : 'good'}`,
      status === 0 ? 'no answer' : `HTTP ${status}`,
    ),
    headerList(request.response.headers),
    answer,
    el('p', 'muted', `${request.items} item${request.items === 1 ? '' : 's'} stored from this request`),
  ]
}

function openProfile(kind, groupKey, id) {
  window.dispatchEvent(new CustomEvent('ew:open-profile', { detail: { kind, groupKey, id } }))
}
