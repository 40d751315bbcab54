import type { IncomingMessage, ServerResponse } from 'node:http'
import { ConfigError } from '../errors/index.js'
import type { Clock } from '../internal/index.js'
import type { JsonObject } from '../message/index.js'
import type { TrackingPlan } from '../plan/index.js'
import { type FaultInjector, type FaultOptions, resolveFaults } from './faults.js'
import { discard, HttpError, mediaType, readBody, sendJson } from './http-io.js'
import type { PlanCoverage } from './plan-coverage.js'
import { sendExport } from './rest-export.js'
import { filterOf, idOf, itemQuery, limitOf, segment } from './rest-query.js'
import type { SseHub } from './sse.js'
import type { CollectorStorage } from './storage.js'

/** What the `/_/*` routes need. */
export interface RestContext {
  store: CollectorStorage
  sse: SseHub
  faults: FaultInjector
  clock: Clock
  /** Facts about this collector for the web page (`GET /_/config`). */
  config: JsonObject
  /** The tracking plan, when one was given. */
  plan: TrackingPlan | undefined
  /** Counts per event and property, set against the plan (built on first use). */
  coverage(): PlanCoverage
  /** Deletes everything and tells the stream clients. */
  onReset(): void
}

/** Longest window of `GET /_/timeline`, in seconds. */
const MAX_TIMELINE_SECONDS = 3600

/**
 * The collector's own API under `/_/`: events (filtered, paged, counted, exported), requests,
 * profiles, group profiles, stats, timeline, plan coverage, reset, faults, config and the live
 * stream. POST routes require `Content-Type: application/json`, which a web page on another origin
 * cannot send without permission, so other sites cannot reset or fault the collector.
 */
export async function handleRest(
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: RestContext,
): Promise<void> {
  const method = req.method ?? 'GET'
  try {
    if (method === 'POST') {
      await handlePost(path, req, res, ctx)
      return
    }
    discard(req)
    if (method !== 'GET') throw new HttpError(405, 'use GET or POST')
    const q = url.searchParams
    const { store } = ctx
    if (path === '/_/stream') {
      ctx.sse.add(res, { stats: store.stats() })
    } else if (path === '/_/stats') {
      sendJson(res, 200, store.stats())
    } else if (path === '/_/events') {
      const query = itemQuery(q)
      const body: JsonObject = { events: store.listItems(query) as never }
      if (q.get('count') === '1') {
        body.total = store.countItems(filterOf(q))
        // The newest item stored when counting: the stream's items up to it are in the count.
        body.last = store.listItems({ limit: 1, order: 'desc' })[0]?.id ?? 0
      }
      sendJson(res, 200, body)
    } else if (path.startsWith('/_/events/')) {
      const id = idOf(path.slice('/_/events/'.length), 'the item id')
      const item = store.getItem(id)
      if (item === undefined) throw new HttpError(404, `no item ${id}`)
      sendJson(res, 200, item)
    } else if (path === '/_/export') {
      await sendExport(res, store, filterOf(q), ctx.clock.now())
    } else if (path === '/_/requests') {
      sendJson(res, 200, { requests: store.listRequests(limitOf(q, 100)) })
    } else if (path.startsWith('/_/requests/')) {
      const id = idOf(path.slice('/_/requests/'.length), 'the request id')
      const request = store.getRequest(id)
      if (request === undefined) throw new HttpError(404, `no request ${id}`)
      sendJson(res, 200, request)
    } else if (path === '/_/timeline') {
      const raw = q.get('seconds') ?? '120'
      const seconds = Number(raw)
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TIMELINE_SECONDS)
        throw new HttpError(400, `seconds must be an integer from 1 to ${MAX_TIMELINE_SECONDS}`)
      const now = ctx.clock.now()
      sendJson(res, 200, { now, bucketMs: 1000, buckets: store.timeline(now - seconds * 1000, 1000) })
    } else if (path === '/_/plan') {
      sendJson(res, 200, { document: ctx.plan?.document ?? null, coverage: ctx.coverage().report() })
    } else if (path === '/_/config') {
      sendJson(res, 200, ctx.config)
    } else if (path === '/_/faults') {
      sendJson(res, 200, ctx.faults.current)
    } else if (path === '/_/profiles') {
      sendJson(res, 200, { profiles: store.listProfiles('user', limitOf(q, 100)) })
    } else if (path === '/_/groups') {
      sendJson(res, 200, { groups: store.listProfiles('group', limitOf(q, 100)) })
    } else if (path === '/_/profile') {
      // The id in the query string: a distinct id such as `..` cannot survive a URL path.
      const id = q.get('distinct_id')
      if (id === null) throw new HttpError(400, 'give distinct_id')
      const profile = store.getProfile('user', null, id)
      if (profile === undefined) throw new HttpError(404, `no profile with distinct id ${JSON.stringify(id)}`)
      sendJson(res, 200, profile)
    } else if (path === '/_/group') {
      const key = q.get('group_key')
      const id = q.get('group_id')
      if (key === null || id === null) throw new HttpError(400, 'give group_key and group_id')
      const group = store.getProfile('group', key, id)
      if (group === undefined)
        throw new HttpError(404, `no group profile ${JSON.stringify(key)} / ${JSON.stringify(id)}`)
      sendJson(res, 200, group)
    } else if (path.startsWith('/_/profiles/')) {
      const id = segment(path.slice('/_/profiles/'.length))
      const profile = store.getProfile('user', null, id)
      if (profile === undefined) throw new HttpError(404, `no profile with distinct id ${JSON.stringify(id)}`)
      sendJson(res, 200, profile)
    } else if (path.startsWith('/_/groups/')) {
      const parts = path.slice('/_/groups/'.length).split('/')
      if (parts.length !== 2) throw new HttpError(404, 'use /_/groups/<group key>/<group id>')
      const [key, id] = [segment(parts[0]!), segment(parts[1]!)]
      const group = store.getProfile('group', key, id)
      if (group === undefined)
        throw new HttpError(404, `no group profile ${JSON.stringify(key)} / ${JSON.stringify(id)}`)
      sendJson(res, 200, group)
    } else {
      throw new HttpError(404, `no route ${path}`)
    }
  } catch (error) {
    if (!(error instanceof HttpError)) throw error
    discard(req)
    sendJson(res, error.status, { error: error.message })
  }
}

async function handlePost(
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RestContext,
): Promise<void> {
  if (path !== '/_/reset' && path !== '/_/faults') throw new HttpError(404, `no route POST ${path}`)
  if (mediaType(req) !== 'application/json') throw new HttpError(415, 'send Content-Type: application/json')
  const body = await readBody(req, { maxBodyBytes: 64 * 1024, maxDecompressedBytes: 64 * 1024 })
  if (path === '/_/reset') {
    ctx.onReset()
    sendJson(res, 200, ctx.store.stats())
    return
  }
  let options: unknown
  try {
    options = body.length === 0 ? {} : JSON.parse(body.toString('utf8'))
  } catch (error) {
    throw new HttpError(400, `malformed JSON: ${(error as Error).message}`)
  }
  try {
    ctx.faults.set(resolveFaults(options as FaultOptions, ctx.clock.now(), 'faults'))
  } catch (error) {
    if (error instanceof ConfigError) throw new HttpError(400, error.message)
    throw error
  }
  sendJson(res, 200, ctx.faults.current)
}
