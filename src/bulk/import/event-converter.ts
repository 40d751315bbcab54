import { MessageBuilder } from '../../client/index.js'
import { isEventwireError, ValidationError } from '../../errors/index.js'
import type { Clock } from '../../internal/index.js'
import type { Message } from '../../message/index.js'
import type { PlanEnforcer } from '../../plan/index.js'
import type { SourceRecord } from '../input/index.js'
import { contentInsertId, type EventMapping, mapRecord, resolveMapping } from './event-mapping.js'

/** A record refused before sending, with the text written to the failed-records file. */
export interface ClientFailure {
  readonly line: number
  readonly reason: string
  readonly field: string | undefined
  /** The failed-records line (JSON, with its line break). */
  readonly text: string
}

/**
 * Turns input records into `/import` messages through the client's `MessageBuilder` (so events
 * get the same validation, limits and shape as `mp.import()`), adding a content-based
 * `$insert_id` when the record has none and checking the tracking plan when one is given.
 */
export class EventConverter {
  readonly #builder: MessageBuilder
  readonly #mapping: ReturnType<typeof resolveMapping>
  readonly #enforcer: PlanEnforcer | undefined

  constructor(
    token: string,
    clock: Clock,
    mapping: EventMapping | undefined,
    enforcer: PlanEnforcer | undefined,
  ) {
    // Profile defaults do not apply to events; the warning callback is unused for imports.
    this.#builder = new MessageBuilder(token, clock, {}, () => {})
    this.#mapping = resolveMapping(mapping)
    this.#enforcer = enforcer
  }

  /** The message for `record`, or why it cannot be sent. Never throws. */
  convert(record: SourceRecord): Message | ClientFailure {
    if (record.error !== undefined) return failure(record, record.error, undefined, record.raw)
    try {
      const mapped = mapRecord(record.value, this.#mapping)
      let name = mapped.event
      let properties = mapped.properties
      if (this.#enforcer !== undefined) {
        const verdict = this.#enforcer.event(name, properties)
        if (verdict.action !== 'send') {
          const issues = verdict.issues.map((i) => `${i.path}: ${i.message}`).join('; ')
          return failure(
            record,
            `tracking plan (${verdict.action}): ${issues}`,
            verdict.issues[0]?.path,
            record.value,
          )
        }
        name = verdict.name
        properties = verdict.properties
      }
      const insertId = mapped.insertId ?? contentInsertId(name, mapped.distinctId, mapped.timeMs, properties)
      const withId = properties === mapped.properties ? properties : { ...properties }
      withId.$insert_id = insertId as string
      // The builder reads numbers below 10^11 as seconds: times before 1973 go in as a Date.
      const time = mapped.timeMs >= 1e11 ? mapped.timeMs : new Date(mapped.timeMs)
      return this.#builder.event('imports', 'import', mapped.distinctId, name, withId, time)
    } catch (error) {
      if (!isEventwireError(error)) throw error
      const field = error instanceof ValidationError ? error.path : undefined
      const reason =
        error instanceof ValidationError && error.path !== undefined
          ? error.message.replace(` (at ${error.path})`, '')
          : error.message
      return failure(record, reason, field, record.value)
    }
  }
}

/** True when `value` is a {@link ClientFailure} rather than a message. */
export function isClientFailure(value: Message | ClientFailure): value is ClientFailure {
  return (value as ClientFailure).text !== undefined
}

function failure(
  record: SourceRecord,
  reason: string,
  field: string | undefined,
  input: unknown,
): ClientFailure {
  const line: Record<string, unknown> = { line: record.line, source: 'client', reason }
  if (field !== undefined) line.field = field
  line.record = input === undefined ? record.raw.slice(0, 10_000) : input
  return { line: record.line, reason, field, text: `${JSON.stringify(line)}\n` }
}
