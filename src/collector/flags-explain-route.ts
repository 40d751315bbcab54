import type { IncomingMessage, ServerResponse } from 'node:http'
import { explainFlags } from './flags-explain.js'
import { contextParam, type FlagsContext } from './flags-routes.js'
import { discard, sendJson } from './http-io.js'

/**
 * `GET /_/flags/explain?context=<json>&flag_key=<key>`: for the page's Flags tab, why each flag
 * (or one) gives this context its variant — `{ flags: [FlagExplanation...] }`.
 */
export async function handleFlagsExplain(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: FlagsContext,
): Promise<void> {
  discard(req)
  if (req.method !== 'GET') {
    sendJson(res, 405, { error: 'use GET' })
    return
  }
  const context = contextParam(url)
  if (context === undefined) {
    sendJson(res, 400, { error: 'context must be a JSON object with distinct_id as a string' })
    return
  }
  const flagKey = url.searchParams.get('flag_key') || undefined
  const definitions = ctx.source.current().definitions
  sendJson(res, 200, { flags: explainFlags(definitions, context, flagKey, ctx.logger) })
}
