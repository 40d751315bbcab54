import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { type Collector, startCollector } from '../../src/collector/index.js'
import { Mixpanel } from '../../src/index.js'
import { launchChromium, type PageNode } from './browser.js'
import { postJson, send, trackEvent } from './helpers.js'

declare const window: Record<string, unknown>

const PLAN = {
  version: '1.0.0',
  additionalProperties: false,
  events: {
    signedUp: {
      name: 'Signed up',
      properties: { plan: { type: 'string', enum: ['free', 'pro'] } },
      required: ['plan'],
    },
    viewed: { name: 'Viewed pricing', properties: { section: { type: 'string' } } },
  },
}

let browser: Browser
let page: Page
let collector: Collector
let mp: Mixpanel
const pageErrors: string[] = []

before(async () => {
  collector = await startCollector({ port: 0, db: ':memory:', plan: PLAN, token: 'ui-token' })
  mp = new Mixpanel('ui-token', { apiHost: collector.url })
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1400, height: 860 }, acceptDownloads: true })
  // Waits are for the page's own work; a machine under load (CI runs other suites) needs room.
  page.setDefaultTimeout(90_000)
  page.on('pageerror', (error) => pageErrors.push(error.message))
})

after(async () => {
  await browser?.close()
  await mp?.close()
  await collector?.close()
})

/** The names in the table, top to bottom. */
function names(): Promise<string[]> {
  return page.$$eval('#rows tr td.name', (cells) => cells.map((c) => c.textContent ?? ''))
}

/** Waits until `#shown-count` reads `expected`; a timeout fails with the text shown. */
async function waitForShown(expected: string): Promise<void> {
  await page
    .waitForFunction((want) => document.querySelector('#shown-count')?.textContent === want, expected)
    .catch(async () => assert.equal(await page.textContent('#shown-count'), expected))
}

async function waitForNames(expected: string[]): Promise<void> {
  await page
    .waitForFunction(
      (want) =>
        JSON.stringify([...document.querySelectorAll('#rows tr td.name')].map((c) => c.textContent)) === want,
      JSON.stringify(expected),
      { timeout: 3000 },
    )
    .catch(async () => assert.deepEqual(await names(), expected))
}

test('a loading list says so, never "Waiting for events…"; then the empty list waits', async () => {
  let release: () => void = () => {}
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  await page.route('**/_/events?*', async (route) => {
    await held
    await route.continue()
  })
  await page.goto(collector.url)
  await page.waitForSelector('#live[data-state="live"]')
  assert.equal(await page.textContent('#empty'), 'Loading…')
  assert.equal(await page.isVisible('#empty'), true)
  release()
  await page.waitForFunction(() =>
    document.querySelector('#empty')?.textContent?.startsWith('Waiting for events'),
  )
  await page.unroute('**/_/events?*')
})

