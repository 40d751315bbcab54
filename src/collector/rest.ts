import type { IncomingMessage, ServerResponse } from 'node:http'
import { ConfigError } from '../errors/index.js'
import type { Clock, JsonObject } from '../internal/index.js'
import { type FaultInjector, type FaultOptions, resolveFaults } from './faults.js'
import { discard, HttpError, mediaType, readBody, sendJson } from './http-io.js'
import type { SseHub } from './sse.js'
import type { CollectorStore, ItemQuery } from './storage.js'
import type { ItemKind } from './types.js'

/** What the `/_/*` routes need. */
export interface RestContext {
  store: CollectorStore
  sse: SseHub
  faults: FaultInjector
  clock: Clock
  /** Facts about this collector for the web page (`GET /_/config`). */
  config: JsonObject
  /** Called after `POST /_/reset`. */
  onReset(): void
}

const MAX_LIMIT = 10_000
const KINDS = new Set(['event', 'user', 'group'])

/**
 * The collector's own API under `/_/`: events, profiles, group profiles, stats, reset, faults,
 * config and the live stream. POST routes require `Content-Type: application/json`, which a web
 * page on another origin cannot send without permission, so other sites cannot reset or fault the
 * collector.
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
    if (path === '/_/stream') {
      ctx.sse.add(res, { stats: ctx.store.stats() })
    } else if (path === '/_/stats') {
      sendJson(res, 200, ctx.store.stats())
    } else if (path === '/_/events') {
      sendJson(res, 200, { events: ctx.store.listItems(itemQuery(q)) })
    } else if (path === '/_/config') {
      sendJson(res, 200, ctx.config)
    } else if (path === '/_/faults') {
      sendJson(res, 200, ctx.faults.current)
    } else if (path === '/_/profiles') {
      sendJson(res, 200, { profiles: ctx.store.listProfiles('user', limitOf(q, 100)) })
    } else if (path === '/_/groups') {
      sendJson(res, 200, { groups: ctx.store.listProfiles('group', limitOf(q, 100)) })
    } else if (path.startsWith('/_/profiles/')) {
      const id = segment(path.slice('/_/profiles/'.length))
      const profile = ctx.store.getProfile('user', null, id)
      if (profile === undefined) throw new HttpError(404, `no profile with distinct id ${JSON.stringify(id)}`)
      sendJson(res, 200, profile)
    } else if (path.startsWith('/_/groups/')) {
      const parts = path.slice('/_/groups/'.length).split('/')
      if (parts.length !== 2) throw new HttpError(404, 'use /_/groups/<group key>/<group id>')
      const [key, id] = [segment(parts[0]!), segment(parts[1]!)]
      const group = ctx.store.getProfile('group', key, id)
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
    ctx.store.reset()
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

function itemQuery(q: URLSearchParams): ItemQuery {
  const query: ItemQuery = { limit: limitOf(q, 100), order: 'desc' }
  const valid = q.get('valid')
  if (valid !== null && valid !== '') {
    if (valid === 'true' || valid === '1') query.valid = true
    else if (valid === 'false' || valid === '0') query.valid = false
    else throw new HttpError(400, 'valid must be true or false')
  }
  const name = q.get('name')
  if (name !== null && name !== '') query.name = name
  const distinctId = q.get('distinct_id')
  if (distinctId !== null && distinctId !== '') query.distinctId = distinctId
  const kind = q.get('kind')
  if (kind !== null && kind !== '' && kind !== 'all') {
    if (!KINDS.has(kind)) throw new HttpError(400, 'kind must be event, user, group or all')
    query.kind = kind as ItemKind
  }
  const source = q.get('source')
  if (source !== null && source !== '') query.source = source
  const after = q.get('after')
  if (after !== null && after !== '') {
    const n = Number(after)
    if (!Number.isInteger(n) || n < 0) throw new HttpError(400, 'after must be an item id')
    query.after = n
  }
  const order = q.get('order')
  if (order === 'asc' || order === 'desc') query.order = order
  else if (order !== null && order !== '') throw new HttpError(400, 'order must be asc or desc')
  return query
}

function limitOf(q: URLSearchParams, fallback: number): number {
  const raw = q.get('limit')
  if (raw === null || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
    throw new HttpError(400, `limit must be an integer from 1 to ${MAX_LIMIT}`)
  return n
}

function segment(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the path')
  }
}
