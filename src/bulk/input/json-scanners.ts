import { BulkError, type EventwireError } from '../../errors/index.js'
import type { ScannedRecord } from './csv.js'

const NEWLINE = 0x0a

/** Splits a byte stream into lines (NDJSON records), skipping blank lines, keeping byte offsets. */
export class LineScanner {
  #carry: Buffer = Buffer.alloc(0)
  #carryStart: number
  #line: number

  constructor(startOffset: number, startLine: number) {
    this.#carryStart = startOffset
    this.#line = startLine
  }

  /** Feeds the next chunk; returns the complete, non-blank lines it holds. */
  push(chunk: Buffer): ScannedRecord[] {
    const buf = this.#carry.length === 0 ? chunk : Buffer.concat([this.#carry, chunk])
    const out: ScannedRecord[] = []
    let start = 0
    for (let nl = buf.indexOf(NEWLINE); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
      this.#line++
      this.#emit(out, buf, start, nl, nl + 1)
      start = nl + 1
    }
    this.#carry = buf.subarray(start)
    this.#carryStart += start
    return out
  }

  /** Ends the input: returns a last line without a final line break, if any. */
  end(): ScannedRecord[] {
    const out: ScannedRecord[] = []
    if (this.#carry.length > 0) {
      this.#line++
      this.#emit(out, this.#carry, 0, this.#carry.length, this.#carry.length)
    }
    this.#carry = Buffer.alloc(0)
    return out
  }

  #emit(out: ScannedRecord[], buf: Buffer, start: number, stop: number, next: number): void {
    let end = stop
    if (end > start && buf[end - 1] === 0x0d) end--
    const text = buf.toString('utf8', start, end)
    if (text.trim() !== '') {
      out.push({ line: this.#line, end: this.#carryStart + next, linesBefore: this.#line, text })
    }
  }
}

enum State {
  /** Before the opening `[`. */
  Start = 0,
  /** Expecting an element (or `]`). */
  Before = 1,
  /** Inside an element. */
  In = 2,
  /** After an element, expecting `,` or `]`. */
  After = 3,
  /** After the closing `]`. */
  Done = 4,
}

/**
 * Splits a JSON array (`[ {...}, {...} ]`) into its elements as they stream in, without parsing
 * them, so a file of any size is read with flat memory. A record's `end` is the offset after the
 * `,` (or `]`) that closed it; a scanner started at such an offset continues with the next element.
 */
export class ArrayScanner {
  #carry: Buffer = Buffer.alloc(0)
  #carryStart: number
  /** Bytes of `#carry` already scanned. */
  #scanned = 0
  #state: State
  #depth = 0
  #inString = false
  #escape = false
  /** Start and end of the current element, relative to `#carry`. */
  #elementStart = -1
  #elementEnd = -1
  #elementLine = 0
  #line: number
  /** Started mid-array from a checkpoint, and nothing but spaces seen since. */
  #resumedIdle: boolean

  constructor(startOffset: number, startLine: number) {
    this.#carryStart = startOffset
    this.#state = startOffset === 0 ? State.Start : State.Before
    this.#resumedIdle = startOffset > 0
    this.#line = startLine + 1
  }

  /** Feeds the next chunk; returns the elements it completed. */
  push(chunk: Buffer): ScannedRecord[] {
    const buf = this.#carry.length === 0 ? chunk : Buffer.concat([this.#carry, chunk])
    const out: ScannedRecord[] = []
    let i = this.#scanned
    for (; i < buf.length; i++) {
      const c = buf[i]!
      if (c === NEWLINE) this.#line++
      switch (this.#state) {
        case State.In:
          if (this.#inString) {
            if (this.#escape) this.#escape = false
            else if (c === 0x5c) this.#escape = true
            else if (c === 0x22) this.#inString = false
            continue
          }
          if (c === 0x22) this.#inString = true
          else if (c === 0x7b || c === 0x5b) this.#depth++
          else if (c === 0x7d || c === 0x5d) {
            if (this.#depth > 0) this.#depth--
            else if (c === 0x7d) throw unreadable(`unexpected "}" at line ${this.#line}`)
            else {
              this.#elementEnd = i
              this.#close(out, buf, i)
            }
          } else if (this.#depth === 0 && (c === 0x2c || isSpace(c))) {
            this.#elementEnd = i
            if (c === 0x2c) this.#close(out, buf, i)
            else this.#state = State.After
          }
          continue
        case State.Start:
          if (isSpace(c) || (i < 3 && isBom(buf, i))) continue
          if (c !== 0x5b) throw unreadable(`expected "[" at line ${this.#line}`)
          this.#state = State.Before
          continue
        case State.Before:
          if (isSpace(c)) continue
          this.#resumedIdle = false
          if (c === 0x5d) {
            this.#state = State.Done
            continue
          }
          this.#state = State.In
          this.#elementStart = i
          this.#elementLine = this.#line
          this.#depth = c === 0x7b || c === 0x5b ? 1 : 0
          this.#inString = c === 0x22
          this.#escape = false
          continue
        case State.After:
          if (isSpace(c)) continue
          if (c !== 0x2c && c !== 0x5d) throw unreadable(`expected "," or "]" at line ${this.#line}`)
          this.#close(out, buf, i)
          continue
        case State.Done:
          if (!isSpace(c)) throw unreadable(`unexpected text after the closing "]" at line ${this.#line}`)
          continue
      }
    }
    const keep = this.#state === State.In || this.#state === State.After ? this.#elementStart : buf.length
    this.#carry = buf.subarray(keep)
    this.#carryStart += keep
    this.#scanned = i - keep
    if (this.#elementStart >= 0) this.#elementStart -= keep
    if (this.#elementEnd >= 0) this.#elementEnd -= keep
    return out
  }

  /** Ends the input. @throws when the array is not closed. */
  end(): ScannedRecord[] {
    if (this.#state === State.Done) return []
    if (this.#state === State.Start && this.#carry.length === 0) return []
    // A checkpoint taken after the closing `]` resumes with nothing left to read.
    if (this.#state === State.Before && this.#resumedIdle) return []
    throw unreadable('the JSON array is not closed with "]"')
  }

  /** Emits the current element, closed by the `,` or `]` at `i`. */
  #close(out: ScannedRecord[], buf: Buffer, i: number): void {
    out.push({
      line: this.#elementLine,
      end: this.#carryStart + i + 1,
      linesBefore: this.#line - 1,
      text: buf.toString('utf8', this.#elementStart, this.#elementEnd),
    })
    this.#elementStart = -1
    this.#elementEnd = -1
    this.#state = buf[i] === 0x5d ? State.Done : State.Before
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

function isBom(buf: Buffer, i: number): boolean {
  return buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf && i < 3
}

function unreadable(message: string): EventwireError {
  return new BulkError('EVENTWIRE_INPUT_UNREADABLE', `JSON array input: ${message}`)
}
