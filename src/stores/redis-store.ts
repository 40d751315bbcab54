import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Redis, RedisOptions } from 'ioredis'
import { ClosedError, ConfigError, type RejectedMessage } from '../errors/index.js'
import {
  type Clock,
  checkOptions,
  intOption,
  type Logger,
  Redactor,
  resolveLogger,
  stringOption,
  systemClock,
} from '../internal/index.js'
import { ENDPOINTS, type Message } from '../message/index.js'
import { type AddOutcome, AddQueue } from './add-queue.js'
import type {
  AddResult,
  EventStore,
  Lease,
  LeasedMessage,
  LeaseOptions,
  OverflowPolicy,
  StoreSize,
} from './event-store.js'
import { resolveCapacity } from './event-store.js'
import {
  connectRedis,
  redactUrl,
  redisPassword,
  redisUrlOption,
  runScript,
  toRedisError,
  withTimeout,
} from './redis-connection.js'
import { REDIS_STORE_DEFAULTS, REDIS_STORE_OPTIONS, type RedisEventStoreOptions } from './redis-options.js'
import { REDIS_SCRIPTS, type RedisScript } from './redis-scripts.js'
import {
  readStored,
  storedCount,
  storedOrStandIn,
  type Unreadable,
  unreadableDrops,
} from './stored-message.js'

/** Messages per add script call. */
const MAX_COMMIT = 500
/** Consumers of dead workers that hold nothing are removed from the group after a day. */
const STALE_CONSUMER_MS = 24 * 60 * 60 * 1000

interface Held {
  readonly kind: number
  readonly entryId: string
  readonly bytes: number
}

/**
 * A store shared by many processes through Redis Streams (ioredis, an optional peer dependency
 * loaded on first use). Producers add; workers lease their share through one consumer group,
 * acknowledge on a final outcome (`XACK` + `XDEL`), and take over messages whose lease lapsed —
 * a worker that died — with `XAUTOCLAIM` after `leaseMs`. Retries wait in a sorted set scored
 * by `notBefore` and go back to the end of their stream when due.
 *
 * Capacity is exact across processes: every add checks count and bytes in one Lua script and
 * applies the overflow policy; nothing is trimmed silently (no `MAXLEN`). Messages round-trip
 * exactly: id, kind, JSON, bytes and createdAt are stored, the body is parsed back from the JSON.
 * Durability is Redis's own (RDB/AOF settings). Failures reject with `EVENTWIRE_STORE_ERROR`
 * (retryable); messages never include the password.
 */
export class RedisEventStore implements EventStore {
  readonly stream: string
  readonly group: string
  readonly consumer: string
  readonly bufferCapacity: number
  readonly maxBufferBytes: number
  readonly overflow: OverflowPolicy
  /** Lease duration overriding the callers' `leaseMs`, if set. */
  readonly leaseTimeoutMs: number | undefined
  /** Longest wait for one Redis command, in milliseconds. */
  readonly commandTimeoutMs: number
  readonly #target: string | Redis
  readonly #redisOptions: RedisOptions
  readonly #keys: readonly string[]
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #where: string
  readonly #redactor: Redactor
  readonly #queue: AddQueue
  readonly #leases = new Map<string, { expiresAt: number; held: Map<string, Held[]> }>()
  readonly #inflight = new Set<Promise<unknown>>()
  #connecting: Promise<Redis> | undefined
  #client: Redis | undefined
  #closed = false

