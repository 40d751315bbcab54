import { randomUUID } from 'node:crypto'
import { ClosedError, ConfigError } from '../errors/index.js'
import {
  type Clock,
  defaultSqliteDriver,
  enumOption,
  intOption,
  type Logger,
  type LoggerOption,
  resolveLogger,
  type SqliteDatabase,
  type SqliteDriverName,
  stringOption,
  systemClock,
} from '../internal/index.js'
import { checkOptions } from '../internal/validate.js'
import { ENDPOINTS, type Endpoint, isEndpoint, type Message } from '../message/index.js'
import { type AddOutcome, AddQueue } from './add-queue.js'
import type {
  AddResult,
  EventStore,
  Lease,
  LeasedMessage,
  LeaseOptions,
  OverflowPolicy,
  StoreCapacityOptions,
  StoreSize,
} from './event-store.js'
import { resolveCapacity } from './event-store.js'
import { openSqliteFile, toMessage, toStoreError } from './sqlite-file.js'
import type { Row, Statements } from './sqlite-schema.js'
import { SQLITE_STORE_OPTIONS } from './store-options.js'

/** How hard `add()` works to make a message durable before resolving. */
export type SqliteDurability = 'batch' | 'every'

/** Options of {@link SqliteEventStore}. */
export interface SqliteEventStoreOptions extends StoreCapacityOptions {
  /** Path of the database file; created with its tables when missing. */
  path: string
  /**
   * Which resolved `track()` calls survive what. `add()` calls of one event-loop turn are always
   * committed together (group commit, WAL mode), and each resolves only after that commit.
   *
   * `'batch'`: commits are not fsync'd. Every resolved `track()` survives a crash, SIGKILL or OOM
   * kill of the process. After a power loss or OS crash, those resolved since the last WAL
   * checkpoint (at most ~4 MB of writes) can be lost; the file itself stays intact.
   *
   * `'every'`: each commit that stores messages is fsync'd before its calls resolve, so every
   * resolved `track()` also survives a power loss. Costs one fsync per event-loop turn with adds.
   *
   * In both modes acknowledgements are not fsync'd: a power loss can undo one, and that message
   * is delivered again (at-least-once; receivers deduplicate by `$insert_id`).
   * @default 'batch'
   */
  durability?: SqliteDurability
  /**
   * How long to wait for another process that holds the file to let go, in milliseconds, before
   * failing with `EVENTWIRE_STORE_LOCKED`.
   * @default 2000
   */
  lockTimeoutMs?: number
  /**
   * The SQLite engine: `'node:sqlite'`, built into Node.js 22.13 and later (and into Bun and Deno),
   * needs no package; `'better-sqlite3'` is the optional peer dependency, for Node.js 20. Both
   * read and write the same file format.
   * @default 'node:sqlite' where the runtime has it, else 'better-sqlite3'
   */
  driver?: SqliteDriverName
  /** Time source for leases and backoff. @default systemClock */
  clock?: Clock
  /** A pino-compatible logger, or `false` for silence. @default warnings and errors to stderr */
  logger?: LoggerOption
}

/** Defaults of {@link SqliteEventStoreOptions}. */
export const SQLITE_STORE_DEFAULTS = {
  durability: 'batch' as SqliteDurability,
  lockTimeoutMs: 2000,
}

const DURABILITY: readonly SqliteDurability[] = ['batch', 'every']
const DRIVERS: readonly SqliteDriverName[] = ['node:sqlite', 'better-sqlite3']
/** Most messages written by one commit; larger groups are split into several transactions. */
const MAX_COMMIT = 2000

interface Open {
  readonly db: SqliteDatabase
  readonly sql: Statements
  readonly addTx: (messages: readonly Message[]) => AddOutcome[]
  readonly leaseTx: (options: LeaseOptions, now: number) => Picked | undefined
  /** Deletes rows; returns how many of them, and their bytes, were still there. */
  readonly ackTx: (rows: readonly Held[]) => { count: number; bytes: number }
  readonly releaseTx: (rows: readonly Held[], notBefore: number) => void
  /** The `synchronous` level currently set. */
  sync: 'FULL' | 'NORMAL'
}

/** A leased row: where it is and how many bytes it holds. */
interface Held {
  readonly seq: number
  readonly bytes: number
}

/** A lease this store handed out. */
interface HeldLease {
  readonly kind: Endpoint
  readonly expiresAt: number
  /** Its rows not yet acknowledged or released, by message id. */
  readonly held: Map<string, Held[]>
}

/** The rows a lease takes, read in its transaction. */
interface Picked {
  readonly kind: Endpoint
  readonly rows: Row[]
  /** The seq of the newest fresh row taken, if any. */
  readonly lastFresh: number | undefined
}

