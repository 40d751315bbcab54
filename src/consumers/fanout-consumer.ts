import { ConfigError, FanoutError, type FanoutFailure } from '../errors/index.js'
import type { DropReason, Endpoint, Message } from '../message/index.js'
import { type CloseOnSignalsOptions, closeOnSignals } from './close-on-signals.js'
import type { CloseOptions, CloseResult, EventConsumer } from './consumer.js'

/** What {@link FanoutConsumer.close} reports: the sums, and each consumer's own result. */
export interface FanoutCloseResult extends CloseResult {
  /** Each consumer's result, in the order given. */
  readonly consumers: readonly CloseResult[]
}

/**
 * Hands every message to several consumers (seed "multiple emitters"), for example a
 * `BatchConsumer` for Mixpanel and another for a Snowplow collector. Each keeps its own store,
 * retries and stats; a failure of one never stops the others.
 *
 * Errors surface like this: `send()` resolves when every consumer accepted the message. If all
 * refused it for the same reason it rejects with the first consumer's error (e.g.
 * `EVENTWIRE_CLOSED`); if only some refused it, or for different reasons, it rejects with a
 * {@link FanoutError} listing each refusal, after every consumer has answered. `flush()` and
 * `close()` run on all consumers at once; `flush()` rejects the same way when some flushes reject.
 */
export class FanoutConsumer implements EventConsumer {
  /** The consumers, in the order given. */
  readonly consumers: readonly EventConsumer[]
  #closed: Promise<FanoutCloseResult> | undefined

  constructor(consumers: readonly EventConsumer[]) {
    if (!Array.isArray(consumers) || consumers.length === 0) {
      throw new ConfigError('consumers', 'expected a non-empty array of consumers')
    }
    consumers.forEach((c, i) => {
      if (typeof c?.send !== 'function' || typeof c.flush !== 'function' || typeof c.close !== 'function') {
        throw new ConfigError(`consumers[${i}]`, 'expected a consumer (send, flush, close)')
      }
    })
    this.consumers = [...consumers]
  }

  /** Passes the message(s) to every consumer. */
  send(endpoint: Endpoint, message: Message | readonly Message[]): Promise<void> {
    const consumers = this.consumers
    if (consumers.length === 1) return consumers[0]!.send(endpoint, message)
    const calls: Promise<void>[] = new Array(consumers.length)
    for (let i = 0; i < consumers.length; i++) calls[i] = call(() => consumers[i]!.send(endpoint, message))
    return settleAll(calls)
  }

  /** Reports messages dropped before they reached the consumers to each one that supports it. */
  drop(endpoint: Endpoint, messages: readonly Message[], reason: DropReason, error?: Error): void {
    for (const consumer of this.consumers) consumer.drop?.(endpoint, messages, reason, error)
  }

  /** Flushes every consumer at once; resolves when all did. */
  flush(): Promise<void> {
    return settleAll(this.consumers.map((c) => call(() => c.flush())))
  }

  /** Closes every consumer at once with the same deadline. Idempotent; never rejects. */
  close(options: CloseOptions = {}): Promise<FanoutCloseResult> {
    this.#closed ??= Promise.all(
      this.consumers.map((c) =>
        call(() => c.close(options)).catch(
          (): CloseResult => ({ sent: 0, failed: 0, dropped: 0, pending: 0 }),
        ),
      ),
    ).then((results) => ({
      sent: sum(results, 'sent'),
      failed: sum(results, 'failed'),
      dropped: sum(results, 'dropped'),
      pending: sum(results, 'pending'),
      consumers: results,
    }))
    return this.#closed
  }

  /** `close()`, for `await using consumer = new FanoutConsumer(...)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** Closes every consumer on SIGTERM, SIGINT or `beforeExit`; see `closeOnSignals`. */
  closeOnSignals(options: CloseOnSignalsOptions = {}): () => void {
    return closeOnSignals(this, options)
  }
}

/** Runs `fn`, turning a synchronous throw into a rejection. */
function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn()
  } catch (error) {
    return Promise.reject(error)
  }
}

async function settleAll(calls: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(calls)
  const errors: FanoutFailure[] = []
  results.forEach((r, consumer) => {
    if (r.status === 'rejected') errors.push({ consumer, error: r.reason })
  })
  if (errors.length === 0) return
  const codes = new Set(errors.map((e) => (e.error as { code?: unknown })?.code))
  if (errors.length === results.length && codes.size === 1) throw errors[0]!.error
  throw new FanoutError(errors, results.length - errors.length)
}

function sum(results: readonly CloseResult[], key: keyof CloseResult): number {
  let total = 0
  for (const r of results) total += r[key]
  return total
}
