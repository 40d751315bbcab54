import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { type Browser, chromium, type Page } from 'playwright-core'
import { type Collector, startCollector } from '../../src/collector/index.js'
import { Mixpanel } from '../../src/index.js'
import { postJson } from './helpers.js'

// Callbacks passed to page functions run in the browser; the project compiles without DOM types.
interface PageNode {
  textContent: string | null
  dataset: Record<string, string | undefined>
}
declare const document: {
  querySelectorAll(selector: string): Iterable<PageNode> & { length: number }
  querySelector(selector: string): PageNode | null
}
declare const window: Record<string, unknown>

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

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

const FLAGS = {
  flags: [
    {
      id: 'f1',
      name: 'Dark mode',
      key: 'dark-mode',
      status: 'enabled',
      project_id: 1,
      context: 'distinct_id',
      ruleset: {
        variants: [{ key: 'on', value: true, is_control: false, split: 1 }],
        rollout: [{ rollout_percentage: 1 }],
      },
    },
  ],
}

let browser: Browser
let page: Page
let collector: Collector
let mp: Mixpanel

let dir: string

// Set up here rather than with the helpers: hooks registered inside before() would run too early.
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eventwire-ui-'))
  const flags = join(dir, 'flags.json')
  writeFileSync(flags, JSON.stringify(FLAGS))
  collector = await startCollector({ port: 0, db: join(dir, 'dev.db'), plan: PLAN, flags })
  mp = new Mixpanel('ui-token', { apiHost: collector.url })
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
  page = await browser.newPage({ viewport: { width: 1400, height: 820 } })
})

after(async () => {
  await browser?.close()
  await mp?.close()
  await collector?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Waits until the table shows exactly these names, top to bottom. */
async function waitForRows(names: string[]): Promise<void> {
  await page.waitForFunction(
    (expected) =>
      JSON.stringify([...document.querySelectorAll('#rows tr td.name')].map((c) => c.textContent)) ===
      expected,
    JSON.stringify(names),
    { timeout: 2000 },
  )
}

test('the web debugger shows events live, filters them and shows issues', async () => {
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto(collector.url)
  await page.waitForSelector('#live[data-state="live"]')
  assert.equal(await page.textContent('[data-stat="events"]'), '0')

  // an event sent through the SDK appears without reloading
  await mp.track('user-1', 'Signed up', { plan: 'pro' })
  await page.waitForSelector('#rows tr td.name:text-is("Signed up")', { timeout: 2000 })
  await mp.track('user-2', 'Viewed pricing', { section: 'teams' })
  await mp.track('user-1', 'Viewed pricing', { section: 'enterprise' })
  await mp.track('user-3', 'Signed up', { plan: 'gold', coupon: 'X' })
  await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 4, undefined, {
    timeout: 2000,
  })
  await page.waitForFunction(
    () => document.querySelector('[data-stat="bad"]')?.textContent === '1',
    undefined,
    {
      timeout: 2000,
    },
  )

  // the filter narrows the table
  await page.fill('#filter', 'pricing')
  await waitForRows(['Viewed pricing', 'Viewed pricing'])
  await page.fill('#filter', 'user-1')
  await waitForRows(['Viewed pricing', 'Signed up'])
  await page.fill('#filter', '')
  await page.selectOption('#filter-valid', 'bad')
  await waitForRows(['Signed up'])
  await page.selectOption('#filter-valid', 'all')
  await waitForRows(['Signed up', 'Viewed pricing', 'Viewed pricing', 'Signed up'])

  // an invalid event shows its issues, and the offending JSON lines are highlighted
  await page.click('#rows tr:has(.badge.invalid)')
  await page.waitForSelector('#issues li')
  const issues = await page.$$eval('#issues li', (items) =>
    items.map((li) => `${li.querySelector('.code')?.textContent} ${li.querySelector('.path')?.textContent}`),
  )
  assert.deepEqual(issues.sort(), ['invalid_value properties.plan', 'unplanned_property properties.coupon'])
  const highlighted = await page.$$eval('pre.json .line.hl', (lines) =>
    lines.map((l) => (l as unknown as PageNode).dataset.path),
  )
  assert.deepEqual(highlighted.sort(), ['properties.coupon', 'properties.plan'])
  mkdirSync('test-results', { recursive: true })
  await page.screenshot({ path: 'test-results/collector-ui.png' })

  // markup in a payload is shown as text, never run
  await postJson(`${collector.url}/track`, [
    {
      event: '<img src=x onerror="window.__pwned=1">',
      properties: { token: 't', distinct_id: '<script>window.__pwned=2</script>', note: '<b>bold</b>' },
    },
  ])
  await page.waitForSelector('#rows tr td.name:text-is("<img src=x onerror=\\"window.__pwned=1\\">")', {
    timeout: 2000,
  })
  await page.click('#rows tr:first-child')
  await page.waitForSelector('pre.json .line[data-path="properties.note"]')
  assert.equal(await page.evaluate(() => window.__pwned), undefined)
  assert.equal(await page.$$eval('#rows img, #detail img, #detail b, #rows script', (n) => n.length), 0)
  assert.match(
    (await page.textContent('pre.json .line[data-path="properties.note"]')) ?? '',
    /"<b>bold<\/b>"/,
  )
  assert.deepEqual(pageErrors, [])
})

test('the profile view and the flags page', async () => {
  await mp.people.set('user-1', { name: 'Ada', plan: 'pro' })
  await page.click('[data-tab="profiles"]')
  await page.waitForSelector('#profile-list li:text-is("user-1")', { timeout: 2000 })
  await page.click('#profile-list li:text-is("user-1")')
  await page.waitForSelector('#profile-detail pre.json')
  const profileText = await page.textContent('#profile-detail pre.json')
  assert.match(profileText ?? '', /"name": "Ada"/)
  assert.match(profileText ?? '', /"plan": "pro"/)

  await page.click('[data-tab="flags"]')
  await page.waitForSelector('#flag-rows tr td:text-is("dark-mode")')
  await page.selectOption('#eval-flag', 'dark-mode')
  await page.fill('#eval-user', 'user-1')
  await page.click('#eval-form button[type="submit"]')
  await page.waitForSelector('#eval-result pre.json')
  const result = await page.textContent('#eval-result pre.json')
  assert.match(result ?? '', /"variant_key": "on"/)
  assert.match(result ?? '', /"variant_value": true/)
})