test('events arrive live; text, property, issue-code, verdict and source filters narrow the list', async () => {
  await mp.track('user-1', 'Signed up', { plan: 'pro' })
  await page.waitForSelector('#rows tr td.name:text-is("Signed up")', { timeout: 3000 })
  assert.equal(await page.isVisible('#empty'), false)
  await mp.track('user-2', 'Viewed pricing', { section: 'teams' })
  await mp.track('user-1', 'Viewed pricing', { section: 'enterprise' })
  await mp.track('user-3', 'Signed up', { plan: 'gold', coupon: 'X' } as never)
  await postJson(`${collector.url}/track`, [{ event: 'No token', properties: { distinct_id: 'user-4' } }])
  await postJson(`${collector.url}/com.snowplowanalytics.snowplow/tp2`, {
    schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4',
    data: [{ e: 'pv', p: 'srv', tv: 'node-1', url: 'https://shop.example/' }],
  })
  await waitForNames(['page_view', 'No token', 'Signed up', 'Viewed pricing', 'Viewed pricing', 'Signed up'])
  assert.deepEqual(await page.$$eval('#rows tr .badge', (cells) => cells.map((c) => c.textContent)), [
    'valid',
    'refused',
    'plan issue',
    'valid',
    'valid',
    'valid',
  ])
  await page.waitForFunction(() => document.querySelector('[data-stat="refused"]')?.textContent === '1')
  assert.equal(await page.textContent('[data-stat="violations"]'), '1')

  await page.fill('#filter', 'pricing')
  await waitForNames(['Viewed pricing', 'Viewed pricing'])
  await page.fill('#filter', '')
  await page.fill('#filter-prop', 'plan = pro')
  await waitForNames(['Signed up'])
  await page.fill('#filter-prop', 'section != teams')
  await waitForNames(['page_view', 'No token', 'Signed up', 'Viewed pricing', 'Signed up'])
  await page.fill('#filter-prop', 'section')
  await waitForNames(['Viewed pricing', 'Viewed pricing'])
  await page.fill('#filter-prop', '')
  await page.fill('#filter-issue', 'unplanned_property')
  await waitForNames(['Signed up'])
  await page.fill('#filter-issue', 'missing_token')
  await waitForNames(['No token'])
  await page.fill('#filter-issue', '')
  await page.selectOption('#filter-verdict', 'refused')
  await waitForNames(['No token'])
  await page.selectOption('#filter-verdict', 'violation')
  await waitForNames(['Signed up'])
  await page.selectOption('#filter-verdict', 'all')
  await page.selectOption('#filter-source', 'snowplow')
  await waitForNames(['page_view'])
  // a live item that matches the filter is added; one that does not is not
  await postJson(`${collector.url}/com.snowplowanalytics.snowplow/tp2`, {
    schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4',
    data: [{ e: 'se', p: 'srv', tv: 'node-1', se_ca: 'shop', se_ac: 'add-to-cart' }],
  })
  await mp.track('user-9', 'Viewed pricing', { section: 'x' })
  await waitForNames(['add-to-cart', 'page_view'])
  await page.selectOption('#filter-source', 'all')
  assert.deepEqual(
    (
      await page.$$eval('#issue-codes option', (o) => o.map((x) => (x as unknown as { value: string }).value))
    ).sort(),
    ['invalid_value', 'missing_token', 'unplanned_event', 'unplanned_property'],
  )
})

