import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { type Collector, startCollector } from '../../src/collector/index.js'
import { Mixpanel } from '../../src/index.js'
import { launchChromium } from './browser.js'
import { postJson, waitFor } from './helpers.js'

const PLAN = {
  version: '3.1.0',
  title: 'UI plan',
  additionalProperties: false,
  events: {
    signedUp: {
      name: 'Signed up',
      properties: { plan: { type: 'string', enum: ['free', 'pro'] }, referrer: { type: 'string' } },
      required: ['plan'],
    },
    viewed: { name: 'Viewed pricing', properties: { section: { type: 'string' } } },
    churned: { name: 'Churned', properties: { reason: { type: 'string' } } },
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
        variants: [
          { key: 'off', value: false, is_control: true, split: 0.5 },
          { key: 'on', value: true, is_control: false, split: 0.5 },
        ],
        rollout: [{ rollout_percentage: 1 }],
        test: { users: { 'qa-user': 'on' } },
      },
    },
  ],
}

let browser: Browser
let page: Page
let collector: Collector
let mp: Mixpanel
let dir: string
const pageErrors: string[] = []

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eventwire-ui-tabs-'))
  const flags = join(dir, 'flags.json')
  writeFileSync(flags, JSON.stringify(FLAGS))
  collector = await startCollector({ port: 0, db: join(dir, 'dev.db'), plan: PLAN, flags })
  mp = new Mixpanel('ui-token', { apiHost: collector.url })
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1400, height: 860 } })
  // Waits are for the page's own work; a machine under load (CI runs other suites) needs room.
  page.setDefaultTimeout(90_000)
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto(collector.url)
  await page.waitForSelector('#live[data-state="live"]')
})

after(async () => {
  await browser?.close()
  await mp?.close()
  await collector?.close()
  rmSync(dir, { recursive: true, force: true })
})

const text = (selector: string) => page.textContent(selector)

test('the events/s chart draws from live data', async () => {
  assert.equal(await page.$$eval('#chart rect', (r) => r.length), 0)
  for (let i = 0; i < 6; i++) await mp.track(`u-${i}`, 'Signed up', { plan: i % 2 ? 'pro' : 'free' })
  await mp.track('u-9', 'Signed up', { plan: 'gold' } as never)
  await page.waitForFunction(() => document.querySelector('#chart')?.dataset.total === '7', undefined, {
    timeout: 5000,
  })
  const bars = await page.$$eval('#chart rect', (rects) =>
    rects.map((r) => [r.getAttribute('class'), Number(r.getAttribute('height'))]),
  )
  assert.ok(bars.some(([cls, h]) => cls === 'good' && (h as number) > 0))
  assert.ok(bars.some(([cls, h]) => cls === 'bad' && (h as number) > 0))
  assert.match((await text('#chart-rate')) ?? '', /7 in view/)
  await page.screenshot({ path: '/tmp/eventwire-ui-chart.png' })
})

test('the Plan tab counts planned events seen and never seen, unplanned events and property coverage', async () => {
  await mp.track('u-1', 'Viewed pricing', { section: 'teams' })
  await mp.track('u-1', 'Debug ping', {} as never)
  await mp.track('u-2', 'Debug ping', {} as never)
  await page.click('[data-tab="plan"]')
  await page.waitForSelector('.plan-events')
  await page.waitForFunction(
    () => document.querySelector('.plan-stat[data-stat="unplanned"] .value')?.textContent === '1',
  )
  assert.equal(await text('.plan-stat[data-stat="planned"] .value'), '3')
  assert.equal(await text('.plan-stat[data-stat="seen"] .value'), '2')
  assert.equal(await text('.plan-stat[data-stat="unseen"] .value'), '1')
  const rows = await page.$$eval('.plan-events tbody tr[data-event]', (trs) =>
    trs.map((tr) => [
      tr.dataset.event,
      tr.querySelector('.seen')?.textContent,
      tr.querySelector('.good')?.textContent,
      tr.querySelector('.bad')?.textContent,
      tr.querySelector('.coverage')?.textContent?.trim(),
    ]),
  )
  assert.deepEqual(rows, [
    ['Signed up', '7', '6', '1', '1/2'],
    ['Viewed pricing', '1', '1', '0', '1/1'],
    ['Churned', '0', '0', '0', '0/1'],
  ])
  await page.click('.plan-events tr[data-event="Signed up"]')
  const props = await page.$$eval('.plan-events tr.props:not([hidden]) li', (lis) =>
    lis.map((li) => li.textContent?.replace(/\s+/g, ' ').trim()),
  )
  assert.deepEqual(props, ['plan 7/7 (100%)required', 'referrer 0/7 (0%)'])
  const unplanned = await page.$$eval('.plan-unplanned tr[data-event]', (trs) =>
    trs.map((tr) => [tr.dataset.event, tr.querySelector('.seen')?.textContent]),
  )
  assert.deepEqual(unplanned, [['Debug ping', '2']])
  // live: a new arrival updates the counts
  await mp.track('u-3', 'Churned', { reason: 'price' })
  await page.waitForFunction(
    () => document.querySelector('.plan-stat[data-stat="unseen"] .value')?.textContent === '0',
    undefined,
    {
      timeout: 5000,
    },
  )
  await page.screenshot({ path: '/tmp/eventwire-ui-plan.png' })
})

