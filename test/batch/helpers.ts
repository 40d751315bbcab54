import { Mixpanel } from '../../src/client/index.js'
import { BatchConsumer, type BatchConsumerOptions } from '../../src/consumers/index.js'
import type { DropReason, Message } from '../../src/message/index.js'
import { type ReceiverHandler, startTestReceiver, type TestReceiver } from '../../src/testing/index.js'

const cleanups: Array<() => Promise<unknown>> = []

/** Closes every receiver and consumer a test opened, also when it failed (use in `afterEach`). */
export async function cleanup(): Promise<void> {
  for (const close of cleanups.splice(0).reverse()) await close().catch(() => {})
}

/** Runs `close` in the next {@link cleanup}. */
export function onCleanup(close: () => Promise<unknown>): void {
  cleanups.push(close)
}

/** `startTestReceiver`, closed by {@link cleanup}; `close()` may be called again. */
export async function startReceiver(handler?: ReceiverHandler): Promise<TestReceiver> {
  const receiver = await startTestReceiver(handler)
  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= receiver.close()
    return closing
  }
  onCleanup(close)
  return { ...receiver, close }
}

/** Polls `condition` every few milliseconds; rejects with `what` if it is still false after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Lets pending microtasks and I/O callbacks run. */
export function tick(times = 3): Promise<void> {
  let p = Promise.resolve()
  for (let i = 0; i < times; i++) p = p.then(() => new Promise<void>((resolve) => setImmediate(resolve)))
  return p
}

/** A consumer plus everything it reported through its callbacks. */
export interface Harness {
  consumer: BatchConsumer
  mp: Mixpanel
  drops: Array<{ reason: DropReason; ids: string[] }>
  delivered: string[]
  failures: Array<{ code: string; ids: string[] }>
  /** Ids dropped with `reason`. */
  dropped(reason: DropReason): string[]
}

/** A BatchConsumer wired to a Mixpanel client, recording onSuccess / onDrop / onFailure. */
export function harness(options: BatchConsumerOptions): Harness {
  const drops: Harness['drops'] = []
  const delivered: string[] = []
  const failures: Harness['failures'] = []
  const ids = (messages: readonly Message[]) => messages.map((m) => m.id)
  const consumer = new BatchConsumer({
    ...options,
    onDrop: (messages, reason) => drops.push({ reason, ids: ids(messages) }),
    onSuccess: (messages) => delivered.push(...ids(messages)),
    onFailure: (error, messages) => failures.push({ code: error.code, ids: ids(messages) }),
  })
  const mp = new Mixpanel('test-token', { consumer })
  onCleanup(() => consumer.close({ timeoutMs: 0 }))
  return {
    consumer,
    mp,
    drops,
    delivered,
    failures,
    dropped: (reason) => drops.filter((d) => d.reason === reason).flatMap((d) => d.ids),
  }
}

/** Tracks `count` events with ids `${prefix}-0` ... and returns the ids. */
export function trackMany(
  mp: Mixpanel,
  count: number,
  prefix = 'e',
  extra: Record<string, unknown> = {},
): string[] {
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    const id = `${prefix}-${i}`
    ids.push(id)
    void mp.track(`user-${i % 7}`, 'Test event', { $insert_id: id, n: i, ...extra })
  }
  return ids
}

/** Sorted copy, for set comparisons. */
export function sorted(values: Iterable<string>): string[] {
  return [...values].sort()
}
