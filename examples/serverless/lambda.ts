/**
 * AWS Lambda: the client lives at module scope (reused by warm invocations); events are tracked
 * without awaiting while the handler works, and `flush()` is awaited before returning, because
 * the runtime freezes the process as soon as the handler's promise settles.
 */
import { BatchConsumer, Mixpanel } from '../../src/index.js'

const mp = new Mixpanel(process.env.MIXPANEL_TOKEN ?? 'project-token', {
  // Locally, EVENTWIRE_API_HOST points at `eventwire dev`; in AWS it is unset (api.mixpanel.com).
  consumer: new BatchConsumer({ apiHost: process.env.EVENTWIRE_API_HOST }),
})

interface OrderEvent {
  userId: string
  orderId: string
  amount: number
}

export async function handler(event: OrderEvent): Promise<{ statusCode: number; body: string }> {
  void mp.track(event.userId, 'Order placed', { orderId: event.orderId, amount: event.amount })
  void mp.people.increment(event.userId, { orders: 1 })
  // ... the handler's own work ...
  await mp.flush()
  return { statusCode: 200, body: JSON.stringify({ ok: true }) }
}
