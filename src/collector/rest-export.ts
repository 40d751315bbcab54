import type { ServerResponse } from 'node:http'
import type { CollectorStorage, ItemFilter } from './storage.js'

/** Items written between two checks of the response's buffer. */
const CHUNK = 500

/**
 * Streams every item matching `filter` as NDJSON (one stored item per line, oldest first), as a
 * download named after the time. Waits for the client to drain its buffer between chunks, so a
 * large export never sits in memory whole.
 */
export async function sendExport(
  res: ServerResponse,
  store: CollectorStorage,
  filter: ItemFilter,
  now: number,
): Promise<void> {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-')
  res.writeHead(200, {
    'content-type': 'application/x-ndjson; charset=utf-8',
    'content-disposition': `attachment; filename="eventwire-${stamp}.ndjson"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  })
  let after = 0
  for (;;) {
    if (res.destroyed) return
    const page = store.listItems({ ...filter, after, limit: CHUNK, order: 'asc' })
    if (page.length === 0) break
    let text = ''
    for (const item of page) text += `${JSON.stringify(item)}\n`
    after = page[page.length - 1]!.id
    if (!res.write(text)) {
      await new Promise<void>((resolve) => {
        res.once('drain', resolve)
        res.once('close', resolve)
      })
    }
    if (page.length < CHUNK) break
  }
  res.end()
}