test('the detail pane separates refusals from plan issues and shows the raw request and response', async () => {
  await send(`${collector.url}/import?strict=1&verbose=1`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from('ui-token:').toString('base64')}`,
    },
    body: JSON.stringify([trackEvent('Imported', 'user-5', { token: 'ui-token', time: Date.now() })]),
  })
  await page.waitForSelector('#rows tr td.name:text-is("Imported")')
  await page.click('#rows tr:has(td.name:text-is("Imported"))')
  await page.waitForSelector('.verdict')
  await page.click('.subtab[data-view="request"]')
  await page.waitForSelector('.request-line')
  assert.match((await page.textContent('.request-line')) ?? '', /^POST \/import\?strict=1&verbose=1$/)
  const headers = (await page.textContent('#detail .subview:not([hidden]) pre.headers')) ?? ''
  assert.match(headers, /^authorization: Basic \[redacted\]$/m)
  assert.doesNotMatch(headers, /dWktdG9rZW46/)
  assert.match((await page.textContent('.raw-body')) ?? '', /"event":"Imported"/)
  assert.equal(await page.textContent('.status-line'), 'HTTP 200')
  assert.equal(
    await page.textContent('.response-body'),
    JSON.stringify({ code: 200, num_records_imported: 1, status: 'OK' }),
  )

  await page.click('#rows tr:has(td.name:text-is("Signed up")):has(.badge.plan)')
  await page.waitForSelector('#plan-issues li')
  assert.equal(await page.isVisible('#issues'), false, 'no refusal for a plan violation')
  assert.match((await page.textContent('.verdict')) ?? '', /plan violation: Mixpanel would accept/)
  const issues = await page.$$eval('#plan-issues li', (items) =>
    items.map((li) => `${li.querySelector('.code')?.textContent} ${li.querySelector('.path')?.textContent}`),
  )
  assert.deepEqual(issues.sort(), ['invalid_value properties.plan', 'unplanned_property properties.coupon'])
  const highlighted = await page.$$eval('pre.json .line.hl', (lines) =>
    lines.map((l) => (l as unknown as PageNode).dataset.path),
  )
  assert.deepEqual(highlighted.sort(), ['properties.coupon', 'properties.plan'])
  await page.click('#rows tr:has(td.name:text-is("No token"))')
  await page.waitForSelector('#issues li')
  assert.match((await page.textContent('.verdict')) ?? '', /refused/)
})

test('markup in a payload is shown as text; a record nested 5,000 deep opens', async () => {
  await postJson(`${collector.url}/track`, [
    {
      event: '<img src=x onerror="window.__pwned=1">',
      properties: {
        token: 'ui-token',
        distinct_id: '<script>window.__pwned=2</script>',
        note: '<b>bold</b>',
      },
    },
  ])
  await page.waitForSelector('#rows tr td.name:text-is("<img src=x onerror=\\"window.__pwned=1\\">")')
  await page.click('#rows tr:first-child')
  await page.waitForSelector('pre.json .line[data-path="properties.note"]')
  assert.equal(await page.evaluate(() => window.__pwned), undefined)
  assert.equal(await page.$$eval('#rows img, #detail img, #detail b, #rows script', (n) => n.length), 0)

  const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`
  const res = await postJson(
    `${collector.url}/track`,
    `[{"event":"Deep","properties":{"token":"ui-token","distinct_id":"d","x":${deep}}}]`,
  )
  assert.equal(res.status, 400)
  await page.waitForSelector('#rows tr td.name:text-is("Deep")')
  await page.click('#rows tr:has(td.name:text-is("Deep"))')
  await page.waitForSelector('#issues li .code:text-is("too_deep_json")')
  assert.match(
    (await page.textContent('#detail pre.payload')) ?? '',
    /nested deeper than 100 levels: not kept/,
  )
  assert.deepEqual(pageErrors, [])
})

test('pause holds new items back and resume shows them', async () => {
  const before = await names()
  await page.click('#pause')
  assert.equal(await page.textContent('#pause'), 'Resume')
  for (const n of [1, 2, 3]) await mp.track('user-p', `Paused ${n}`, {} as never)
  await page.waitForFunction(() => document.querySelector('#buffered')?.textContent === 'paused · 3 new')
  assert.deepEqual(await names(), before)
  await page.click('#pause')
  await waitForNames(['Paused 3', 'Paused 2', 'Paused 1', ...before].slice(0, 200))
  assert.equal(await page.isVisible('#buffered'), false)
})

test('an item that arrives while the list is loading is shown when the list comes', async () => {
  let release: () => void = () => {}
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  let requested: () => void = () => {}
  const asked = new Promise<void>((resolve) => {
    requested = resolve
  })
  // the server answers at once (before the item exists); the page gets the answer after the item
  await page.route('**/_/events?*', async (route) => {
    const response = await route.fetch()
    requested()
    await held
    await route.fulfill({ response })
  })
  await page.selectOption('#filter-source', 'mixpanel')
  await asked
  const events = collector.stats().events + 1
  await mp.track('user-l', 'While loading', {} as never)
  // stats follow the item on the same stream, so the page has seen the item once they show
  await page.waitForFunction(
    (n) => document.querySelector('[data-stat="events"]')?.textContent === n.toLocaleString(),
    events,
  )
  release()
  await page.waitForSelector('#rows tr td.name:text-is("While loading")')
  assert.equal((await names()).filter((name) => name === 'While loading').length, 1)
  await page.unroute('**/_/events?*')
  await page.selectOption('#filter-source', 'all')
  await page.waitForFunction(
    () => document.querySelector('#rows tr td.name')?.textContent === 'While loading',
  )
})

