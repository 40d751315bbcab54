import { randomUUID } from 'node:crypto'
import type BetterSqlite3 from 'better-sqlite3'
import { ConfigError, EventwireError } from '../errors/index.js'
import {
  type Clock,
  type Endpoint,
  enumOption,
  intOption,
  type Logger,
  type Message,
  silentLogger,
  stringOption,
  systemClock,
} from '../internal/index.js'
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
import type { Statements } from './sqlite-schema.js'

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
  /** Time source for leases and backoff. @default systemClock */
  clock?: Clock
  /** A pino-compatible logger. @default silent */
  logger?: Logger
}

/** Defaults of {@link SqliteEventStoreOptions}. */
export const SQLITE_STORE_DEFAULTS = {
  durability: 'batch' as SqliteDurability,
  lockTimeoutMs: 2000,
}

const DURABILITY: readonly SqliteDurability[] = ['batch', 'every']
/** Most messages written by one commit; larger groups are split into several transactions. */
const MAX_COMMIT = 2000

interface Open {
  readonly db: BetterSqlite3.Database
  readonly sql: Statements
  readonly addTx: (messages: readonly Message[]) => AddOutcome[]
  readonly leaseTx: (options: LeaseOptions, now: number) => Lease | undefined
  readonly ackTx: (leaseId: string, held: Map<string, Held[]>, ids: readonly string[]) => void
  readonly releaseTx: (
    leaseId: string,
    held: Map<string, Held[]>,
    ids: readonly string[],
    notBefore: number,
  ) => void
  /** The `synchronous` level currently set. */
  sync: 'FULL' | 'NORMAL'
}

/** A leased row: where it is and how many bytes it holds. */
interface Held {
  readonly seq: number
  readonly bytes: number
}

