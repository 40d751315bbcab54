import { ClosedError, ConfigError } from '../errors/index.js'
import {
  type Clock,
  checkOptions,
  defaultSqliteDriver,
  enumOption,
  intOption,
  type Logger,
  resolveLogger,
  type SqliteDatabase,
  type SqliteDriverName,
  stringOption,
  systemClock,
} from '../internal/index.js'
import type { Message } from '../message/index.js'
import { type AddOutcome, AddQueue } from './add-queue.js'
import type { AddResult, EventStore, Lease, LeaseOptions, OverflowPolicy, StoreSize } from './event-store.js'
import { resolveCapacity } from './event-store.js'
import { openSqliteFile, rowMessage, toStoreError } from './sqlite-file.js'
import { type Held, type Picked, SqliteLeases } from './sqlite-leases.js'
import {
  SQLITE_STORE_DEFAULTS,
  SQLITE_STORE_OPTIONS,
  type SqliteDurability,
  type SqliteEventStoreOptions,
} from './sqlite-options.js'
import type { Row, Statements } from './sqlite-schema.js'
import { storedCount, unreadableDrops } from './stored-message.js'

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
  readonly #leases = new SqliteLeases()
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
    this.#leases.forgetExpired(now)
    const picked = this.#write(open, () => open.leaseTx(options, now))
    if (picked === undefined) return undefined
    // The transaction deleted the unreadable rows it met.
    for (const row of picked.unreadable) {
      this.#count--
      this.#bytes -= row.bytes
    }
    if (picked.unreadable.length > 0) this.#queue.wake()
    const dropped = unreadableDrops(`SQLite store ${this.path}`, picked.unreadable)
    const lease = this.#leases.hold(picked, now + options.leaseMs, dropped)
    return lease.items.length === 0 && dropped.length === 0 ? undefined : lease
  }

  async ack(lease: Lease, ids: readonly string[]): Promise<void> {
    // After close the messages simply stay in the file, delivered again after reopen.
    if (this.#closed) return
    const open = await this.#ready()
    const rows = this.#leases.stillHeld(lease.id, ids)
    if (rows.length === 0) return
    const removed = this.#write(open, () => open.ackTx(rows))
    // Only once the transaction committed: a failed one leaves the rows leased, to lapse.
    this.#leases.letGo(lease.id, ids, rows)
    this.#count -= removed.count
    this.#bytes -= removed.bytes
    this.#queue.wake()
  }

  async release(lease: Lease, ids: readonly string[], notBefore: number): Promise<void> {
    if (this.#closed) return
    const open = await this.#ready()
    const rows = this.#leases.stillHeld(lease.id, ids)
    if (rows.length === 0) return
    // Above 0: the rows are among those back from a lease from now on.
    this.#write(open, () => open.releaseTx(rows, Math.max(1, notBefore)))
    this.#leases.letGo(lease.id, ids, rows)
  }

  async size(): Promise<StoreSize> {
    const { sql } = await this.#ready()
    await this.#queue.settle()
    const now = this.#clock.now()
    this.#leases.forgetExpired(now)
    return this.#guard(() => {
      const leased = this.#leases.count
      const delayed = sql.delayedCount.get({ now })?.n ?? 0
      return {
        count: this.#count,
        bytes: this.#bytes,
        leased,
        ready: this.#count - leased - delayed,
        oldestReadyAt: createdAt(this.#leases.oldestReady(sql, now)),
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
    const { db, sql, count, bytes, resumedLeases, strays } = await openSqliteFile(
      this.path,
      this.#lockTimeoutMs,
      this.driver,
    )
    this.#count = count
    this.#bytes = bytes
    this.#leases.foundStrays(strays)
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
      leaseTx: db.transaction((options: LeaseOptions, now: number) => {
        const picked = this.#leases.pick(sql, options, now)
        // A row that does not read back as a message can never be delivered, by this process or
        // a later one: it is deleted here, in the lease's transaction, and reported as a `corrupt`
        // drop naming its row and id. Not moved aside: a table of damaged rows would grow without
        // bound and nobody would read it; the report says what was lost.
        for (const row of picked?.unreadable ?? []) sql.deleteSeq.run(row.seq)
        return picked
      }),
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
            const oldest = this.#leases.oldestReady(sql, now)
            if (oldest === undefined) break
            sql.deleteSeq.run(oldest.seq)
            this.#count--
            this.#bytes -= storedCount(oldest.bytes)
            evicted.push(rowMessage(oldest))
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
      this.#leases.inserted(message.kind, Number(lastInsertRowid))
      this.#count++
      this.#bytes += message.bytes
      outcomes.push({ stored: true, evicted })
    }
    return outcomes
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

  #guard<T>(fn: () => T): T {
    try {
      return fn()
    } catch (error) {
      throw toStoreError(error, this.path)
    }
  }
}

const STORE_CLOSED = 'The event store is closed'

/** A row's creation time, unless it is damaged. */
function createdAt(row: Row | undefined): number | undefined {
  return typeof row?.created_at === 'number' ? row.created_at : undefined
}
