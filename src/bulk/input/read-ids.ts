import { createReadStream } from 'node:fs'
import { basename } from 'node:path'
import { createInterface } from 'node:readline'
import { pipeline } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { checkOptions, optionList } from '../../internal/index.js'
import { describeInput, readRecords } from './record-source.js'

/** Options of {@link readIds}. */
export interface ReadIdsOptions {
  /** Field holding the id in CSV and JSON rows. @default 'distinct_id' (or the only CSV column) */
  idField?: string
  /** Called for each line or row that holds no usable id. */
  onInvalid?: (line: number, reason: string) => void
}

/** The names of {@link ReadIdsOptions}. */
export const READ_IDS_OPTIONS = optionList<ReadIdsOptions>()({ idField: true, onInvalid: true })

/**
 * Streams the ids of an id file: a `.csv`/`.tsv` file (the `idField` column, or its only column),
 * an `.ndjson`/`.jsonl`/`.json` file (strings, numbers, or objects with `idField`), or any other
 * file as plain text with one id per line (surrounding spaces trimmed, blank lines skipped).
 * `.gz` is decompressed.
 */
export async function* readIds(path: string, options: ReadIdsOptions = {}): AsyncGenerator<string> {
  checkOptions(options, READ_IDS_OPTIONS, 'readIds')
  const name = basename(path).toLowerCase().replace(/\.gz$/, '')
  const idField = options.idField ?? 'distinct_id'
  const invalid = options.onInvalid ?? (() => {})
  if (!/\.(csv|tsv|ndjson|jsonl|json)$/.test(name)) {
    const input = describeInput(path, 'ndjson')
    const file = createReadStream(path)
    let stream: NodeJS.ReadableStream = file
    if (input.gzip) {
      const gunzip = createGunzip()
      pipeline(file, gunzip, () => {})
      stream = gunzip
    }
    for await (const text of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
      const id = text.trim()
      if (id !== '') yield id
    }
    return
  }
  const input = describeInput(path)
  for await (const chunk of readRecords(input)) {
    for (const record of chunk.records) {
      if (record.error !== undefined) {
        invalid(record.line, record.error)
        continue
      }
      const id = idOf(record.value, idField, input.format === 'csv' ? chunk.csvHeader : undefined)
      if (id === undefined) invalid(record.line, `no ${JSON.stringify(idField)} field`)
      else yield id
    }
  }
}

function idOf(value: unknown, field: string, header: readonly string[] | undefined): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
  const row = value as Record<string, unknown>
  let id = row[field]
  if (id === undefined && header?.length === 1) id = row[header[0]!]
  if (typeof id === 'number' && Number.isFinite(id)) return String(id)
  return typeof id === 'string' && id !== '' ? id : undefined
}
