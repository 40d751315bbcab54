const QUOTE = 0x22
const NEWLINE = 0x0a

/** One CSV record found by {@link CsvScanner}: where it is and its raw text (line break removed). */
export interface ScannedRecord {
  /** 1-based line of the record's first character. */
  readonly line: number
  /** Offset just after the record's line break, in bytes of the decoded input. */
  readonly end: number
  /** Lines of the input before `end`: where line counting resumes from a checkpoint at `end`. */
  readonly linesBefore: number
  readonly text: string
}

/**
 * Splits a byte stream into CSV records: a record ends at a line break outside double quotes, so
 * quoted fields may hold line breaks. Works on bytes (quotes and line breaks are ASCII and never
 * part of a multi-byte UTF-8 sequence), which keeps exact byte offsets for checkpoints.
 */
export class CsvScanner {
  #carry: Buffer = Buffer.alloc(0)
  /** Absolute offset of `#carry[0]`. */
  #carryStart: number
  /** Bytes of `#carry` already scanned. */
  #scanned = 0
  #inQuotes = false
  #line: number
  readonly #delimiter: number

  /** `delimiter` must be a single ASCII character. */
  constructor(startOffset: number, startLine: number, delimiter = ',') {
    this.#carryStart = startOffset
    this.#line = startLine + 1
    this.#delimiter = delimiter.charCodeAt(0)
  }

  /** Feeds the next chunk; returns the records it completed. */
  push(chunk: Buffer): ScannedRecord[] {
    const buf = this.#carry.length === 0 ? chunk : Buffer.concat([this.#carry, chunk])
    const out: ScannedRecord[] = []
    let pos = this.#scanned
    let recordStart = 0
    let quote = -2
    for (;;) {
      if (this.#inQuotes) {
        const q = buf.indexOf(QUOTE, pos)
        if (q === -1) {
          pos = buf.length
          break
        }
        // A quote at the end of the chunk may be the first half of an escaped `""`: decide later.
        if (q + 1 === buf.length) {
          pos = q
          break
        }
        if (buf[q + 1] === QUOTE) {
          pos = q + 2
          continue
        }
        this.#inQuotes = false
        pos = q + 1
        continue
      }
      if (quote !== -1 && quote < pos) quote = buf.indexOf(QUOTE, pos)
      const newline = buf.indexOf(NEWLINE, pos)
      if (quote !== -1 && (newline === -1 || quote < newline)) {
        // Only a quote that starts a field opens a quoted field; elsewhere it is a literal character.
        if (quote === recordStart || buf[quote - 1] === this.#delimiter) this.#inQuotes = true
        pos = quote + 1
        continue
      }
      if (newline === -1) {
        pos = buf.length
        break
      }
      this.#emit(out, buf, recordStart, newline, newline + 1)
      recordStart = newline + 1
      pos = recordStart
    }
    this.#carry = buf.subarray(recordStart)
    this.#carryStart += recordStart
    this.#scanned = pos - recordStart
    return out
  }

  /** Ends the input: returns the last record (without a final line break), if any. */
  end(): { records: ScannedRecord[]; unterminated: boolean } {
    const out: ScannedRecord[] = []
    const closedAtEnd = this.#scanned === this.#carry.length - 1 && this.#carry[this.#scanned] === QUOTE
    const unterminated = this.#inQuotes && !closedAtEnd
    if (this.#carry.length > 0) this.#emit(out, this.#carry, 0, this.#carry.length, this.#carry.length)
    this.#carry = Buffer.alloc(0)
    return { records: out, unterminated }
  }

  #emit(out: ScannedRecord[], buf: Buffer, start: number, stop: number, next: number): void {
    const line = this.#line
    let breaks = 1
    for (let i = buf.indexOf(NEWLINE, start); i !== -1 && i < stop; i = buf.indexOf(NEWLINE, i + 1)) breaks++
    this.#line += breaks
    let textEnd = stop
    if (textEnd > start && buf[textEnd - 1] === 0x0d) textEnd--
    out.push({
      line,
      end: this.#carryStart + next,
      linesBefore: this.#line - 1,
      text: buf.toString('utf8', start, textEnd),
    })
  }
}

/**
 * Splits one CSV record into fields: `delimiter`-separated, fields optionally in double quotes,
 * `""` inside quotes for a literal quote. Returns an error message for malformed quoting.
 */
export function parseCsvRecord(text: string, delimiter = ','): string[] | { error: string } {
  const fields: string[] = []
  let i = 0
  const n = text.length
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      let value = ''
      let j = i + 1
      for (;;) {
        const q = text.indexOf('"', j)
        if (q === -1) return { error: `unterminated quoted field ${fields.length + 1}` }
        value += text.slice(j, q)
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += '"'
          j = q + 2
          continue
        }
        i = q + 1
        break
      }
      fields.push(value)
      if (i >= n) return fields
      if (!text.startsWith(delimiter, i)) {
        return { error: `unexpected text after the closing quote of field ${fields.length}` }
      }
      i += delimiter.length
      if (i >= n) {
        fields.push('')
        return fields
      }
      continue
    }
    const next = text.indexOf(delimiter, i)
    if (next === -1) {
      fields.push(text.slice(i))
      return fields
    }
    fields.push(text.slice(i, next))
    i = next + delimiter.length
    if (i >= n) {
      fields.push('')
      return fields
    }
  }
}
