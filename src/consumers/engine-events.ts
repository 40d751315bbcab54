import type { EventwireError } from '../errors/index.js'
import { type Logger, TypedEmitter } from '../internal/index.js'
import type { DropReason, Message } from '../message/index.js'
import type { ConsumerEvents, ConsumerStats } from './consumer.js'

/** Notifications of the delivery engine: those of every consumer, plus `drained`. */
export interface EngineEvents extends ConsumerEvents {
  /** Everything accepted so far is delivered or finally failed (nothing waits, nothing in flight). */
  drained: { sent: number; failed: number; dropped: number }
}

/** The callbacks a consumer's options may give. Each is guarded: one that throws is logged. */
export interface LedgerCallbacks {
  onSuccess?: (messages: readonly Message[]) => void
  onFailure?: (error: EventwireError, unsent: readonly Message[]) => void
  onDrop?: (messages: readonly Message[], reason: DropReason) => void
}

/** A snapshot of a consumer's counters, with what is waiting and in flight. */
export interface EngineStats extends ConsumerStats {
  /** Messages accepted and waiting (in the store, including those backing off before a retry). */
  queued: number
  /** Messages in requests in flight. */
  inFlight: number
  /** Requests in flight. */
  inFlightRequests: number
  /** Until when (ms since epoch) the destination is paused after a failure or `Retry-After`; 0 if never. */
  pausedUntil: number
}

/**
 * What every consumer built on the engine is: a typed `EventEmitter` of the engine's
 * notifications, whose listeners that throw are logged on the consumer's logger.
 */
export class EngineEmitter extends TypedEmitter<EngineEvents> {
  /** Logs listeners that throw on `logger` (called once the consumer's options are resolved). */
  reportListenerErrorsTo(logger: Logger): void {
    this.reportListenerErrors((error, event) =>
      logger.error({ err: error, event }, 'eventwire: an event listener threw'),
    )
  }
}
