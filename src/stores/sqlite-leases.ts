import { randomUUID } from 'node:crypto'
import type { RejectedMessage } from '../errors/index.js'
import { ENDPOINTS, type Endpoint, isEndpoint, type Message } from '../message/index.js'
import type { Lease, LeasedMessage, LeaseOptions } from './event-store.js'
import { readRow, rowFields } from './sqlite-file.js'
import type { Row, Statements } from './sqlite-schema.js'
import { storedCount, type Unreadable } from './stored-message.js'

/** A leased row: where it is and how many bytes it holds. */
export interface Held {
  readonly seq: number
  readonly bytes: number
}

/** A lease the store handed out. */
interface HeldLease {
  readonly kind: Endpoint
  readonly expiresAt: number
  /** Its rows not yet acknowledged or released, by message id. */
  readonly held: Map<string, Held[]>
}

/** The rows a lease takes, read in its transaction. */
export interface Picked {
  readonly kind: Endpoint
  /** The rows taken, each with its message. */
  readonly rows: Array<{ readonly row: Row; readonly message: Message }>
  /** Rows met that do not read back as a message: the lease's transaction deletes them. */
  readonly unreadable: Array<Unreadable & { readonly seq: number; readonly bytes: number }>
  /** The seq of the newest fresh row taken or set apart, if any. */
  readonly lastFresh: number | undefined
  /** How many of the rows of no known kind found at open it set apart. */
  readonly strays: number
}

/**
 * Which rows of a SQLite store's file are leased, and to whom. Leases live in memory only: one
 * process owns the file, and at open no row is leased. Reads go through the store's statements;
 * nothing here writes to the file (the store deletes the unreadable rows a pick sets apart).
 */
export class SqliteLeases {
  readonly #leases = new Map<string, HeldLease>()
  /** The lease holding each leased row, by seq. */
  readonly #leasedBy = new Map<number, string>()
  /**
   * Per kind, a seq up to which every row never leased since open (`not_before` 0) is leased now
   * or gone: fresh rows are read from after it, without scanning the leased ones. It moves back
   * when a lease lapses (its fresh rows are fresh again) and when SQLite reuses a seq.
   */
  readonly #freshAfter: Record<Endpoint, number> = { events: 0, people: 0, groups: 0, imports: 0 }
  /** Seqs of rows of no known kind found at open, set apart by the next lease. */
  #strays: number[] = []

  /** Rows leased now. */
  get count(): number {
    return this.#leasedBy.size
  }

