// Events per second over the last two minutes, as SVG bars (good over refused/plan issues),
// seeded from GET /_/timeline and counted up from the live stream.

import { $, getJson } from './dom.js'

const SECONDS = 120
const SVG = 'http://www.w3.org/2000/svg'
/** second (server clock, ms / 1000) → { good, bad } */
const buckets = new Map()
let skew = 0

export async function loadTimeline() {
  const { now, buckets: rows } = await getJson(`_/timeline?seconds=${SECONDS}`)
  skew = now - Date.now()
  buckets.clear()
  for (const row of rows) buckets.set(Math.floor(row.t / 1000), { good: row.good, bad: row.bad })
  draw()
}

/** Counts one live item (events only). */
export function countItem(item) {
  if (item.kind !== 'event') return
  const second = Math.floor(item.receivedAt / 1000)
  const bucket = buckets.get(second) ?? { good: 0, bad: 0 }
  if (item.valid) bucket.good++
  else bucket.bad++
  buckets.set(second, bucket)
}

export function clearTimeline() {
  buckets.clear()
  draw()
}

/** Redraws the bars for the last {@link SECONDS} seconds. */
export function draw() {
  const svg = $('chart')
  const end = Math.floor((Date.now() + skew) / 1000)
  for (const second of buckets.keys()) if (second <= end - SECONDS) buckets.delete(second)
  let max = 1
  let total = 0
  for (const { good, bad } of buckets.values()) {
    max = Math.max(max, good + bad)
    total += good + bad
  }
  const width = 600 / SECONDS
  const bars = []
  for (let i = 0; i < SECONDS; i++) {
    const bucket = buckets.get(end - SECONDS + 1 + i)
    if (bucket === undefined) continue
    const x = i * width
    const goodHeight = (bucket.good / max) * 56
    const badHeight = (bucket.bad / max) * 56
    bars.push(rect(x, 60 - goodHeight, width - 0.5, goodHeight, 'good'))
    if (badHeight > 0) bars.push(rect(x, 60 - goodHeight - badHeight, width - 0.5, badHeight, 'bad'))
  }
  svg.replaceChildren(...bars)
  svg.dataset.total = String(total)
  const last = buckets.get(end - 1)
  $('chart-rate').textContent =
    `${last ? last.good + last.bad : 0} events/s · ${total} in view · peak ${max === 1 && total === 0 ? 0 : max}/s`
}

function rect(x, y, width, height, cls) {
  const node = document.createElementNS(SVG, 'rect')
  node.setAttribute('x', x.toFixed(2))
  node.setAttribute('y', y.toFixed(2))
  node.setAttribute('width', width.toFixed(2))
  node.setAttribute('height', height.toFixed(2))
  node.setAttribute('class', cls)
  return node
}
