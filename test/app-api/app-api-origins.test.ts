// Every App API command and library function, for every region, a Mixpanel ingestion host given as
// the API host, and custom hosts: the exact URLs requested. Requests go through a transport whose
// `fetch` records them and answers as the App APIs do, so the real Mixpanel hosts can be named.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { deprecateEvents, GdprClient } from '../../src/bulk/index.js'
import { pullPlan, pushPlan } from '../../src/plan/index.js'
import { createFakeClock } from '../../src/testing/index.js'
import { HttpTransport } from '../../src/transport/index.js'
import { runCli, tempDir } from '../cli/helpers.js'
import { runPlanCli } from '../plan/run-plan-cli.js'

const PLAN = fileURLToPath(new URL('../../examples/plan/tracking-plan.yaml', import.meta.url))
const account = { username: 'origin-bot.sa', secret: 'origin-secret-5150' }
const TOKEN = 'project-token-0042'

/** Where the App API requests of a target must go. */
interface Target {
  readonly name: string
  /** The library options choosing the host. */
  readonly options: { region?: 'us' | 'eu' | 'in'; apiHost?: string }
  /** The CLI flags choosing the host. */
  readonly flags: string[]
  /** The App API base every request URL must start with. */
  readonly base: string
}

const TARGETS: readonly Target[] = [
  ...(['us', 'eu', 'in'] as const).map((region) => ({
    name: `region ${region}`,
    options: { region },
    flags: ['--region', region],
    base: `https://${region === 'us' ? '' : `${region}.`}mixpanel.com/api/app`,
  })),
  ...(
    [
      ['api.mixpanel.com', 'https://mixpanel.com/api/app'],
      ['api-eu.mixpanel.com', 'https://eu.mixpanel.com/api/app'],
      ['api-in.mixpanel.com', 'https://in.mixpanel.com/api/app'],
      ['https://api-eu.mixpanel.com', 'https://eu.mixpanel.com/api/app'],
      ['eu.mixpanel.com', 'https://eu.mixpanel.com/api/app'],
      ['https://proxy.example.com/mixpanel/', 'https://proxy.example.com/mixpanel/api/app'],
      ['http://127.0.0.1:4000', 'http://127.0.0.1:4000/api/app'],
    ] as const
  ).map(([apiHost, base]) => ({
    name: `api host ${apiHost}`,
    options: { apiHost },
    flags: ['--api-host', apiHost],
    base,
  })),
  {
    name: 'api host api-eu.mixpanel.com with region us (the host wins)',
    options: { apiHost: 'api-eu.mixpanel.com', region: 'us' },
    flags: ['--api-host', 'api-eu.mixpanel.com', '--region', 'us'],
    base: 'https://eu.mixpanel.com/api/app',
  },
]

/** A transport that records `METHOD URL` of every request and answers as the App APIs would. */
function recordingTransport(): { transport: HttpTransport; sent: string[] } {
  const sent: string[] = []
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input)
    const method = init?.method ?? 'GET'
    sent.push(`${method} ${url}`)
    const body = url.includes('/schemas')
      ? method === 'GET'
        ? { status: 'ok', results: [{ entityType: 'event', name: 'Old', schemaJson: { properties: {} } }] }
        : { status: 'ok', results: { added: 1, deleted: 0 } }
      : method === 'GET'
        ? { results: { status: 'PENDING' } }
        : { status: 'ok', results: { task_id: 'task-1' } }
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    })
  }
  return { transport: new HttpTransport({ fetch: fetch as typeof globalThis.fetch }), sent }
}

const lexicon = (base: string) => `${base}/projects/42/schemas`
const deletions = (base: string) => `${base}/data-deletions/v3.0`

describe('App API origins: library functions', () => {
  for (const target of TARGETS) {
    test(`${target.name}: pushPlan, pullPlan, deprecateEvents and GdprClient request ${target.base}`, async () => {
      const { transport, sent } = recordingTransport()
      const clock = createFakeClock({ autoAdvanceSleeps: true })
      const lexiconOptions = { projectId: 42, serviceAccount: account, ...target.options, transport, clock }
      try {
        await pushPlan(PLAN, lexiconOptions)
        assert.deepEqual(sent.splice(0), [`POST ${lexicon(target.base)}`])

        await pullPlan(lexiconOptions)
        assert.deepEqual(sent.splice(0), [`GET ${lexicon(target.base)}`])

        await deprecateEvents(['Old'], lexiconOptions)
        assert.deepEqual(sent.splice(0), [`GET ${lexicon(target.base)}`, `POST ${lexicon(target.base)}`])

        const gdpr = new GdprClient({
          token: TOKEN,
          gdprToken: 'gdpr-oauth-77',
          ...target.options,
          transport,
          clock,
        })
        await gdpr.createDeletion(['u1'])
        await gdpr.deleteIds(['u2', 'u3'])
        await gdpr.deletionStatus('task-1')
        await gdpr.close()
        assert.deepEqual(sent.splice(0), [
          `POST ${deletions(target.base)}?token=${TOKEN}`,
          `POST ${deletions(target.base)}?token=${TOKEN}`,
          `GET ${deletions(target.base)}/task-1?token=${TOKEN}`,
        ])
      } finally {
        await transport.close()
      }
    })
  }
})

describe('App API origins: CLI commands', () => {
  const dir = tempDir()
  const ids = join(dir, 'ids.txt')
  writeFileSync(ids, 'u1\nu2\n')
  const env = { EVENTWIRE_SERVICE_ACCOUNT: `${account.username}:${account.secret}` }

  for (const target of TARGETS) {
    test(`${target.name}: plan push, plan pull, gdpr delete, gdpr status and events deprecate request ${target.base}`, async () => {
      const { transport, sent } = recordingTransport()
      const clock = createFakeClock({ autoAdvanceSleeps: true })
      try {
        const project = ['--project-id', '42', ...target.flags]
        const push = await runPlanCli(['plan', 'push', PLAN, ...project], { env, transport, clock })
        assert.equal(push.code, 0, push.stderr)
        assert.deepEqual(sent.splice(0), [`POST ${lexicon(target.base)}`])

        const pull = await runPlanCli(['plan', 'pull', ...project], { env, transport, clock })
        assert.equal(pull.code, 0, pull.stderr)
        assert.deepEqual(sent.splice(0), [`GET ${lexicon(target.base)}`])

        const deprecate = await runCli(['events', 'deprecate', 'Old', ...project], { env, transport, clock })
        assert.equal(deprecate.code, 0, deprecate.stderr)
        assert.deepEqual(sent.splice(0), [`GET ${lexicon(target.base)}`, `POST ${lexicon(target.base)}`])

        const gdpr = ['--token', TOKEN, '--gdpr-token', 'gdpr-oauth-77', ...target.flags]
        const del = await runCli(['gdpr', 'delete', '--ids', ids, ...gdpr], { transport, clock })
        assert.equal(del.code, 0, del.stderr)
        assert.deepEqual(sent.splice(0), [`POST ${deletions(target.base)}?token=${TOKEN}`])

        const status = await runCli(['gdpr', 'status', 'task-1', ...gdpr], { transport, clock })
        assert.equal(status.code, 0, status.stderr)
        assert.deepEqual(sent.splice(0), [`GET ${deletions(target.base)}/task-1?token=${TOKEN}`])
      } finally {
        await transport.close()
      }
    })
  }
})