/**
 * A durable store in one SQLite file (WAL mode), through the runtime's built-in `node:sqlite`
 * (Node.js 22.13 and later, Bun, Deno) or, on Node.js 20, the optional peer dependency
 * `better-sqlite3`, loaded when the store opens (see the `driver` option). Messages survive restarts: opening the same file again
 * resumes delivery of everything not acknowledged, including messages whose lease was held by a
 * process that died. One process owns the file while the store is open (an exclusive lock, freed
 * when the process exits in any way); a second one fails with `EVENTWIRE_STORE_LOCKED`.
 *
 * The file opens on first use; `await SqliteEventStore.open(options)` opens it at once so a
 * missing package (`EVENTWIRE_STORE_DEPENDENCY_MISSING`), a locked file or a disk error surfaces
 * there. Engine failures reject with `EVENTWIRE_STORE_ERROR` (retryable).
 */
export class SqliteEventStore implements EventStore {
  /** The database file. */
  readonly path: string
  readonly durability: SqliteDurability
  /** The SQLite engine this store opens its file with. */
  readonly driver: SqliteDriverName
  readonly bufferCapacity: number
  readonly maxBufferBytes: number
  readonly overflow: OverflowPolicy
  readonly #lockTimeoutMs: number
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #queue: AddQueue
  readonly #leases = new Map<string, HeldLease>()
  /**
   * The lease holding each leased row, by seq. Leases live in memory only: one process owns the
   * file, and at open no row is leased.
   */
  readonly #leasedBy = new Map<number, string>()
  /**
   * Per kind, a seq up to which every row never leased since open (`not_before` 0) is leased now
   * or gone: fresh rows are read from after it, without scanning the leased ones. It moves back
   * when a lease lapses (its fresh rows are fresh again) and when SQLite reuses a seq.
   */
  readonly #freshAfter: Record<Endpoint, number> = { events: 0, people: 0, groups: 0, imports: 0 }
  #opening: Promise<Open> | undefined
  #open: Open | undefined
  #count = 0
  #bytes = 0
  #closed = false

