import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs'
import { basename } from 'node:path'
import { pipeline } from 'node:stream'
import { createGunzip, gunzipSync, constants as zlibConstants } from 'node:zlib'
import { BulkError, ConfigError, EventwireError } from '../../errors/index.js'
import { CsvScanner, parseCsvRecord, type ScannedRecord } from './csv.js'
import { ArrayScanner, LineScanner } from './json-scanners.js'

/** Input formats the bulk commands read. `json` is a JSON array, or NDJSON when it does not start with `[`. */
export type InputFormat = 'ndjson' | 'json' | 'csv'

/** An input file, as {@link describeInput} found it. */
export interface InputInfo {
  readonly path: string
  /** The format after detection: `json` means a JSON array. */
  readonly format: InputFormat
  /** Whether the file is gzip-compressed (by its magic bytes). */
  readonly gzip: boolean
  /** Size on disk, in bytes. */
  readonly sizeBytes: number
}

/** One record of an input file. Exactly one of `value` and `error` is set. */
export interface SourceRecord {
  /** 1-based line where the record starts. */
  readonly line: number
  /** Offset just after the record, in bytes of the decompressed input: where a resumed read starts. */
  readonly end: number
  /** Lines of the input before `end` (the `startLine` of a read resumed at `end`). */
  readonly linesBefore: number
  /** The record: a parsed JSON value, or for CSV an object of the non-empty fields by header name. */
  readonly value?: unknown
  /** Why the record cannot be read. */
  readonly error?: string
  /** The record's text (for failed-record reports). */
  readonly raw: string
}

/** Options of {@link readRecords}. */
export interface ReadRecordsOptions {
  /** Decompressed byte offset to start at (from a checkpoint). @default 0 */
  startOffset?: number
  /** Lines before `startOffset`, so line numbers stay right after a resume. @default 0 */
  startLine?: number
  /** CSV header to use when starting past it (from a checkpoint). */
  csvHeader?: readonly string[]
  /** CSV field separator, one character. @default ',' */
  csvDelimiter?: string
  /** Bytes per read. @default 1 MiB */
  chunkBytes?: number
}

/** Records read from one chunk of the file, and how far into the file (on disk) reading got. */
export interface RecordChunk {
  readonly records: SourceRecord[]
  /** Bytes of the file on disk consumed so far (compressed bytes for gzip), for progress. */
  readonly fileBytes: number
  /** The CSV header, once read. */
  readonly csvHeader?: readonly string[]
}

const GZIP_MAGIC = [0x1f, 0x8b]

/**
 * Looks at a file: size, gzip (magic bytes), and format from the name without `.gz` (`.csv` and
 * `.tsv` → csv, `.ndjson` / `.jsonl` → ndjson, otherwise the first byte decides: `[` → JSON
 * array, else NDJSON). @throws {EventwireError} `EVENTWIRE_INPUT_UNREADABLE` when it cannot be read.
 */
export function describeInput(path: string, format?: InputFormat): InputInfo {
  if (format !== undefined && !['ndjson', 'json', 'csv'].includes(format)) {
    throw new ConfigError('format', `expected 'ndjson', 'json' or 'csv', got ${JSON.stringify(format)}`)
  }
  let sizeBytes: number
  let head: Buffer
  try {
    sizeBytes = statSync(path).size
    head = readHead(path, 2)
  } catch (error) {
    throw new BulkError('EVENTWIRE_INPUT_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  const gzip = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]
  const name = basename(path).toLowerCase().replace(/\.gz$/, '')
  let detected = format
  if (detected === undefined) {
    if (/\.(csv|tsv)$/.test(name)) detected = 'csv'
    else if (/\.(ndjson|jsonl)$/.test(name)) detected = 'ndjson'
    else detected = 'json'
  }
  if (detected === 'json') detected = firstByteIsBracket(path, gzip) ? 'json' : 'ndjson'
  return { path, format: detected, gzip, sizeBytes }
}

/**
 * Streams the records of a file in chunks, with flat memory: the file is read 1 MiB at a time
 * (decompressed on the fly for gzip) and split without loading it. Blank lines are skipped.
 * A record that cannot be parsed is yielded with `error` (the rest of the file is still read);
 * a JSON array that breaks off mid-structure throws `EVENTWIRE_INPUT_UNREADABLE`.
 */
export async function* readRecords(
  input: InputInfo,
  options: ReadRecordsOptions = {},
): AsyncGenerator<RecordChunk> {
  const startOffset = options.startOffset ?? 0
  const startLine = options.startLine ?? 0
  const delimiter = options.csvDelimiter ?? (/\.tsv(\.gz)?$/i.test(input.path) ? '\t' : ',')
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new ConfigError('csvDelimiter', 'expected one character other than a quote or a line break')
  }
  const file = createReadStream(input.path, {
    start: input.gzip ? 0 : startOffset,
    highWaterMark: options.chunkBytes ?? 1024 * 1024,
  })
  let source: AsyncIterable<Buffer> = file
  if (input.gzip) {
    const gunzip = createGunzip({ chunkSize: 256 * 1024 })
    pipeline(file, gunzip, () => {})
    source = gunzip
  }
  const header = startOffset > 0 ? options.csvHeader : undefined
  const decoder = new RecordDecoder(input.format, startOffset, startLine, delimiter, header)
  let skip = input.gzip ? startOffset : 0
  let first = startOffset === 0
  try {
    for await (let chunk of source) {
      if (skip > 0) {
        if (chunk.length <= skip) {
          skip -= chunk.length
          continue
        }
        chunk = chunk.subarray(skip)
        skip = 0
      }
      if (first) {
        first = false
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf && input.format !== 'json') {
          chunk = chunk.subarray(3)
          decoder.shift(3)
        }
      }
      const records = decoder.push(chunk)
      const fileBytes = file.bytesRead + (input.gzip ? 0 : startOffset)
      if (records.length > 0) yield { records, fileBytes, csvHeader: decoder.header }
    }
  } catch (error) {
    if (error instanceof EventwireError) throw error
    throw new BulkError(
      'EVENTWIRE_INPUT_UNREADABLE',
      `cannot read ${input.path}: ${(error as Error).message}`,
      { cause: error },
    )
  } finally {
    file.destroy()
  }
  yield { records: decoder.end(), fileBytes: input.sizeBytes, csvHeader: decoder.header }
}