test('a profile shows its update history and its events, linked both ways; the ".." profile opens', async () => {
  await mp.people.set('u-1', { $name: 'Ada', plan: 'free' })
  await mp.people.set('u-1', { plan: 'pro' })
  await mp.people.increment('u-1', { logins: 2 })
  await mp.people.set('..', { $name: 'Dots' })
  await page.click('[data-tab="profiles"]')
  await page.waitForSelector('#profile-list li:text-is("..")')
  await page.click('#profile-list li:text-is("..")')
  await page.waitForSelector('#profile-detail pre.profile-props')
  assert.match((await text('#profile-detail pre.profile-props')) ?? '', /"\$name": "Dots"/)

  await page.click('#profile-list li:text-is("u-1")')
  await page.waitForSelector('#profile-history li:nth-child(3)')
  const history = await page.$$eval('#profile-history li', (lis) =>
    lis.map((li) =>
      li.textContent
        ?.replace(/^\S+ /, '')
        .replace(/details$/, '')
        .trim(),
    ),
  )
  assert.deepEqual(history, [
    '$set {"$name":"Ada","plan":"free"}',
    '$set {"plan":"pro"}',
    '$add {"logins":2}',
  ])
  assert.match((await text('#profile-detail pre.profile-props')) ?? '', /"plan": "pro"[\s\S]*"logins": 2/)
  const events = await page.$$eval('#profile-events li button', (b) => b.map((x) => x.textContent))
  assert.deepEqual(events, ['Debug ping', 'Viewed pricing', 'Signed up'])
  await page.screenshot({ path: '/tmp/eventwire-ui-profiles.png' })

  // profile → event
  await page.click('#profile-events li button:text-is("Viewed pricing")')
  await page.waitForSelector('#tab-events:not([hidden]) #detail .summary')
  assert.match((await text('#detail .summary')) ?? '', /Viewed pricing/)
  // event → profile
  await page.click('#detail .summary button.link:text-is("u-1")')
  await page.waitForSelector('#tab-profiles:not([hidden]) #profile-history')
  assert.match((await text('#profile-detail .summary')) ?? '', /u-1/)
})

test('the Flags tab says why a variant was chosen: test user, rollout and split', async () => {
  await page.click('[data-tab="flags"]')
  await page.waitForSelector('#flag-rows tr td:text-is("dark-mode")')
  await page.fill('#eval-user', 'qa-user')
  await page.click('#eval-form button[type="submit"]')
  await page.waitForSelector('.explain[data-flag="dark-mode"] .reason')
  assert.equal(await text('.explain[data-flag="dark-mode"] .reason'), 'test user')
  assert.equal(await text('.explain[data-flag="dark-mode"] .variant'), 'on')
  await page.fill('#eval-user', 'user-1')
  await page.click('#eval-form button[type="submit"]')
  await page.waitForSelector('.explain[data-flag="dark-mode"] .reason:text-is("rollout")')
  assert.match(
    (await text('.explain .summary-line')) ?? '',
    /Rollout group 1 \(100%\) takes it: bucket 0\.\d\d < 1; variant bucket 0\.\d\d falls in (on|off)'s share/,
  )
  const selected = await text('.split-bar .part.selected')
  const variant = await text('.explain .variant')
  assert.match(selected ?? '', new RegExp(`^${variant} 50%$`))
  assert.match((await text('#eval-result pre.json')) ?? '', new RegExp(`"variant_key": "${variant}"`))
  await page.screenshot({ path: '/tmp/eventwire-ui-flags.png' })
})

test('faults are switched on and off from the page and show in the recent requests', async () => {
  await page.click('[data-tab="faults"]')
  await page.waitForSelector('#faults-state:text-is("No faults: every request is handled normally.")')
  await page.fill('#faults-form input[name="failRate"]', '1')
  await page.fill('#faults-form input[name="status"]', '503')
  await page.fill('#faults-form input[name="retryAfterSec"]', '7')
  await page.click('#faults-form button[type="submit"]')
  await page.waitForSelector('#faults-state:text-matches("Active: 100% answered 503")')
  assert.equal(await page.isVisible('#faults-on'), true)
  const failed = await postJson(`${collector.url}/track`, [{ event: 'x', properties: { token: 't' } }])
  assert.equal(failed.status, 503)
  assert.equal(failed.headers['retry-after'], '7')
  await page.waitForSelector('#request-rows tr:first-child .bad-status:text-is("503")', { timeout: 5000 })
  await page.click('#request-rows tr:first-child')
  await page.waitForSelector('#request-detail .status-line:text-is("HTTP 503")')
  await page.screenshot({ path: '/tmp/eventwire-ui-faults.png' })
  await page.click('#faults-clear')
  await page.waitForSelector('#faults-state:text-is("No faults: every request is handled normally.")')
  const ok = await postJson(`${collector.url}/track`, [{ event: 'x', properties: { token: 't' } }])
  assert.equal(ok.status, 200)
  await waitFor(() => collector.stats().events > 0)
  assert.deepEqual(pageErrors, [])
})