  /** @throws {ConfigError} for an unknown or invalid option (`url` is called `redis` here). */
  constructor(options: RedisEventStoreOptions = {}) {
    checkOptions(options, REDIS_STORE_OPTIONS, 'RedisEventStore')
    const redis = options.redis ?? REDIS_STORE_DEFAULTS.redis
    this.#target = typeof redis === 'string' ? redisUrlOption('redis', redis) : redisClientOption(redis)
    this.#where = typeof redis === 'string' ? redactUrl(redis) : 'a shared ioredis client'
    this.#redisOptions = options.redisOptions ?? {}
    this.stream = stringOption('stream', options.stream, REDIS_STORE_DEFAULTS.stream)
    this.group = stringOption('group', options.group, REDIS_STORE_DEFAULTS.group)
    this.consumer = stringOption(
      'consumer',
      options.consumer,
      `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    )
    const capacity = resolveCapacity(options)
    this.bufferCapacity = capacity.bufferCapacity
    this.maxBufferBytes = capacity.maxBufferBytes
    this.overflow = capacity.overflow
    this.leaseTimeoutMs =
      options.leaseTimeoutMs === undefined
        ? undefined
        : intOption('leaseTimeoutMs', options.leaseTimeoutMs, 0, 1)
    const blockPollMs = intOption('blockPollMs', options.blockPollMs, REDIS_STORE_DEFAULTS.blockPollMs, 1)
    this.commandTimeoutMs = intOption(
      'commandTimeoutMs',
      options.commandTimeoutMs,
      REDIS_STORE_DEFAULTS.commandTimeoutMs,
      1,
    )
    this.#clock = options.clock ?? systemClock
    const password = typeof redis === 'string' ? redisPassword(redis) : undefined
    this.#redactor = new Redactor([password])
    this.#logger = resolveLogger(options.logger, this.#redactor)
    const tag = `{${this.stream}}`
    this.#keys = [...ENDPOINTS.map((kind) => `${tag}:${kind}`), `${tag}:delayed`, `${tag}:meta`]
    this.#queue = new AddQueue((messages) => this.#commitAdds(messages), {
      maxBatch: MAX_COMMIT,
      clock: this.#clock,
      pollMs: blockPollMs,
    })
  }

  /** Creates a store and connects now, so a missing package or an unreachable server surfaces here. */
  static async open(options: RedisEventStoreOptions = {}): Promise<RedisEventStore> {
    checkOptions(options, REDIS_STORE_OPTIONS, 'RedisEventStore.open')
    const store = new RedisEventStore(options)
    await store.#ready()
    return store
  }

  async add(messages: readonly Message[], signal?: AbortSignal): Promise<AddResult> {
    await this.#ready()
    return this.#queue.add(messages, signal)
  }

  lease(options: LeaseOptions): Promise<Lease | undefined> {
    return this.#track(this.#lease(options))
  }

  async #lease(options: LeaseOptions): Promise<Lease | undefined> {
    await this.#ready()
    const now = this.#clock.now()
    const leaseMs = this.leaseTimeoutMs ?? options.leaseMs
    for (const [id, lease] of this.#leases) if (lease.expiresAt <= now) this.#leases.delete(id)
    const kindIndex = options.kind === undefined ? 0 : ENDPOINTS.indexOf(options.kind) + 1
    const reply = (await this.#run(REDIS_SCRIPTS.lease, [
      this.group,
      this.consumer,
      now,
      leaseMs,
      options.maxCount,
      options.maxBytes,
      kindIndex,
    ])) as Array<string | number>
    if (reply.length === 0) return undefined
    const kindNumber = Number(reply[0])
    const kind = ENDPOINTS[kindNumber - 1]!
    const items: LeasedMessage[] = []
    const held = new Map<string, Held[]>()
    const unreadable: Array<Unreadable & { held: Held }> = []
    for (let i = 1; i + 6 <= reply.length; i += 6) {
      const [entryId, id, json, createdAt, bytes, attempts] = reply.slice(i, i + 6).map(String) as [
        string,
        string,
        string,
        string,
        string,
        string,
      ]
      const entry: Held = { kind: kindNumber, entryId, bytes: storedCount(bytes) }
      const message = readStored({ kind, id, json, createdAt })
      if (typeof message === 'string') {
        const place = `entry ${entryId} of ${this.#keys[kindNumber - 1]}`
        unreadable.push({ fields: { kind, id, json, createdAt }, place, problem: message, held: entry })
        continue
      }
      items.push({ message, attempts: storedCount(attempts) })
      const list = held.get(id)
      if (list === undefined) held.set(id, [entry])
      else list.push(entry)
    }
    const id = randomUUID()
    const expiresAt = now + leaseMs
    if (held.size > 0) this.#leases.set(id, { expiresAt, held })
    const dropped = await this.#removeUnreadable(unreadable)
    if (dropped.length === 0) return items.length === 0 ? undefined : { id, kind, items, expiresAt }
    return { id, kind, items, expiresAt, dropped }
  }