test('an item the last answer already counted is not counted again when the stream brings it late', async () => {
  // The answer says it counted up to one item past the newest stored: the next item to arrive.
  let answer: (total: number) => void = () => {}
  const answered = new Promise<number>((resolve) => {
    answer = resolve
  })
  await page.route('**/_/events?*', async (route) => {
    const response = await route.fetch()
    const body = (await response.json()) as { events: unknown[]; total: number; last: number }
    await route.fulfill({ response, json: { ...body, total: body.total + 1, last: body.last + 1 } })
    answer(body.total + 1)
  })
  await page.selectOption('#filter-source', 'mixpanel')
  const total = await answered
  await page.waitForFunction(
    (n) => document.querySelector('#shown-count')?.textContent?.endsWith(` of ${n}`),
    total,
  )
  await page.unroute('**/_/events?*')
  const shown = await page.textContent('#shown-count')
  const events = collector.stats().events + 1
  await mp.track('user-l', 'Counted already', {} as never)
  await page.waitForFunction(
    (n) => document.querySelector('[data-stat="events"]')?.textContent === n.toLocaleString(),
    events,
  )
  await new Promise((resolve) => setTimeout(resolve, 200))
  assert.equal(await page.textContent('#shown-count'), shown)
  assert.equal((await names()).includes('Counted already'), false)
  await page.selectOption('#filter-source', 'all')
  await page.waitForFunction(
    () => document.querySelector('#rows tr td.name')?.textContent === 'Counted already',
  )
})

test('export downloads the filtered records as NDJSON', async () => {
  await page.fill('#filter', 'pricing')
  await waitForNames(['Viewed pricing', 'Viewed pricing', 'Viewed pricing'])
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')])
  const lines = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split('\n')
  const records = lines.map((line) => JSON.parse(line) as { name: string; distinctId: string; id: number })
  assert.deepEqual(
    records.map((r) => [r.name, r.distinctId]),
    [
      ['Viewed pricing', 'user-2'],
      ['Viewed pricing', 'user-1'],
      ['Viewed pricing', 'user-9'],
    ],
  )
  assert.match(download.suggestedFilename(), /^eventwire-.*\.ndjson$/)
  await page.fill('#filter', '')
})

test('paging reaches records far past 2,000', async () => {
  for (const batch of [0, 1]) {
    const records = Array.from({ length: 1250 }, (_, i) => ({
      event: `Bulk ${batch * 1250 + i}`,
      properties: { token: 'ui-token', distinct_id: 'bulk' },
    }))
    await postJson(`${collector.url}/track`, records)
  }
  const total = collector.stats().events + collector.stats().updates
  // on the newest page, the live stream adds them (and counts them) as they come
  await waitForShown(`1–200 of ${total}`)
  assert.equal((await names())[0], 'Bulk 2499')
  await page.click('#page-older')
  await waitForShown(`201–400 of ${total}`)
  assert.equal((await names())[0], 'Bulk 2299')
  for (let i = 0; i < 11; i++) {
    const shown = await page.textContent('#shown-count')
    await page.click('#page-older')
    await page.waitForFunction((was) => document.querySelector('#shown-count')?.textContent !== was, shown)
  }
  assert.match((await page.textContent('#shown-count')) ?? '', new RegExp(`^2401–${total} of ${total}$`))
  const last = await names()
  assert.ok(last.includes('Bulk 0') && last.includes('Signed up'), last.join(', '))
  assert.equal(await page.isDisabled('#page-older'), true)
  await page.click('#page-newer')
  await waitForShown(`2201–2400 of ${total}`)
  await page.click('#page-newest')
  await waitForShown(`1–200 of ${total}`)
  await page.screenshot({ path: '/tmp/eventwire-ui-events.png' })
  assert.deepEqual(pageErrors, [])
})
