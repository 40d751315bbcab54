import { EventwireError } from '../errors/index.js'
import {
  type DropReason,
  type Endpoint,
  intOption,
  isEndpoint,
  type Message,
  TypedEmitter,
} from '../internal/index.js'
import type { EventStore } from '../stores/index.js'
import { reportDrops, reportStoreFailure } from './batch-dispatch.js'
import { BatchIntake, closedError } from './batch-intake.js'
import { type BatchConsumerOptions, type ResolvedBatchOptions, resolveBatchOptions } from './batch-options.js'
import { BatchScheduler } from './batch-scheduler.js'
import { type CloseOnSignalsOptions, closeOnSignals } from './close-on-signals.js'
import type { CloseOptions, CloseResult, ConsumerEvents, ConsumerStats, EventConsumer } from './consumer.js'
import { Delivery } from './delivery.js'
import { FlushTracker } from './flush-tracker.js'
import { KeepAlive } from './keep-alive.js'

/** Notifications of {@link BatchConsumer}: those of every consumer, plus `drained`. */
export interface BatchConsumerEvents extends ConsumerEvents {
  /** Everything accepted so far is delivered or finally failed (nothing waits, nothing in flight). */
  drained: { sent: number; failed: number; dropped: number }
}

/** A snapshot of a {@link BatchConsumer}'s counters. */
export interface BatchStats extends ConsumerStats {
  /** Messages accepted and waiting (in the store, including those backing off before a retry). */
  queued: number
  /** Messages in requests in flight. */
  inFlight: number
  /** Requests in flight. */
  inFlightRequests: number
  /** Until when (ms since epoch) the destination is paused after a failure or `Retry-After`; 0 if never. */
  pausedUntil: number
}

/** Options of {@link BatchConsumer.flush}. */
export interface FlushOptions {
  /** Wait for delivery (`true`), or only start sending what is waiting and resolve at once. @default true */
  wait?: boolean
}

const RESOLVED = Promise.resolve()

/**
 * Sends messages in the background, in batches (seed "BatchEventProcessor" / "AsyncEmitter").
 * `send()` only stores the message; batches leave when `batchSize` messages or `byteLimit` bytes
 * of one kind are waiting, when the oldest has waited `flushIntervalMs`, when the store is full, or
 * on `flush()`. Up to `maxConcurrentRequests` requests are in flight. A failed request is retried
 * per message with jittered exponential backoff (`retryLimit`, `retryBudgetMs`, `maxRetryDelayMs`,
 * `customRetryCodes`), by releasing its messages to the store with a `notBefore` time; a
 * `Retry-After` and consecutive failures pause the whole destination. A 413 halves the batch down
 * to single messages; `/import` `failed_records` drop only those records; an error that cannot
 * succeed on retry (a refused TLS certificate) drops the messages at once.
 *
 * Nothing is lost silently: every message ends delivered, or dropped with a reason counted in
 * `stats().dropped` and passed to `onDrop` and the `drop` event (`queue_full`, `too_large`,
 * `rejected`, `retries_exhausted`, `closed`), or is reported `pending` by `close()`.
 *
 * `send()` resolves once the message is stored (with `overflow: 'block'`, once there was room);
 * calls made in the same tick share one promise. It resolves even when the message is dropped
 * for lack of room or size (reported as above, so a fire-and-forget `track()` never produces an
 * unhandled rejection), and rejects only with `EVENTWIRE_UNKNOWN_ENDPOINT`, `EVENTWIRE_CLOSED`
 * (after `close()`, or when close's deadline cut a wait for room), or the store's own error if it
 * could not store the message.
 *
 * Timers never keep the process alive, except while a `flush()` or `close()` is being awaited.
 */
export class BatchConsumer implements EventConsumer {
  /** Messages per request. */
  readonly batchSize: number
  /** Most body bytes per request. */
  readonly byteLimit: number
  /** The store messages wait in. */
  readonly store: EventStore
  readonly #options: ResolvedBatchOptions
  readonly #delivery: Delivery
  readonly #tracker: FlushTracker
  readonly #scheduler: BatchScheduler
  readonly #intake: BatchIntake
  readonly #events = new TypedEmitter<Pick<BatchConsumerEvents, 'drained'>>()
  readonly #keepAlive = new KeepAlive()
  #closing = false
  #recovering: Promise<void> | undefined
  /** close() finished: nothing will be sent any more. */
  #stopped = false
  #closed: Promise<CloseResult> | undefined