  /**
   * Removes entries that do not read back as a message: none of this store's workers could ever
   * deliver them, so they are deleted (not kept aside, where they would pile up unread) and
   * reported as `corrupt` drops naming each entry. If removing them fails, they stay leased here
   * and come back when the lease lapses, and the lease goes on with the readable messages.
   */
  async #removeUnreadable(entries: ReadonlyArray<Unreadable & { held: Held }>): Promise<RejectedMessage[]> {
    if (entries.length === 0) return []
    try {
      await this.#run(REDIS_SCRIPTS.ack, [
        this.group,
        ...entries.flatMap((e) => [e.held.kind, e.held.entryId, e.held.bytes]),
      ])
    } catch (error) {
      this.#logger.warn(
        { err: error as Error, count: entries.length },
        'eventwire: could not remove unreadable entries from the Redis store; they are leased again later',
      )
      return []
    }
    this.#queue.wake()
    return unreadableDrops(`Redis store ${this.#where}, stream ${this.stream}`, entries)
  }

  ack(lease: Lease, ids: readonly string[]): Promise<void> {
    return this.#track(this.#ack(lease, ids))
  }

  async #ack(lease: Lease, ids: readonly string[]): Promise<void> {
    const args = this.#take(lease, ids, (h) => [h.kind, h.entryId, h.bytes])
    if (args.length === 0) return
    await this.#ready()
    await this.#run(REDIS_SCRIPTS.ack, [this.group, ...args])
    this.#queue.wake()
  }

  release(lease: Lease, ids: readonly string[], notBefore: number): Promise<void> {
    return this.#track(this.#release(lease, ids, notBefore))
  }

  async #release(lease: Lease, ids: readonly string[], notBefore: number): Promise<void> {
    const args = this.#take(lease, ids, (h) => [h.kind, h.entryId])
    if (args.length === 0) return
    await this.#ready()
    await this.#run(REDIS_SCRIPTS.release, [this.group, this.consumer, Math.round(notBefore), ...args])
  }

  size(): Promise<StoreSize> {
    return this.#track(this.#size())
  }

  async #size(): Promise<StoreSize> {
    await this.#ready()
    await this.#queue.settle()
    const reply = (await this.#run(REDIS_SCRIPTS.size, [this.group, this.#clock.now()])) as Array<
      string | number
    >
    const optional = (value: string | number | undefined) =>
      value === undefined || value === '' ? undefined : Number(value)
    return {
      count: Number(reply[0]),
      bytes: Number(reply[1]),
      leased: Number(reply[2]),
      ready: Number(reply[3]),
      oldestReadyAt: optional(reply[4]),
      nextRetryAt: optional(reply[5]),
    }
  }

  /**
   * Stops the store: waits for adds in progress, makes this process's unacknowledged leases
   * reclaimable by other workers at once, and disconnects a client it created. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const client = await this.#connecting?.catch(() => undefined)
    if (client === undefined) return
    // Operations already started finish on the open connection.
    await Promise.allSettled([...this.#inflight])
    await this.#queue.settle().catch(() => {})
    this.#queue.fail(new ClosedError(STORE_CLOSED))
    try {
      await runScript(client, REDIS_SCRIPTS.close, this.#keys, [this.group, this.consumer, STALE_CONSUMER_MS])
    } catch (error) {
      this.#logger.warn(
        { err: (error as Error).message },
        'eventwire: could not hand back Redis leases on close',
      )
    }
    this.#leases.clear()
    if (typeof this.#target === 'string') await client.quit().catch(() => client.disconnect())
  }

  /** `close()`, for `await using store = ...`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  #ready(): Promise<Redis> {
    if (this.#closed) return Promise.reject(new ClosedError(STORE_CLOSED))
    if (this.#connecting === undefined) {
      const target = this.#target
      const connecting =
        typeof target === 'string'
          ? connectRedis(
              target,
              { connectTimeout: this.commandTimeoutMs, ...this.#redisOptions },
              this.#logger,
              this.commandTimeoutMs,
              this.#redactor,
            )
          : Promise.resolve(target)
      this.#connecting = connecting.then(
        (client) => {
          this.#client = client
          return client
        },
        (error) => {
          // Connecting again later may work (the server was restarting): do not keep the failure.
          this.#connecting = undefined
          throw error
        },
      )
    }
    return this.#connecting
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inflight.add(work)
    const done = () => this.#inflight.delete(work)
    work.then(done, done)
    return work
  }

  async #run(script: RedisScript, args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await withTimeout(
        runScript(this.#client!, script, this.#keys, args),
        this.commandTimeoutMs,
        this.#clock,
        `a Redis command got no answer within ${this.commandTimeoutMs} ms`,
      )
    } catch (error) {
      throw toRedisError(error, this.#where, this.#redactor)
    }
  }

  async #commitAdds(messages: readonly Message[]): Promise<AddOutcome[]> {
    const args: Array<string | number> = [this.group, this.bufferCapacity, this.maxBufferBytes, this.overflow]
    for (const m of messages) args.push(ENDPOINTS.indexOf(m.kind) + 1, m.id, m.json, m.createdAt, m.bytes)
    const reply = (await this.#run(REDIS_SCRIPTS.add, args)) as Array<string | number>
    const outcomes: AddOutcome[] = []
    let i = 0
    while (i < reply.length) {
      const stored = Number(reply[i]) === 1
      const evictedCount = Number(reply[i + 1])
      i += 2
      const evicted: Message[] = []
      for (let e = 0; e < evictedCount; e++, i += 5) {
        const kind = ENDPOINTS[Number(reply[i]) - 1]!
        const [id, json, createdAt] = [reply[i + 1], reply[i + 2], reply[i + 3]].map(String)
        evicted.push(storedOrStandIn({ kind, id, json, createdAt }))
      }
      outcomes.push({ stored, evicted })
    }
    return outcomes
  }

  /** Removes `ids` from an unexpired lease held here and returns their script arguments. */
  #take(
    lease: Lease,
    ids: readonly string[],
    toArgs: (held: Held) => Array<string | number>,
  ): Array<string | number> {
    const record = this.#leases.get(lease.id)
    if (record === undefined) return []
    const args: Array<string | number> = []
    for (const id of ids) {
      for (const held of record.held.get(id) ?? []) args.push(...toArgs(held))
      record.held.delete(id)
    }
    if (record.held.size === 0) this.#leases.delete(lease.id)
    return args
  }
}

function redisClientOption(value: unknown): Redis {
  if (typeof value === 'object' && value !== null && typeof (value as Redis).evalsha === 'function')
    return value as Redis
  throw new ConfigError('redis', 'expected a Redis URL or an ioredis client')
}

const STORE_CLOSED = 'The event store is closed'
