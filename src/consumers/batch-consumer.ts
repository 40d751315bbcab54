import { checkOptions, intOption } from '../internal/index.js'
import type { DropReason, Endpoint, Message } from '../message/index.js'
import type { EventStore } from '../stores/index.js'
import { BATCH_CONSUMER_OPTIONS, BATCH_DEFAULTS, type BatchConsumerOptions } from './batch-options.js'
import { type CloseOnSignalsOptions, closeOnSignals } from './close-on-signals.js'
import type { CloseOptions, CloseResult, EventConsumer, FlushOptions } from './consumer.js'
import { DeliveryEngine } from './engine.js'
import type { EngineEvents } from './engine-events.js'
import { EngineEmitter, type EngineStats } from './engine-events.js'
import { resolveEngineSettings } from './engine-settings.js'
import { markSafeConsumer } from './handled.js'

/** Notifications of {@link BatchConsumer}: those of every consumer, plus `drained`. */
export type BatchConsumerEvents = EngineEvents

/** A snapshot of a {@link BatchConsumer}'s counters. */
export type BatchStats = EngineStats

/** Options of {@link BatchConsumer.flush}. */
export interface BatchFlushOptions extends FlushOptions {
  /** Wait for delivery (`true`), or only start sending what is waiting and resolve at once. @default true */
  wait?: boolean
}

/** Defaults of {@link BatchFlushOptions}. */
export const BATCH_FLUSH_DEFAULTS = { wait: true } as const

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
 * `stats().dropped`, passed to `onDrop` and the `drop` event and logged (`queue_full`,
 * `too_large`, `rejected`, `retries_exhausted`, `closed`, `store_failed`, `corrupt`), or is reported
 * `pending` by `close()`.
 *
 * `send()` resolves once the message is stored, and rejects with the reason when it was not
 * (`EVENTWIRE_QUEUE_FULL`, `EVENTWIRE_MESSAGE_TOO_LARGE`, `EVENTWIRE_STORE_FAILED`,
 * `EVENTWIRE_CLOSED`...); with `overflow: 'block'`, it waits for room. A rejection nobody awaits is
 * never an unhandled rejection.
 *
 * Timers never keep the process alive, except while a `flush()` or `close()` is awaited, and
 * while messages are delivered when the process is about to end without `close()`
 * (`exitTimeoutMs`).
 */
export class BatchConsumer extends EngineEmitter implements EventConsumer {
  /** Messages per request. */
  readonly batchSize: number
  /** Most body bytes per request. */
  readonly byteLimit: number
  /** The store messages wait in. */
  readonly store: EventStore
  readonly #engine: DeliveryEngine

  /** @throws {ConfigError} for an unknown, conflicting or invalid option. */
  constructor(options: BatchConsumerOptions = {}) {
    super()
    checkOptions(options, BATCH_CONSUMER_OPTIONS, 'BatchConsumer')
    const settings = resolveEngineSettings('background', options, BATCH_DEFAULTS)
    this.batchSize = settings.batchSize
    this.byteLimit = settings.byteLimit
    this.store = settings.store
    markSafeConsumer(this)
    this.#engine = new DeliveryEngine(settings, this)
  }

  /** Begins sending in the background (done at construction unless `startOnInit: false`). */
  start(): void {
    this.#engine.start()
  }

  /**
   * Accepts one message, or several. Cheap: the messages are serialised and stored after the
   * caller's code has moved on; the promise settles once they are stored.
   */
  send(endpoint: Endpoint, message: Message | readonly Message[]): Promise<void> {
    return this.#engine.send(endpoint, message, 'stored')
  }

  /**
   * Counts and reports messages dropped before they reached this consumer (see
   * `EventConsumer.drop`): `stats().dropped`, the `drop` event and `onDrop`, like every other drop.
   */
  drop(endpoint: Endpoint, messages: readonly Message[], reason: DropReason, error?: Error): void {
    this.#engine.drop(messages, reason, error, endpoint)
  }

  /**
   * Resolves when everything accepted before the call is delivered or finally failed (dropped and
   * reported). Never rejects: failures surface through `onFailure`, `onDrop`, the events and
   * `stats()`. Overlapping calls share one promise when nothing was accepted in between. Sends
   * even before `start()`. While it waits, the process stays alive (a retry backoff alone would
   * not keep it so). With `{ wait: false }`, starts sending everything waiting and resolves at once.
   * After `close()` resolved, resolves at once (what is still pending stays in the store).
   */
  flush(options: BatchFlushOptions = {}): Promise<void> {
    return this.#engine.flush(options.wait ?? BATCH_FLUSH_DEFAULTS.wait, options.signal)
  }

  /**
   * Sets the interval trigger: from now on a message waits at most `ms` milliseconds for its batch
   * to fill (seed `set_flush_timer`). Replaces `flushIntervalMs`.
   */
  setFlushTimer(ms: number): void {
    this.#engine.setFlushInterval(intOption('ms', ms, 0, 1))
  }

  /** Turns the interval trigger off: only `batchSize`, `byteLimit` and `flush()` send (seed `cancel_flush`). */
  cancelFlushTimer(): void {
    this.#engine.setFlushInterval(0)
  }

  /** A snapshot of the counters. */
  stats(): BatchStats {
    return this.#engine.stats()
  }

  /**
   * Stops intake (later `send()` calls reject with `EVENTWIRE_CLOSED` and count a `closed` drop),
   * sends everything waiting, and at `timeoutMs` aborts requests in flight; their messages go back
   * to the store. Resolves with `sent`, `failed` (retries exhausted), `dropped` (every other
   * reason) and `pending` (accepted, not final: still in the store, lost with a memory store when
   * the process ends). Idempotent; never rejects; no timer or socket is left behind.
   */
  close(options: CloseOptions = {}): Promise<CloseResult> {
    return this.#engine.closeWith(options, 'BatchConsumer.close')
  }

  /**
   * `close()`, for `await using consumer = new BatchConsumer(...)`. A store you passed is not
   * closed (it may outlive the consumer): close it yourself, or declare it with `await using` too.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /**
   * Closes this consumer when the process receives one of `signals` (default SIGTERM and SIGINT)
   * or is about to exit (`beforeExit`). Returns a function that removes the hooks.
   */
  closeOnSignals(options: CloseOnSignalsOptions = {}): () => void {
    return closeOnSignals(this, options)
  }
}
