import {
  DeliveryEngine,
  type DeliveryReport,
  EngineEmitter,
  type EngineEvents,
  type EngineOptions,
  resolveEngineSettings,
} from '../../consumers/index.js'
import type { Destination } from '../../destinations/index.js'
import type { Message } from '../../message/index.js'

/**
 * The delivery engine as bulk work uses it: one call per batch, resolved with what became of each
 * message (delivered, refused, or undelivered after the retries) instead of an error, and a hard
 * stop that aborts the requests in flight.
 */
export class BulkDelivery {
  readonly destination: Destination
  readonly #engine: DeliveryEngine
  readonly #events = new EngineEmitter()
  readonly #signals = new WeakSet<AbortSignal>()

  constructor(options: EngineOptions, batchSize: number, concurrency: number) {
    const settings = resolveEngineSettings(
      'immediate',
      { ...options, batchSize, maxConcurrentRequests: concurrency },
      {
        batchSize,
        flushIntervalMs: 0,
        maxConcurrentRequests: concurrency,
        retryLimit: options.retryLimit ?? 0,
        retryBudgetMs: 0,
      },
    )
    this.destination = settings.parts.destination
    this.#engine = new DeliveryEngine(settings, this.#events)
  }

  /** Requests sent so far. */
  get requests(): number {
    return this.#engine.stats().requests
  }

  /** Subscribes to a notification of the engine. */
  on<K extends keyof EngineEvents>(event: K, listener: (payload: EngineEvents[K]) => void): () => void {
    this.#events.on(event, listener as never)
    return () => this.#events.off(event, listener as never)
  }

  /**
   * Sends `messages` (one kind, one batch) with retries and 413 splits; resolves with what became
   * of them. When `signal` aborts, requests in flight are aborted and nothing more is sent.
   */
  deliver(messages: readonly Message[], signal?: AbortSignal): Promise<DeliveryReport> {
    if (signal !== undefined && !this.#signals.has(signal)) {
      this.#signals.add(signal)
      if (signal.aborted) void this.close()
      else signal.addEventListener('abort', () => void this.close(), { once: true })
    }
    return this.#engine.deliver(messages)
  }

  /** Stops: requests in flight are aborted; what they carried is reported undelivered. */
  close(): Promise<unknown> {
    return this.#engine.close(0)
  }
}
