import { setMaxListeners } from 'node:events'
import { ClosedError, DeliveryError, EventwireError, type RejectedMessage } from '../errors/index.js'
import { KeepAlive } from '../internal/index.js'
import {
  type DropReason,
  ENDPOINTS,
  type Endpoint,
  isEndpoint,
  type Message,
  messageList,
} from '../message/index.js'
import { InMemoryEventStore } from '../stores/index.js'
import { adoptAll, allBuilt, kindOf } from './admit.js'
import { Batcher } from './batcher.js'
import { type CloseOptions, type CloseResult, closeTimeoutMs } from './consumer.js'
import { Deadline } from './deadline.js'
import { type DeliveryReport, flushError } from './delivery-report.js'
import { Dispatcher } from './dispatcher.js'
import type { EngineEmitter, EngineStats } from './engine-events.js'
import type { EngineSettings } from './engine-settings.js'
import { registerForExit } from './exit-hook.js'
import { handled, untilAborted } from './handled.js'
import { Intake } from './intake.js'
import { Ledger } from './ledger.js'
import { createMetrics } from './metrics.js'
import { Pause } from './pause.js'
import { recover, unpark } from './recovery.js'

const RESOLVED = Promise.resolve()

const noop = () => {}

/**
 * The delivery engine every eventwire consumer is a setting of. Data flows one way: intake (JSON
 * written, size checked, stored) → store → batcher (when to send) → dispatcher (one request,
 * then ack, split, retry or drop) → destination → outcome; the {@link Ledger} keeps every count,
 * waiter and report.
 *
 * While anybody may be waiting for a result (a `send()` that resolves on delivery, a flush, a
 * close), the process is kept alive; messages still held when the process is about to end are
 * delivered first (see `exitTimeoutMs`). No promise it returns rejects unhandled: every refusal is
 * also counted and reported.
 */
export class DeliveryEngine {
  readonly settings: EngineSettings
  readonly ledger: Ledger
  readonly #intake: Intake
  readonly #batcher: Batcher
  readonly #pause: Pause
  readonly #abort = new AbortController()
  readonly #keepAlive = new KeepAlive()
  readonly #unregisterExit: () => void
  #recovering: Promise<void> | undefined
  /** The flushes of a `manual` engine run one after another; `#nextRound` is the one not started yet. */
  #rounds: Promise<unknown> = RESOLVED
  #nextRound: { kind: Endpoint | undefined; promise: Promise<void> } | undefined
  #closing = false
  #stopped = false
  #closed: Promise<CloseResult> | undefined

  /** `events` is the emitter notifications go to (the consumer, which is one). */
  constructor(settings: EngineSettings, events: EngineEmitter) {
    this.settings = settings
    const { parts, store } = settings
    events.reportListenerErrorsTo(parts.logger)
    const metrics = createMetrics(
      settings.meterProvider,
      parts.destination.name,
      () => this.ledger.outstanding,
    )
    // A memory store hands back the very messages it was given; durable ones hand back copies.
    const byIdentity = store instanceof InMemoryEventStore
    this.ledger = new Ledger(parts.destination, parts.logger, settings.callbacks, events, metrics, byIdentity)
    this.#pause = new Pause(parts.policy)
    // Every request in flight listens to this one signal.
    setMaxListeners(0, this.#abort.signal)
    const dispatcher = new Dispatcher({
      ...parts,
      store,
      ledger: this.ledger,
      pause: this.#pause,
      signal: this.#abort.signal,
      metrics,
      settings: {
        retryLimit: settings.retryLimit,
        retryBudgetMs: settings.retryBudgetMs,
        exhausted: settings.mode === 'manual' ? 'park' : 'drop',
      },
    })
    this.#batcher = new Batcher(settings, {
      store,
      ledger: this.ledger,
      dispatcher,
      pause: this.#pause,
      clock: parts.clock,
      intakeIdle: () => this.#intake.idle,
    })
    this.#intake = new Intake({ ...settings, clock: parts.clock }, this.ledger, this.#batcher)
    if (!settings.ownsStore) {
      // A durable store may hold messages from an earlier run: count them before flush() or
      // close() decide what is outstanding.
      const recovering = recover(store, this.ledger, this.#batcher)
      this.#recovering = recovering
      void recovering.finally(() => {
        if (this.#recovering === recovering) this.#recovering = undefined
      })
      this.#intake.waitFor(recovering)
    }
    if (settings.startOnInit || settings.mode === 'immediate') this.#batcher.start()
    this.#unregisterExit = registerForExit(this, settings.exitTimeoutMs)
  }

  /** Messages accepted and not yet final. */
  get outstanding(): number {
    return this.ledger.outstanding
  }

  /** Whether `close()` was called. */
  get closing(): boolean {
    return this.#closing
  }

  /**
   * Accepts one call's messages. `until: 'stored'` settles once they are stored (or rejects with
   * the reason one was refused); `'final'` once they are delivered (or rejects with the delivery
   * error). While a `'final'` call is pending, the process stays alive.
   */
  send(endpoint: Endpoint, message: Message | readonly Message[], until: 'stored' | 'final'): Promise<void> {
    if (!isEndpoint(endpoint)) {
      return this.#refuse(
        new DeliveryError(
          'EVENTWIRE_UNKNOWN_ENDPOINT',
          `Unknown endpoint ${JSON.stringify(endpoint)}: expected events, people, groups or imports`,
        ),
      )
    }
    if (!allBuilt(message)) return this.#sendAdopted(endpoint, message, until)
    if (this.#closing) {
      this.drop(messageList(message), 'closed', new ClosedError())
      return handled(Promise.reject(new ClosedError()))
    }
    if (Array.isArray(message) && message.length === 0) return RESOLVED
    if (until === 'stored') return this.#intake.accept(message, true)
    const done = this.ledger.call(endpoint, message)
    this.#intake.accept(message, false)
    return done
  }

