import { type FailedRecord, ImportError, type RejectedMessage } from '../../errors/index.js'
import type { Redactor } from '../../internal/index.js'
import type { Message } from '../../message/index.js'
import type { BatchOutcome } from '../destination.js'

/** Reads a strict-mode `/import` 400 body (its messages redacted); undefined when it carries no usable `failed_records`. */
export function importPartial(
  messages: readonly Message[],
  body: string,
  redactor: Redactor,
): BatchOutcome | undefined {
  let parsed: { failed_records?: unknown; num_records_imported?: unknown }
  try {
    parsed = JSON.parse(body)
  } catch {
    return undefined
  }
  if (!Array.isArray(parsed.failed_records) || parsed.failed_records.length === 0) return undefined
  const byIndex = new Map<number, FailedRecord>()
  const byInsertId = new Map(messages.map((m, i) => [m.id, i]))
  for (const raw of parsed.failed_records as Array<Record<string, unknown>>) {
    const insertId = str(raw.$insert_id) ?? str(raw.insert_id)
    let index = typeof raw.index === 'number' ? raw.index : -1
    if (!(index >= 0 && index < messages.length) && insertId !== undefined)
      index = byInsertId.get(insertId) ?? -1
    if (index < 0 || index >= messages.length) return undefined
    byIndex.set(index, {
      index,
      insertId: insertId ?? messages[index]!.id,
      field: str(raw.field),
      message: redactor.text(str(raw.message) ?? 'refused'),
      record: messages[index],
    })
  }
  const imported =
    typeof parsed.num_records_imported === 'number'
      ? parsed.num_records_imported
      : messages.length - byIndex.size
  const all = new ImportError([...byIndex.values()], imported, { status: 400 })
  const rejected: RejectedMessage[] = []
  const delivered: Message[] = []
  messages.forEach((message, index) => {
    const record = byIndex.get(index)
    if (record === undefined) delivered.push(message)
    else
      rejected.push({
        message,
        reason: 'rejected',
        error: new ImportError([record], 0, { status: 400, cause: all }),
      })
  })
  return { delivered, rejected, retry: [], split: [], status: 400 }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

export function errorText(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown }
    if (typeof parsed?.error === 'string') return parsed.error
  } catch {
    // not JSON: fall through to the raw text
  }
  const text = body.trim()
  return text === '' ? undefined : text.slice(0, 200)
}

export function suffix(text: string | undefined): string {
  return text === undefined ? '' : `: ${text}`
}