  constructor(options: SqliteEventStoreOptions) {
    checkOptions(options, SQLITE_STORE_OPTIONS, 'SqliteEventStore', { required: true })
    const path = stringOption('path', options?.path, undefined)
    if (path === undefined) throw new ConfigError('path', 'expected the path of the database file')
    this.path = path
    this.durability = enumOption(
      'durability',
      options.durability,
      DURABILITY,
      SQLITE_STORE_DEFAULTS.durability,
    )
    this.driver = enumOption('driver', options.driver, DRIVERS, defaultSqliteDriver())
    const capacity = resolveCapacity(options)
    this.bufferCapacity = capacity.bufferCapacity
    this.maxBufferBytes = capacity.maxBufferBytes
    this.overflow = capacity.overflow
    this.#lockTimeoutMs = intOption(
      'lockTimeoutMs',
      options.lockTimeoutMs,
      SQLITE_STORE_DEFAULTS.lockTimeoutMs,
      0,
    )
    this.#clock = options.clock ?? systemClock
    this.#logger = resolveLogger(options.logger)
    this.#queue = new AddQueue((messages) => this.#commitAdds(messages), {
      maxBatch: MAX_COMMIT,
      clock: this.#clock,
    })
  }

  /** Creates a store and opens its file now, so configuration and lock errors surface here. */
  static async open(options: SqliteEventStoreOptions): Promise<SqliteEventStore> {
    checkOptions(options, SQLITE_STORE_OPTIONS, 'SqliteEventStore.open', { required: true })
    const store = new SqliteEventStore(options)
    await store.#ready()
    return store
  }

  async add(messages: readonly Message[], signal?: AbortSignal): Promise<AddResult> {
    await this.#ready()
    return this.#queue.add(messages, signal)
  }

  async lease(options: LeaseOptions): Promise<Lease | undefined> {
    const open = await this.#ready()
    await this.#queue.settle()
    const now = this.#clock.now()
    this.#forgetExpired(now)
    const picked = this.#write(open, () => open.leaseTx(options, now))
    return picked === undefined ? undefined : this.#hold(picked, now + options.leaseMs)
  }

  async ack(lease: Lease, ids: readonly string[]): Promise<void> {
    // After close the messages simply stay in the file, delivered again after reopen.
    if (this.#closed) return
    const open = await this.#ready()
    const rows = this.#stillHeld(lease.id, ids)
    if (rows.length === 0) return
    const removed = this.#write(open, () => open.ackTx(rows))
    // Only once the transaction committed: a failed one leaves the rows leased, to lapse.
    this.#letGo(lease.id, ids, rows)
    this.#count -= removed.count
    this.#bytes -= removed.bytes
    this.#queue.wake()
  }

  async release(lease: Lease, ids: readonly string[], notBefore: number): Promise<void> {
    if (this.#closed) return
    const open = await this.#ready()
    const rows = this.#stillHeld(lease.id, ids)
    if (rows.length === 0) return
    // Above 0: the rows are among those back from a lease from now on.
    this.#write(open, () => open.releaseTx(rows, Math.max(1, notBefore)))
    this.#letGo(lease.id, ids, rows)
  }

  /** The rows of `ids` that the lease `leaseId` still holds (none once it lapsed). */
  #stillHeld(leaseId: string, ids: readonly string[]): Held[] {
    const held = this.#leases.get(leaseId)?.held
    const rows: Held[] = []
    if (held === undefined) return rows
    for (const id of ids) for (const row of held.get(id) ?? []) rows.push(row)
    return rows
  }

  /** The lease `leaseId` no longer holds `rows` (those of `ids`). */
  #letGo(leaseId: string, ids: readonly string[], rows: readonly Held[]): void {
    for (const row of rows) this.#leasedBy.delete(row.seq)
    const lease = this.#leases.get(leaseId)
    if (lease === undefined) return
    for (const id of ids) lease.held.delete(id)
    if (lease.held.size === 0) this.#leases.delete(leaseId)
  }

  async size(): Promise<StoreSize> {
    const { sql } = await this.#ready()
    await this.#queue.settle()
    const now = this.#clock.now()
    this.#forgetExpired(now)
    return this.#guard(() => {
      const leased = this.#leasedBy.size
      const delayed = sql.delayedCount.get({ now })?.n ?? 0
      return {
        count: this.#count,
        bytes: this.#bytes,
        leased,
        ready: this.#count - leased - delayed,
        oldestReadyAt: this.#oldestReady(sql, now)?.created_at,
        nextRetryAt: sql.nextRetry.get({ now })?.at ?? undefined,
      }
    })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#open !== undefined) await this.#queue.settle()
    this.#queue.fail(new ClosedError(STORE_CLOSED))
    const open = await this.#opening?.catch(() => undefined)
    open?.db.close()
  }

  /** `close()`, for `await using store = ...`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  #ready(): Promise<Open> {
    if (this.#closed) return Promise.reject(new ClosedError(STORE_CLOSED))
    this.#opening ??= this.#openFile()
    return this.#opening
  }

  async #openFile(): Promise<Open> {
    const { db, sql, count, bytes, resumedLeases } = await openSqliteFile(
      this.path,
      this.#lockTimeoutMs,
      this.driver,
    )
    this.#count = count
    this.#bytes = bytes
    if (count > 0) {
      this.#logger.info(
        { path: this.path, messages: count, resumedLeases },
        'eventwire: resuming messages left in the SQLite store',
      )
    }
    const open: Open = {
      db,
      sql,
      addTx: db.transaction((messages: readonly Message[]) => this.#addAll(sql, messages)),
      leaseTx: db.transaction((options: LeaseOptions, now: number) => this.#pick(sql, options, now)),
      ackTx: db.transaction((rows: readonly Held[]) => {
        const removed = { count: 0, bytes: 0 }
        for (const row of rows) {
          if (Number(sql.deleteSeq.run(row.seq).changes) !== 1) continue
          removed.count++
          removed.bytes += row.bytes
        }
        return removed
      }),
      releaseTx: db.transaction((rows: readonly Held[], notBefore: number) => {
        for (const row of rows) sql.release.run(notBefore, row.seq)
      }),
      sync: 'NORMAL',
    }
    this.#open = open
    return open
  }

  #commitAdds(messages: readonly Message[]): AddOutcome[] {
    const open = this.#open!
    const count = this.#count
    const bytes = this.#bytes
    try {
      // 'every': the commit that stores messages is fsync'd before add() resolves.
      if (this.durability === 'every') this.#setSync(open, 'FULL')
      return open.addTx(messages)
    } catch (error) {
      this.#count = count
      this.#bytes = bytes
      throw toStoreError(error, this.path)
    }
  }

  /** Runs inside the add transaction: stores messages in order, applying the overflow policy. */
  #addAll(sql: Statements, messages: readonly Message[]): AddOutcome[] {
    const outcomes: AddOutcome[] = []
    for (const message of messages) {
      const evicted: Message[] = []
      if (!this.#fits(message)) {
        if (this.overflow === 'block' && message.bytes <= this.maxBufferBytes) break
        if (this.overflow === 'drop-oldest' && message.bytes <= this.maxBufferBytes) {
          const now = this.#clock.now()
          while (!this.#fits(message)) {
            const oldest = this.#oldestReady(sql, now)
            if (oldest === undefined) break
            sql.deleteSeq.run(oldest.seq)
            this.#count--
            this.#bytes -= oldest.bytes
            evicted.push(toMessage(oldest))
          }
        }
        if (!this.#fits(message)) {
          outcomes.push({ stored: false, evicted })
          continue
        }
      }
      const { lastInsertRowid } = sql.insert.run(
        message.id,
        message.kind,
        message.json,
        message.bytes,
        message.createdAt,
      )
      // SQLite reuses the seq after the highest row once that row is deleted.
      const seq = Number(lastInsertRowid)
      if (seq <= this.#freshAfter[message.kind]) this.#freshAfter[message.kind] = seq - 1
      this.#count++
      this.#bytes += message.bytes
      outcomes.push({ stored: true, evicted })
    }
    return outcomes
  }

  /**
   * Reads the rows a lease takes, in its transaction: of one kind (the oldest ready message's by
   * default), those back from a lease and fresh ones merged oldest first, within its limits.
   */
  #pick(sql: Statements, options: LeaseOptions, now: number): Picked | undefined {
    const kind = options.kind ?? this.#oldestReady(sql, now)?.kind
    if (kind === undefined || !isEndpoint(kind)) return undefined
    const returned = this.#unleased(sql.returnedOfKind.iterate({ kind, now }), options.maxCount)
    const fresh = this.#unleased(
      sql.freshOfKind.iterate({ kind, after: this.#freshAfter[kind] }),
      options.maxCount,
    )
    const rows: Row[] = []
    let bytes = 0
    let r = 0
    let f = 0
    while (rows.length < options.maxCount) {
      const fromFresh = r === returned.length || (f < fresh.length && fresh[f]!.seq < returned[r]!.seq)
      const row = fromFresh ? fresh[f] : returned[r]
      if (row === undefined || (rows.length > 0 && bytes + row.bytes > options.maxBytes)) break
      if (fromFresh) f++
      else r++
      bytes += row.bytes
      rows.push(row)
    }
    if (rows.length === 0) return undefined
    return { kind, rows, lastFresh: f > 0 ? fresh[f - 1]!.seq : undefined }
  }

  /** Records the rows `picked` as held by a new lease. */
  #hold(picked: Picked, expiresAt: number): Lease {
    const id = randomUUID()
    const items: LeasedMessage[] = []
    const held = new Map<string, Held[]>()
    for (const row of picked.rows) {
      items.push({ message: toMessage(row), attempts: row.attempts })
      this.#leasedBy.set(row.seq, id)
      const list = held.get(row.id)
      if (list === undefined) held.set(row.id, [{ seq: row.seq, bytes: row.bytes }])
      else list.push({ seq: row.seq, bytes: row.bytes })
    }
    // Every fresh row up to the newest one taken is leased now: those skipped already were.
    if (picked.lastFresh !== undefined) this.#freshAfter[picked.kind] = picked.lastFresh
    this.#leases.set(id, { kind: picked.kind, expiresAt, held })
    return { id, kind: picked.kind, items, expiresAt }
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

  /** The oldest row of any kind that is ready now and not leased. */
  #oldestReady(sql: Statements, now: number): Row | undefined {
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

  /**
   * Runs a lease, ack or release transaction. These are never fsync'd, also in 'every' mode: a
   * power loss can only undo them, which delivers a message again (at-least-once) or forgets a
   * retry count; the next fsync'd add commit makes them durable too.
   */
  #write<T>(open: Open, fn: () => T): T {
    return this.#guard(() => {
      this.#setSync(open, 'NORMAL')
      return fn()
    })
  }

  #setSync(open: Open, level: 'FULL' | 'NORMAL'): void {
    if (open.sync === level) return
    open.db.pragma(`synchronous = ${level}`)
    open.sync = level
  }

  #fits(message: Message): boolean {
    return this.#count < this.bufferCapacity && this.#bytes + message.bytes <= this.maxBufferBytes
  }

  /**
   * Forgets leases that lapsed: their rows are leasable again, and late acks and releases are
   * ignored. The file does not change: fresh rows among them are read again from their seq.
   */
  #forgetExpired(now: number): void {
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

  #guard<T>(fn: () => T): T {
    try {
      return fn()
    } catch (error) {
      throw toStoreError(error, this.path)
    }
  }
}

const STORE_CLOSED = 'The event store is closed'