  /**
   * `send()` of messages not all built by eventwire: each is rebuilt once, here. One that cannot
   * be is dropped as `rejected` at once and the call rejects: with its error once the others are
   * stored (`'stored'`), or with the delivery error listing it once the others are final.
   */
  #sendAdopted(
    endpoint: Endpoint,
    given: Message | readonly Message[],
    until: 'stored' | 'final',
  ): Promise<void> {
    const { messages, refused } = adoptAll(endpoint, Array.isArray(given) ? given : [given])
    if (refused.length === 0) return this.send(endpoint, messages, until)
    if (this.#closing) return this.send(endpoint, [...messages, ...refused.map((r) => r.message)], until)
    if (until === 'final') {
      const done = this.ledger.call(endpoint, [...messages, ...refused.map((r) => r.message)])
      this.#refuseAtEntry(refused)
      if (messages.length > 0) this.#intake.accept(messages, false)
      return done
    }
    const stored = messages.length > 0 ? this.#intake.accept(messages, true) : RESOLVED
    this.#refuseAtEntry(refused)
    const error = refused[0]!.error
    return handled(
      stored.then(() => {
        throw error
      }),
    )
  }

  /** Counts messages refused as they were handed over: accepted, then dropped at once. */
  #refuseAtEntry(refused: readonly RejectedMessage[]): void {
    for (const { message } of refused) this.ledger.accept(message)
    this.ledger.rejected(refused)
  }

  /**
   * Accepts messages and resolves with what became of them once each is final (bulk work reads
   * the report instead of an error). The process stays alive meanwhile.
   */
  deliver(messages: readonly Message[]): Promise<DeliveryReport> {
    if (!allBuilt(messages)) {
      const { messages: adopted, refused } = adoptAll(kindOf(messages), messages)
      this.#refuseAtEntry(refused)
      return this.deliver(adopted).then((report) => ({
        ...report,
        rejected: [...report.rejected, ...refused],
      }))
    }
    if (this.#closing) {
      this.drop(messages, 'closed', new ClosedError())
      const rejected = messages.map((message) => ({
        message,
        reason: 'closed' as const,
        error: new ClosedError(),
      }))
      return Promise.resolve({ delivered: [], rejected, undelivered: [], error: undefined })
    }
    const report = this.ledger.ticket(messages)
    this.#intake.accept(messages, false)
    return report
  }

  /**
   * Counts and reports messages dropped before they reached the consumer (a plan violation).
   * Messages eventwire did not build are rebuilt first, or reported by id and kind (`endpoint`).
   */
  drop(given: readonly Message[], reason: DropReason, error?: Error, endpoint: Endpoint = 'events'): void {
    let messages = given
    if (!allBuilt(given)) {
      const adopted = adoptAll(endpoint, given)
      messages = [...adopted.messages, ...adopted.refused.map((r) => r.message)]
    }
    for (const message of messages) this.ledger.accept(message)
    const cause =
      error instanceof EventwireError
        ? error
        : new DeliveryError('EVENTWIRE_DELIVERY_FAILED', error?.message ?? reason, { cause: error })
    this.ledger.dropped(messages, reason, cause)
  }

  /**
   * Resolves when everything accepted before the call is delivered or finally failed. Never
   * rejects. With `wait: false`, only starts sending what is waiting.
   */
  flush(wait = true, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return handled(Promise.reject(signal.reason))
    if (this.#stopped) return RESOLVED
    const recovering = this.#recovering
    if (recovering !== undefined)
      return untilAborted(
        recovering.then(() => this.flush(wait)),
        signal,
      )
    if (!wait || this.ledger.outstanding === 0) {
      this.#batcher.drain(true)
      return RESOLVED
    }
    const { promise } = this.ledger.wait()
    this.#batcher.drain(true)
    return untilAborted(this.#keepAlive.during(promise), signal)
  }

  /**
   * A `manual` engine's flush: sends everything waiting, messages kept by an earlier flush
   * included, with retries; rejects when any message accepted before the call was refused, or is
   * kept undelivered for the next flush. With `kind`, only that endpoint's messages. Flushes run
   * one after another; calls made while one waits to start share it.
   */
  flushRound(kind?: Endpoint, signal?: AbortSignal): Promise<void> {
    return untilAborted(this.#round(kind), signal)
  }

  #round(kind: Endpoint | undefined): Promise<void> {
    const next = this.#nextRound
    if (next !== undefined && next.kind === kind) return next.promise
    const promise = this.#rounds.then(() => {
      if (this.#nextRound?.promise === promise) this.#nextRound = undefined
      return this.#runRound(kind)
    })
    this.#nextRound = { kind, promise }
    this.#rounds = promise.catch(noop)
    return this.#keepAlive.during(handled(promise))
  }

  /** Messages of `kind` waiting to be sent: stored and never attempted, or kept by a failed flush. */
  buffered(kind: Endpoint): number {
    return this.#batcher.waiting(kind) + this.ledger.parkedCount(kind)
  }

  /** Sends nothing until `start()` (unless flushed); see `startOnInit`. */
  start(): void {
    if (!this.#closing) this.#batcher.start()
  }

  /** Replaces the interval trigger; `0` turns it off. */
  setFlushInterval(ms: number): void {
    this.#batcher.setInterval(ms)
  }

  /** A snapshot of the counters. */
  stats(): EngineStats {
    const inFlight = this.#batcher.messagesInFlight
    return {
      ...this.ledger.stats(),
      queued: Math.max(0, this.ledger.outstanding - inFlight),
      inFlight,
      inFlightRequests: this.#batcher.requestsInFlight,
      pausedUntil: this.#pause.until,
    }
  }

  /**
   * Stops intake, sends everything waiting, and at `timeoutMs` aborts requests in flight (their
   * messages go back to the store). Resolves with what happened; idempotent; never rejects.
   */
  close(timeoutMs: number, signal?: AbortSignal): Promise<CloseResult> {
    this.#closed ??= this.#keepAlive.during(this.#close(timeoutMs, signal))
    return this.#closed
  }

  /**
   * A consumer's `close(options)`: the options are checked whole first; bad ones reject the call
   * (a handled rejection) and close nothing.
   */
  closeWith(options: CloseOptions, owner: string): Promise<CloseResult> {
    let timeoutMs: number
    try {
      timeoutMs = closeTimeoutMs(options, owner)
    } catch (error) {
      return handled(Promise.reject(error))
    }
    return this.close(timeoutMs, options.signal)
  }

  /** The exit hook's close: resolves with how many messages are left. */
  async closeForExit(timeoutMs: number): Promise<number> {
    return (await this.close(timeoutMs)).pending
  }

  /** Says on the logger how many messages were left undelivered as the process exits. */
  reportLeftAtExit(): void {
    const count = this.ledger.outstanding
    if (count === 0) return
    this.settings.parts.logger.error(
      { destination: this.settings.parts.destination.name, count },
      `eventwire: ${count} message(s) accepted but not delivered when the process exited`,
    )
  }

  async #runRound(only: Endpoint | undefined): Promise<void> {
    if (this.#stopped) return
    // Messages sent before the flush are all stored first, so that they leave in full batches.
    await this.#intake.whenIdle()
    await unpark(this.settings.store, this.ledger, this.#batcher)
    const { promise, report } = this.ledger.wait(only)
    this.#batcher.drain(true, only)
    await promise
    const error = flushError(
      report(),
      only === undefined ? ENDPOINTS : [only],
      this.settings.parts.destination,
    )
    if (error !== undefined) throw error
  }

  async #close(timeoutMs: number, signal: AbortSignal | undefined): Promise<CloseResult> {
    this.#closing = true
    await this.#recovering
    if (this.settings.mode === 'manual')
      await this.#rounds.then(() => unpark(this.settings.store, this.ledger, this.#batcher))
    const deadline = new Deadline(this.settings.parts.clock, timeoutMs, signal)
    const { promise } = this.ledger.wait()
    this.#batcher.close()
    await Promise.race([promise, deadline.reached])
    deadline.cancel()
    this.#batcher.stop()
    if (deadline.passed) {
      this.#intake.abort()
      this.#abort.abort()
    }
    await Promise.all([this.#batcher.whenIdle(), this.#intake.whenIdle()])
    this.#stopped = true
    this.#unregisterExit()
    this.ledger.stopped(
      new DeliveryError(
        'EVENTWIRE_ABORTED',
        'close() reached its deadline before the message was delivered',
        {
          retryable: true,
        },
      ),
    )
    if (this.settings.parts.ownsTransport) await this.settings.parts.transport.close()
    if (this.settings.ownsStore) await this.settings.store.close().catch(noop)
    const result = this.ledger.closeResult()
    if (result.pending > 0) {
      const where = this.settings.ownsStore
        ? 'kept in memory: lost when the process ends'
        : 'kept in the store'
      this.settings.parts.logger.warn(
        { destination: this.settings.parts.destination.name, count: result.pending },
        `eventwire: close() left ${result.pending} message(s) undelivered (${where})`,
      )
    }
    return result
  }

  #refuse(error: EventwireError): Promise<void> {
    this.settings.parts.logger.warn({ err: error }, `eventwire: a call was refused: ${error.message}`)
    return handled(Promise.reject(error))
  }
}