/**
 * A durable store in one SQLite file (WAL mode) through `better-sqlite3`, an optional peer
 * dependency loaded when the store opens. Messages survive restarts: opening the same file again
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
  readonly bufferCapacity: number
  readonly maxBufferBytes: number
  readonly overflow: OverflowPolicy
  readonly #lockTimeoutMs: number
  readonly #clock: Clock
  readonly #logger: Logger
  /** Identifies this open store in the `lease_owner` column. */
  readonly #owner = randomUUID()
  readonly #queue: AddQueue
  readonly #leases = new Map<string, { expiresAt: number; held: Map<string, Held[]> }>()
  #opening: Promise<Open> | undefined
  #open: Open | undefined
  #count = 0
  #bytes = 0
  #closed = false

  constructor(options: SqliteEventStoreOptions) {
    const path = stringOption('path', options?.path, undefined)
    if (path === undefined) throw new ConfigError('path', 'expected the path of the database file')
    this.path = path
    this.durability = enumOption(
      'durability',
      options.durability,
      DURABILITY,
      SQLITE_STORE_DEFAULTS.durability,
    )
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
    this.#logger = options.logger ?? silentLogger
    this.#queue = new AddQueue((messages) => this.#commitAdds(messages), {
      maxBatch: MAX_COMMIT,
      clock: this.#clock,
    })
  }

  /** Creates a store and opens its file now, so configuration and lock errors surface here. */
  static async open(options: SqliteEventStoreOptions): Promise<SqliteEventStore> {
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
    return this.#write(open, () => open.leaseTx(options, now))
  }

  async ack(lease: Lease, ids: readonly string[]): Promise<void> {
    // After close the messages simply stay in the file, delivered again after reopen.
    if (this.#closed) return
    const open = await this.#ready()
    const held = this.#leases.get(lease.id)?.held
    if (held === undefined) return
    this.#write(open, () => open.ackTx(lease.id, held, ids))
    if (held.size === 0) this.#leases.delete(lease.id)
    this.#queue.wake()
  }

  async release(lease: Lease, ids: readonly string[], notBefore: number): Promise<void> {
    if (this.#closed) return
    const open = await this.#ready()
    const held = this.#leases.get(lease.id)?.held
    if (held === undefined) return
    this.#write(open, () => open.releaseTx(lease.id, held, ids, notBefore))
    if (held.size === 0) this.#leases.delete(lease.id)
  }

  async size(): Promise<StoreSize> {
    const { sql } = await this.#ready()
    await this.#queue.settle()
    const now = this.#clock.now()
    return this.#guard(() => {
      const leased = sql.leasedCount.get({ now })?.n ?? 0
      const delayed = sql.delayedCount.get({ now })?.n ?? 0
      return {
        count: this.#count,
        bytes: this.#bytes,
        leased,
        ready: this.#count - leased - delayed,
        oldestReadyAt: sql.oldestReady.get({ now })?.created_at,
        nextRetryAt: sql.nextRetry.get({ now })?.at ?? undefined,
      }
    })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#open !== undefined) await this.#queue.settle()
    this.#queue.fail(closedError())
    const open = await this.#opening?.catch(() => undefined)
    open?.db.close()
  }

  #ready(): Promise<Open> {
    if (this.#closed) return Promise.reject(closedError())
    this.#opening ??= this.#openFile()
    return this.#opening
  }

  async #openFile(): Promise<Open> {
    const { db, sql, count, bytes, resumedLeases } = await openSqliteFile(this.path, this.#lockTimeoutMs)
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
      addTx: db.transaction((messages) => this.#addAll(sql, messages)),
      leaseTx: db.transaction((options, now) => this.#leaseRows(sql, options, now)),
      ackTx: db.transaction((leaseId, held, ids) => this.#ackRows(sql, leaseId, held, ids)),
      releaseTx: db.transaction((leaseId, held, ids, notBefore) => {
        for (const id of ids) {
          for (const row of held.get(id) ?? []) sql.release.run(notBefore, row.seq, leaseId)
          held.delete(id)
        }
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
            const oldest = sql.oldestReady.get({ now })
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
      sql.insert.run(message.id, message.kind, message.json, message.bytes, message.createdAt)
      this.#count++
      this.#bytes += message.bytes
      outcomes.push({ stored: true, evicted })
    }
    return outcomes
  }

  #leaseRows(sql: Statements, options: LeaseOptions, now: number): Lease | undefined {
    const kind = options.kind ?? (sql.oldestReady.get({ now })?.kind as Endpoint | undefined)
    if (kind === undefined) return undefined
    const id = randomUUID()
    const expiresAt = now + options.leaseMs
    const items: LeasedMessage[] = []
    const held = new Map<string, Held[]>()
    let bytes = 0
    for (const row of sql.readyOfKind.iterate({ now, kind })) {
      if (items.length > 0 && bytes + row.bytes > options.maxBytes) break
      bytes += row.bytes
      items.push({ message: toMessage(row), attempts: row.attempts })
      const list = held.get(row.id)
      if (list === undefined) held.set(row.id, [{ seq: row.seq, bytes: row.bytes }])
      else list.push({ seq: row.seq, bytes: row.bytes })
      if (items.length >= options.maxCount) break
    }
    if (items.length === 0) return undefined
    for (const list of held.values())
      for (const { seq } of list) sql.markLeased.run(id, this.#owner, expiresAt, seq)
    this.#leases.set(id, { expiresAt, held })
    return { id, kind, items, expiresAt }
  }

  #ackRows(sql: Statements, leaseId: string, held: Map<string, Held[]>, ids: readonly string[]): void {
    for (const id of ids) {
      for (const row of held.get(id) ?? []) {
        if (sql.ack.run(row.seq, leaseId).changes === 1) {
          this.#count--
          this.#bytes -= row.bytes
        }
      }
      held.delete(id)
    }
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

  /** Forgets leases that lapsed: their rows are leasable again and late acks are ignored. */
  #forgetExpired(now: number): void {
    for (const [id, lease] of this.#leases) if (lease.expiresAt <= now) this.#leases.delete(id)
  }

  #guard<T>(fn: () => T): T {
    try {
      return fn()
    } catch (error) {
      throw toStoreError(error, this.path)
    }
  }
}

function closedError(): EventwireError {
  return new EventwireError('EVENTWIRE_CLOSED', 'The event store is closed')
}
