import type { IncomingMessage, ServerResponse } from 'node:http'
import { redactQuery } from '../internal/index.js'
import type { IngestContext } from './context.js'
import type { FaultInjector } from './faults.js'
import { handleFlagsExplain } from './flags-explain-route.js'
import { type FlagsContext, handleFlags } from './flags-routes.js'
import { discard, jsonReply, sendJson, sendReply } from './http-io.js'
import { CORS, handleMixpanel, isMixpanelPath } from './mixpanel-ingest.js'
import { requestRecord } from './request-record.js'
import { handleRest, type RestContext } from './rest.js'
import { handleSnowplow, PIXEL_PATH, TP2_PATH } from './snowplow-ingest.js'
import type { UiAssets } from './ui-assets.js'

/** Everything the request router dispatches to. */
export interface RouterContext {
  ingest: IngestContext
  rest: RestContext
  flags: FlagsContext
  faults: FaultInjector
  ui: UiAssets
  /**
   * When the collector listens on a loopback address, its own API and page answer only requests
   * addressed to a loopback host name, so a web page cannot reach them through DNS rebinding.
   */
  loopbackOnly: boolean
}

const PREFLIGHT = {
  ...CORS,
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type, content-encoding, authorization',
  'access-control-max-age': '600',
}
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]'])

/** The collector's request listener. A failing handler answers 500; the server carries on. */
export function createRouter(ctx: RouterContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(req, res, ctx).catch((error: unknown) => {
      const url = new URL(req.url ?? '/', 'http://collector.invalid')
      ctx.ingest.logger.error(
        { err: (error as Error).message, url: `${url.pathname}${redactQuery(url.search)}` },
        'collector request failed',
      )
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' })
      else res.destroy()
    })
  }
}

async function route(req: IncomingMessage, res: ServerResponse, ctx: RouterContext): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://collector.invalid')
  let path = url.pathname
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1)

  const mixpanel = isMixpanelPath(path) ? path : undefined
  if (mixpanel !== undefined || path === TP2_PATH || path === PIXEL_PATH) {
    if (req.method === 'OPTIONS') {
      discard(req)
      res.writeHead(204, PREFLIGHT).end()
      return
    }
    if (!(await passFaults(req, res, url, ctx))) return
    if (mixpanel !== undefined) await handleMixpanel(mixpanel, req, res, url, ctx.ingest)
    else await handleSnowplow(path, req, res, url, ctx.ingest)
    return
  }
  if (path === '/flags' || path === '/flags/definitions') {
    await handleFlags(path, req, res, url, ctx.flags)
    return
  }
  const own = path.startsWith('/_/') || ctx.ui.has(path)
  if (own && ctx.loopbackOnly && !loopbackHost(req.headers.host)) {
    discard(req)
    sendJson(res, 403, { error: 'the collector API answers only requests addressed to localhost' })
    return
  }
  if (ctx.ui.has(path)) {
    discard(req)
    ctx.ui.serve(path, res)
  } else if (path === '/_/flags/explain') {
    await handleFlagsExplain(req, res, url, ctx.flags)
  } else if (path.startsWith('/_/')) {
    await handleRest(path, req, res, url, ctx.rest)
  } else {
    discard(req)
    sendJson(res, 404, { error: `no route ${path}` })
  }
}

/** Applies injected latency and faults; false when the request was answered (or cut) here. */
async function passFaults(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: RouterContext,
): Promise<boolean> {
  const { clock } = ctx.ingest
  const latency = ctx.faults.latencyMs
  if (latency > 0) await clock.sleep(latency)
  const decision = ctx.faults.decide(clock.now())
  if (decision.kind === 'pass') return true
  discard(req)
  if (decision.kind === 'reset') {
    const reply = { status: 0, headers: {}, body: '(connection reset by an injected fault)' }
    ctx.ingest.refuse(requestRecord(req, url, undefined, reply), clock.now())
    req.socket.destroy()
    return false
  }
  const headers: Record<string, string> = { ...CORS }
  if (decision.retryAfterSec !== null) headers['retry-after'] = String(decision.retryAfterSec)
  const reply = jsonReply(
    decision.status,
    { status: 0, error: `injected fault: HTTP ${decision.status}` },
    headers,
  )
  ctx.ingest.refuse(requestRecord(req, url, undefined, reply), clock.now())
  sendReply(res, reply)
  return false
}

function loopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '')
  const lower = name.toLowerCase()
  return LOOPBACK_NAMES.has(lower) || lower.endsWith('.localhost')
}