  /** A row of `kind` was inserted with `seq` (SQLite reuses the seq after the highest row once that row is deleted). */
  inserted(kind: Endpoint, seq: number): void {
    if (seq <= this.#freshAfter[kind]) this.#freshAfter[kind] = seq - 1
  }

  /** Rows of no known kind were found at open (`seqs`): the next lease sets them apart. */
  foundStrays(seqs: readonly number[]): void {
    this.#strays = [...seqs]
  }

  /**
   * Reads the rows a lease takes, in its transaction: of one kind (the oldest ready message's by
   * default), those back from a lease and fresh ones merged oldest first, within its limits. Rows
   * that do not read back as a message are set apart in `unreadable` (not counted against the
   * limits), as are the rows of no known kind found at open.
   */
  pick(sql: Statements, options: LeaseOptions, now: number): Picked | undefined {
    const unreadable: Picked['unreadable'] = []
    const strays = this.#strays.slice(0, options.maxCount)
    for (const seq of strays) {
      const row = sql.rowAt.get(seq)
      const problem = row === undefined ? undefined : readRow(row)
      if (row !== undefined) {
        unreadable.push(this.#unreadable(row, typeof problem === 'string' ? problem : 'its kind is unknown'))
      }
    }
    const kind = options.kind ?? this.oldestReady(sql, now)?.kind
    if (kind === undefined || !isEndpoint(kind)) {
      if (strays.length === 0) return undefined
      const none = { rows: [], lastFresh: undefined, strays: strays.length }
      return { ...none, kind: options.kind ?? 'events', unreadable }
    }
    const returned = this.#unleased(sql.returnedOfKind.iterate({ kind, now }), options.maxCount)
    const fresh = this.#unleased(
      sql.freshOfKind.iterate({ kind, after: this.#freshAfter[kind] }),
      options.maxCount,
    )
    const rows: Picked['rows'] = []
    let bytes = 0
    let r = 0
    let f = 0
    while (rows.length < options.maxCount) {
      const fromFresh = r === returned.length || (f < fresh.length && fresh[f]!.seq < returned[r]!.seq)
      const row = fromFresh ? fresh[f] : returned[r]
      if (row === undefined) break
      const size = storedCount(row.bytes)
      if (rows.length > 0 && bytes + size > options.maxBytes) break
      if (fromFresh) f++
      else r++
      const message = readRow(row)
      if (typeof message === 'string') {
        unreadable.push(this.#unreadable(row, message))
        continue
      }
      bytes += size
      rows.push({ row, message })
    }
    if (rows.length === 0 && unreadable.length === 0 && strays.length === 0) return undefined
    const lastFresh = f > 0 ? fresh[f - 1]!.seq : undefined
    return { kind, rows, unreadable, lastFresh, strays: strays.length }
  }

  /**
   * Records the rows `picked` as held by a new lease, once its transaction committed (and deleted
   * the unreadable rows). A lease of unreadable rows only holds nothing.
   */
  hold(picked: Picked, expiresAt: number, dropped: readonly RejectedMessage[]): Lease {
    const id = randomUUID()
    const items: LeasedMessage[] = []
    const held = new Map<string, Held[]>()
    for (const { row, message } of picked.rows) {
      items.push({ message, attempts: storedCount(row.attempts) })
      this.#leasedBy.set(row.seq, id)
      const entry = { seq: row.seq, bytes: storedCount(row.bytes) }
      const list = held.get(message.id)
      if (list === undefined) held.set(message.id, [entry])
      else list.push(entry)
    }
    // Every fresh row up to the newest one taken is leased now (or gone): those skipped already were.
    if (picked.lastFresh !== undefined) this.#freshAfter[picked.kind] = picked.lastFresh
    this.#strays.splice(0, picked.strays)
    if (held.size > 0) this.#leases.set(id, { kind: picked.kind, expiresAt, held })
    return dropped.length === 0
      ? { id, kind: picked.kind, items, expiresAt }
      : { id, kind: picked.kind, items, expiresAt, dropped }
  }

  /** The rows of `ids` that the lease `leaseId` still holds (none once it lapsed). */
  stillHeld(leaseId: string, ids: readonly string[]): Held[] {
    const held = this.#leases.get(leaseId)?.held
    const rows: Held[] = []
    if (held === undefined) return rows
    for (const id of ids) for (const row of held.get(id) ?? []) rows.push(row)
    return rows
  }

  /** The lease `leaseId` no longer holds `rows` (those of `ids`). */
  letGo(leaseId: string, ids: readonly string[], rows: readonly Held[]): void {
    for (const row of rows) this.#leasedBy.delete(row.seq)
    const lease = this.#leases.get(leaseId)
    if (lease === undefined) return
    for (const id of ids) lease.held.delete(id)
    if (lease.held.size === 0) this.#leases.delete(leaseId)
  }

  /**
   * Forgets leases that lapsed: their rows are leasable again, and late acks and releases are
   * ignored. The file does not change: fresh rows among them are read again from their seq.
   */
  forgetExpired(now: number): void {
    for (const [id, lease] of this.#leases) {
      if (lease.expiresAt > now) continue
      this.#leases.delete(id)
      for (const rows of lease.held.values()) {
        for (const row of rows) {
          this.#leasedBy.delete(row.seq)
          this.#freshAfter[lease.kind] = Math.min(this.#freshAfter[lease.kind], row.seq - 1)
        }
      }
    }
  }

  /** The oldest row of any kind that is ready now and not leased. */
  oldestReady(sql: Statements, now: number): Row | undefined {
    let oldest: Row | undefined
    for (const kind of ENDPOINTS) {
      for (const row of [
        ...this.#unleased(sql.returnedOfKind.iterate({ kind, now }), 1),
        ...this.#unleased(sql.freshOfKind.iterate({ kind, after: this.#freshAfter[kind] }), 1),
      ]) {
        if (oldest === undefined || row.seq < oldest.seq) oldest = row
      }
    }
    return oldest
  }

  #unreadable(row: Row, problem: string): Picked['unreadable'][number] {
    return {
      fields: rowFields(row),
      place: `row ${row.seq}`,
      problem,
      seq: row.seq,
      bytes: storedCount(row.bytes),
    }
  }

  /** Up to `max` rows of `rows` that no lease holds, in order. */
  #unleased(rows: Iterable<Row>, max: number): Row[] {
    const out: Row[] = []
    if (max <= 0) return out
    for (const row of rows) {
      if (this.#leasedBy.has(row.seq)) continue
      out.push(row)
      if (out.length >= max) break
    }
    return out
  }
}
