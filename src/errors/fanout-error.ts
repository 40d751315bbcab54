import type { CodeOf } from './codes.js'
import { EventwireError } from './eventwire-error.js'

const CODE: CodeOf<'FanoutError'> = 'EVENTWIRE_FANOUT_PARTIAL'

/** One consumer's refusal inside a {@link FanoutError}. */
export interface FanoutFailure {
  /** Position of the consumer in the `FanoutConsumer`'s list. */
  readonly consumer: number
  readonly error: unknown
}

/**
 * Some consumers of a `FanoutConsumer` refused a call that others accepted (code
 * `EVENTWIRE_FANOUT_PARTIAL`). `errors` holds each refusal; `accepted` counts the consumers that
 * took it (and deliver it as usual).
 */
export class FanoutError extends EventwireError {
  declare readonly code: CodeOf<'FanoutError'>
  readonly errors: readonly FanoutFailure[]
  readonly accepted: number

  constructor(errors: readonly FanoutFailure[], accepted: number) {
    const first = errors[0]?.error
    const detail = first instanceof Error ? `: ${first.message}` : ''
    super(CODE, `${errors.length} of ${errors.length + accepted} consumers refused the message${detail}`, {
      cause: first,
      retryable: errors.some((e) => (e.error as { retryable?: unknown })?.retryable === true),
    })
    this.name = 'FanoutError'
    this.errors = errors
    this.accepted = accepted
  }
}
