/**
 * Platforms that keep a function alive for work handed to `waitUntil` — Vercel Functions
 * (`waitUntil` from `@vercel/functions`, or Next.js `after()`), Cloudflare Workers
 * (`ctx.waitUntil`), Netlify — answer first and deliver after: hand them `mp.flush()`.
 */
import { BatchConsumer, Mixpanel } from '../../src/index.js'

const mp = new Mixpanel(process.env.MIXPANEL_TOKEN ?? 'project-token', {
  consumer: new BatchConsumer({ apiHost: process.env.EVENTWIRE_API_HOST }),
})

/** What such a platform passes to a handler (Cloudflare's `ExecutionContext`, Vercel's `waitUntil`). */
export interface WaitUntilContext {
  waitUntil(promise: Promise<unknown>): void
}

/** A Cloudflare-style handler: `export default { fetch }`. */
export default {
  async fetch(request: Request, _env: unknown, ctx: WaitUntilContext): Promise<Response> {
    const userId = new URL(request.url).searchParams.get('user') ?? 'anonymous'
    void mp.track(userId, 'Page viewed', { path: new URL(request.url).pathname })
    // The response goes out now; the platform keeps the function alive until delivery is done.
    ctx.waitUntil(mp.flush())
    return new Response('ok')
  },
}