/** Turns scanned records into values: JSON.parse for NDJSON and arrays, header mapping for CSV. */
class RecordDecoder {
  header: readonly string[] | undefined
  readonly #format: InputFormat
  readonly #delimiter: string
  readonly #lines: LineScanner | undefined
  readonly #array: ArrayScanner | undefined
  readonly #csv: CsvScanner | undefined
  #offsetShift = 0

  constructor(
    format: InputFormat,
    startOffset: number,
    startLine: number,
    delimiter: string,
    header: readonly string[] | undefined,
  ) {
    this.#format = format
    this.#delimiter = delimiter
    this.header = header
    if (format === 'ndjson') this.#lines = new LineScanner(startOffset, startLine)
    else if (format === 'json') this.#array = new ArrayScanner(startOffset, startLine)
    else this.#csv = new CsvScanner(startOffset, startLine, delimiter)
  }

  /** Accounts for bytes removed before the scanner saw them (a byte-order mark). */
  shift(bytes: number): void {
    this.#offsetShift += bytes
  }

  push(chunk: Buffer): SourceRecord[] {
    const scanned = this.#lines?.push(chunk) ?? this.#array?.push(chunk) ?? this.#csv!.push(chunk)
    return this.#decode(scanned)
  }

  end(): SourceRecord[] {
    if (this.#csv !== undefined) {
      const { records, unterminated } = this.#csv.end()
      const out = this.#decode(records)
      if (unterminated && out.length > 0) {
        const last = out[out.length - 1]!
        out[out.length - 1] = { ...last, value: undefined, error: 'unterminated quoted field' }
      }
      return out
    }
    return this.#decode(this.#lines?.end() ?? this.#array!.end())
  }

  #decode(scanned: ScannedRecord[]): SourceRecord[] {
    const out: SourceRecord[] = []
    for (const record of scanned) {
      const end = record.end + this.#offsetShift
      const linesBefore = record.linesBefore
      if (this.#format !== 'csv') {
        try {
          out.push({ line: record.line, end, linesBefore, value: JSON.parse(record.text), raw: record.text })
        } catch (error) {
          out.push({
            line: record.line,
            end,
            linesBefore,
            raw: record.text,
            error: `not valid JSON: ${(error as Error).message}`,
          })
        }
        continue
      }
      if (record.text === '') continue
      const fields = parseCsvRecord(record.text, this.#delimiter)
      if (!Array.isArray(fields)) {
        out.push({ line: record.line, end, linesBefore, raw: record.text, error: fields.error })
        continue
      }
      if (this.header === undefined) {
        this.header = fields.map((f) => f.trim())
        continue
      }
      if (fields.length !== this.header.length) {
        out.push({
          line: record.line,
          end,
          linesBefore,
          raw: record.text,
          error: `expected ${this.header.length} fields (as in the header), found ${fields.length}`,
        })
        continue
      }
      const value: Record<string, string> = {}
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i]!
        if (field !== '') value[this.header[i]!] = field
      }
      out.push({ line: record.line, end, linesBefore, value, raw: record.text })
    }
    return out
  }
}

function readHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.alloc(bytes)
    const n = readSync(fd, buf, 0, bytes, 0)
    return buf.subarray(0, n)
  } finally {
    closeSync(fd)
  }
}

/** Whether the first non-blank character of the (decompressed) file is `[`. */
function firstByteIsBracket(path: string, gzip: boolean): boolean {
  let head = readHead(path, 64 * 1024)
  if (gzip) {
    try {
      // A sync flush lets a truncated gzip prefix decompress as far as it goes.
      head = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH })
    } catch {
      return false
    }
  }
  for (const c of head) {
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xef || c === 0xbb || c === 0xbf)
      continue
    return c === 0x5b
  }
  return false
}