  constructor(options: BatchConsumerOptions = {}) {
    this.#options = resolveBatchOptions(options)
    const opts = this.#options
    this.batchSize = opts.batchSize
    this.byteLimit = opts.byteLimit
    this.store = opts.store
    this.#delivery = new Delivery(opts.parts)
    this.#tracker = new FlushTracker(() => {
      if (this.#events.listenerCount('drained') === 0) return
      const s = this.#delivery.stats
      this.#events.emit('drained', { sent: s.sent, failed: s.failed, dropped: droppedTotal(s) - s.failed })
    })
    this.#scheduler = new BatchScheduler(this.#delivery, this.#tracker, opts, () => this.#intake.idle)
    this.#intake = new BatchIntake(this.#delivery, this.#tracker, this.#scheduler, opts)
    if (!opts.ownsStore) {
      // A durable store may hold messages from an earlier run: count them before flush()/close()
      // decide what is outstanding.
      const recovering = this.#recover()
      this.#recovering = recovering
      void recovering.finally(() => {
        if (this.#recovering === recovering) this.#recovering = undefined
      })
      this.#intake.waitFor(recovering)
    }
    if (opts.startOnInit) this.start()
  }

  /** Begins sending in the background (done at construction unless `startOnInit: false`). */
  start(): void {
    if (this.#closing) return
    this.#scheduler.start()
  }

  /**
   * Accepts one message, or several. Cheap: no timer, no per-call promise; the messages are stored
   * in the next microtask, together with every other message sent in the same tick.
   */
  send(endpoint: Endpoint, message: Message | readonly Message[]): Promise<void> {
    if (this.#closing) return this.#refuseClosed(message)
    if (!isEndpoint(endpoint)) {
      return Promise.reject(
        new EventwireError(
          'EVENTWIRE_UNKNOWN_ENDPOINT',
          `Unknown endpoint ${JSON.stringify(endpoint)}: expected events, people, groups or imports`,
        ),
      )
    }
    if (Array.isArray(message)) for (const m of message as readonly Message[]) this.#intake.accept(m)
    else this.#intake.accept(message as Message)
    return this.#intake.pending ?? RESOLVED
  }

  /**
   * Counts and reports messages dropped before they reached this consumer (see
   * `EventConsumer.drop`): `stats().dropped`, the `drop` event and `onDrop`, like every other drop.
   */
  drop(_endpoint: Endpoint, messages: readonly Message[], reason: DropReason, error?: Error): void {
    const cause =
      error instanceof EventwireError
        ? error
        : new EventwireError('EVENTWIRE_DELIVERY_FAILED', error?.message ?? reason, { cause: error })
    reportDrops(this.#delivery, this.#options.onDrop, messages, reason, cause)
  }

  /**
   * Resolves when everything accepted before the call is delivered or finally failed (dropped and
   * reported). Never rejects: failures surface through `onFailure`, `onDrop`, the events and
   * `stats()`. Overlapping calls share one promise when nothing was accepted in between. Sends
   * even before `start()`. While it waits, the process stays alive (a retry backoff alone would
   * not keep it so). With `{ wait: false }`, starts sending everything waiting and resolves at once.
   * After `close()` resolved, resolves at once (what is still pending stays in the store).
   */
  flush(options: FlushOptions = {}): Promise<void> {
    if (this.#stopped) return RESOLVED
    const recovering = this.#recovering
    if (recovering !== undefined) return recovering.then(() => this.flush(options))
    if (options.wait === false || this.#tracker.outstanding === 0) {
      this.#scheduler.drain(true)
      return RESOLVED
    }
    const done = this.#tracker.wait()
    this.#scheduler.drain(true)
    return this.#keepAlive.during(done)
  }

  /**
   * Sets the interval trigger: from now on a message waits at most `ms` milliseconds for its batch
   * to fill (seed `set_flush_timer`). Replaces `flushIntervalMs`.
   */
  setFlushTimer(ms: number): void {
    this.#scheduler.setInterval(intOption('ms', ms, 0, 1))
  }

  /** Turns the interval trigger off: only `batchSize`, `byteLimit` and `flush()` send (seed `cancel_flush`). */
  cancelFlushTimer(): void {
    this.#scheduler.setInterval(0)
  }

  /** Subscribes to a notification (`request`, `success`, `retry`, `drop`, `failure`, `drained`). */
  on<K extends keyof BatchConsumerEvents>(
    event: K,
    listener: (payload: BatchConsumerEvents[K]) => void,
  ): () => void {
    if (event === 'drained')
      return this.#events.on('drained', listener as (p: BatchConsumerEvents['drained']) => void)
    return this.#delivery.events.on(
      event as keyof ConsumerEvents,
      listener as (payload: ConsumerEvents[keyof ConsumerEvents]) => void,
    )
  }

  /** A snapshot of the counters. */
  stats(): BatchStats {
    const s = this.#delivery.stats
    const inFlight = this.#scheduler.messagesInFlight
    return {
      ...s,
      dropped: { ...s.dropped },
      queued: Math.max(0, this.#tracker.outstanding - inFlight),
      inFlight,
      inFlightRequests: this.#scheduler.requestsInFlight,
      pausedUntil: this.#scheduler.pausedUntil,
    }
  }

  /**
   * Stops intake (later `send()` calls reject with `EVENTWIRE_CLOSED` and count a `closed` drop),
   * sends everything waiting, and at `timeoutMs` aborts requests in flight; their messages go back
   * to the store. Resolves with `sent`, `failed` (retries exhausted), `dropped` (every other
   * reason) and `pending` (accepted, not final: still in the store, lost with a memory store when
   * the process ends). Idempotent; never rejects; no timer or socket is left behind.
   */
  close(options: CloseOptions = {}): Promise<CloseResult> {
    this.#closed ??= this.#keepAlive.during(this.#close(intOption('timeoutMs', options.timeoutMs, 10_000, 0)))
    return this.#closed
  }

  /**
   * Closes this consumer when the process receives one of `signals` (default SIGTERM and SIGINT)
   * or is about to exit (`beforeExit`). Returns a function that removes the hooks.
   */
  closeOnSignals(options: CloseOnSignalsOptions = {}): () => void {
    return closeOnSignals(this, options)
  }

  async #close(timeoutMs: number): Promise<CloseResult> {
    this.#closing = true
    await this.#recovering
    const clock = this.#delivery.clock
    let timedOut = false
    let timer: { cancel(): void } | undefined
    const deadline = new Promise<void>((resolve) => {
      timer = clock.setTimeout(() => {
        timedOut = true
        resolve()
      }, timeoutMs)
    })
    const drained = this.#tracker.wait()
    this.#scheduler.close()
    await Promise.race([drained, deadline])
    timer?.cancel()
    if (timedOut) {
      this.#intake.abort()
      this.#scheduler.abort()
    } else this.#scheduler.stop()
    await Promise.all([this.#scheduler.whenIdle(), this.#intake.whenIdle()])
    this.#stopped = true
    this.#tracker.releaseAll()
    await this.#delivery.transport.close()
    if (this.#options.ownsStore) await this.store.close().catch(() => {})
    const s = this.#delivery.stats
    return {
      sent: s.sent,
      failed: s.failed,
      dropped: droppedTotal(s) - s.failed,
      pending: this.#tracker.outstanding,
    }
  }

  /** Counts messages a durable store already holds, so flush() and close() wait for them too. */
  async #recover(): Promise<void> {
    try {
      const size = await this.store.size()
      if (size.count > 0) {
        this.#tracker.acceptUntracked(size.count)
        this.#scheduler.drain()
      }
    } catch (error) {
      reportStoreFailure(this.#delivery, this.#options, error, 'size', 'events', [])
    }
  }

  #refuseClosed(message: Message | readonly Message[]): Promise<void> {
    const error = closedError()
    const messages = Array.isArray(message) ? (message as readonly Message[]) : [message as Message]
    reportDrops(this.#delivery, this.#options.onDrop, messages, 'closed', error)
    return Promise.reject(error)
  }
}

function droppedTotal(stats: ConsumerStats): number {
  let total = 0
  for (const reason in stats.dropped) total += stats.dropped[reason as DropReason]
  return total
}
