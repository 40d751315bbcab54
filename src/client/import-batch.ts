import type { EventConsumer } from '../consumers/index.js'
import { type FailedRecord, ImportError, ValidationError } from '../errors/index.js'
import type { Message } from '../message/index.js'
import { callError, consumerError } from './call-errors.js'
import type { MessageBuilder } from './message-builder.js'
import { PlanDrop, type PlanGate } from './plan-gate.js'

/** One historical event for {@link Mixpanel.importBatch}, in Mixpanel's `{ event, properties }` shape. */
export interface ImportEvent {
  event: string
  properties: Record<string, unknown> & { distinct_id: string; time: Date | number }
}

/**
 * {@link Mixpanel.importBatch}: builds every record (those that fail validation are not sent, and
 * those the plan policy drops are reported to the consumer as dropped), sends the others in one
 * call, and rejects with one `ImportError` naming every refused record by its index in `events`.
 */
export async function importBatch(
  builder: MessageBuilder<PlanGate | undefined>,
  consumer: EventConsumer,
  events: readonly ImportEvent[],
): Promise<void> {
  if (!Array.isArray(events)) {
    throw new ValidationError(
      'EVENTWIRE_INVALID_ARGUMENT',
      'importBatch expects an array of { event, properties }',
      'events',
    )
  }
  const messages: Message[] = []
  const indexOf = new Map<Message, number>()
  const failed: FailedRecord[] = []
  events.forEach((record, index) => {
    let built: Message | PlanDrop
    try {
      const props = (record?.properties ?? {}) as Record<string, unknown>
      const { distinct_id: id, time, ...rest } = props
      built = builder.event('imports', 'importBatch', id ?? null, record?.event, rest, time ?? null)
    } catch (error) {
      const e = callError(error) as ValidationError
      failed.push({ index, insertId: undefined, field: e.path, message: e.message, record: undefined })
      return
    }
    if (built instanceof PlanDrop) {
      built.reportTo(consumer)
      return
    }
    indexOf.set(built, index)
    messages.push(built)
  })
  let sendError: unknown
  if (messages.length > 0) {
    try {
      await consumer.send('imports', messages)
    } catch (error) {
      if (!(error instanceof ImportError)) throw consumerError(error)
      sendError = error
      for (const record of error.failedRecords) {
        const index = record.record ? (indexOf.get(record.record) ?? record.index) : record.index
        failed.push({ ...record, index })
      }
    }
  }
  if (failed.length > 0) {
    failed.sort((a, b) => a.index - b.index)
    throw new ImportError(
      failed,
      messages.length - (failed.length - countClientFailures(failed, messages, indexOf)),
      {
        status: sendError instanceof ImportError ? sendError.status : undefined,
        cause: sendError,
      },
    )
  }
}

function countClientFailures(
  failed: readonly FailedRecord[],
  messages: readonly Message[],
  indexOf: Map<Message, number>,
): number {
  const sentIndexes = new Set(messages.map((m) => indexOf.get(m)))
  return failed.filter((f) => !sentIndexes.has(f.index)).length
}
