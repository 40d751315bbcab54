// The Faults tab: the injected faults (read and replaced through /_/faults) and the most recent
// requests with their answers, so the effect of a fault can be seen.

import { requestView } from './detail.js'
import { $, el, formatTime, getJson, postJson } from './dom.js'

const FIELDS = ['failRate', 'status', 'downForMs', 'latencyMs', 'retryAfterSec', 'resetRate']

export async function loadFaults() {
  try {
    showFaults(await getJson('_/faults'))
  } catch (error) {
    $('faults-state').textContent = error.message
  }
  await loadRequests()
}

export async function applyFaults(event) {
  event.preventDefault()
  const form = $('faults-form')
  const body = {}
  for (const name of FIELDS) {
    const raw = form.elements[name].value.trim()
    if (raw !== '') body[name] = Number(raw)
  }
  try {
    showFaults(await postJson('_/faults', body))
  } catch (error) {
    $('faults-state').textContent = `Refused: ${error.message}`
  }
}

export async function clearFaults() {
  try {
    showFaults(await postJson('_/faults', {}))
  } catch (error) {
    $('faults-state').textContent = error.message
  }
}

function showFaults(faults) {
  const form = $('faults-form')
  for (const name of FIELDS) {
    const value = faults[name]
    form.elements[name].value = value === null || value === undefined ? '' : String(value)
  }
  const active =
    faults.failRate > 0 ||
    faults.resetRate > 0 ||
    faults.latencyMs > 0 ||
    (faults.downUntil ?? 0) > Date.now()
  $('faults-on').hidden = !active
  $('faults-state').textContent = active
    ? `Active: ${[
        faults.failRate > 0 ? `${Math.round(faults.failRate * 100)}% answered ${faults.status}` : '',
        faults.downUntil ? `down (HTTP ${faults.status}) until ${formatTime(faults.downUntil)}` : '',
        faults.latencyMs > 0 ? `${faults.latencyMs} ms latency` : '',
        faults.resetRate > 0 ? `${Math.round(faults.resetRate * 100)}% connections reset` : '',
      ]
        .filter(Boolean)
        .join(', ')}.`
    : 'No faults: every request is handled normally.'
}

export async function loadRequests() {
  const { requests } = await getJson('_/requests?limit=50')
  $('request-rows').replaceChildren(
    ...requests.map((request) => {
      const tr = el('tr')
      tr.dataset.id = String(request.id)
      const status = request.response.status
      tr.append(
        el('td', 'time', formatTime(request.receivedAt)),
        el(
          'td',
          'id',
          `${request.method} ${request.url.length > 60 ? `${request.url.slice(0, 60)}…` : request.url}`,
        ),
        el(
          'td',
          status >= 400 || status === 0 ? 'bad-status' : 'good-status',
          status === 0 ? 'reset' : status,
        ),
        el('td', '', request.items),
      )
      tr.addEventListener('click', () => $('request-detail').replaceChildren(...requestView(request)))
      return tr
    }),
  )
}
