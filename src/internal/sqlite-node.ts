import type { SqliteDatabase, SqliteStatement, SqliteValue } from './sqlite-types.js'

/** The parts of `node:sqlite` eventwire uses (typed here: not every supported Node.js has its types). */
interface NodeSqliteModule {
  DatabaseSync: new (path: string) => DatabaseSync
}

interface DatabaseSync {
  readonly isTransaction?: boolean
  prepare(sql: string): SqliteStatement
  exec(sql: string): void
  function(name: string, options: { deterministic?: boolean }, fn: (...args: SqliteValue[]) => unknown): void
  close(): void
}

let loaded: NodeSqliteModule | null | undefined

/**
 * `node:sqlite`, loaded once, or undefined where the runtime has none or one too old for eventwire
 * (Node.js before 22.13 has it only behind a flag and without `iterate()` and `function()`).
 * Node.js 22 prints an ExperimentalWarning when the module loads; that one warning is not passed
 * on — any other warning emitted meanwhile is.
 */
export function nodeSqliteModule(): NodeSqliteModule | undefined {
  if (loaded === undefined) loaded = load() ?? null
  return loaded ?? undefined
}

function load(): NodeSqliteModule | undefined {
  const proc = (globalThis as { process?: NodeJS.Process }).process
  const getBuiltinModule = (proc as { getBuiltinModule?: (id: string) => unknown } | undefined)
    ?.getBuiltinModule
  if (proc === undefined || typeof getBuiltinModule !== 'function') return undefined
  const emitWarning = proc.emitWarning
  proc.emitWarning = function filtered(this: unknown, warning: string | Error, ...rest: unknown[]) {
    if (isSqliteExperimentalWarning(warning, rest[0])) return
    return (emitWarning as (...args: unknown[]) => void).call(proc, warning, ...rest)
  } as NodeJS.Process['emitWarning']
  let module: NodeSqliteModule | undefined
  try {
    module = getBuiltinModule.call(proc, 'node:sqlite') as NodeSqliteModule | undefined
  } catch {
    module = undefined
  } finally {
    proc.emitWarning = emitWarning
  }
  const prototype = module?.DatabaseSync?.prototype as Partial<DatabaseSync> | undefined
  if (typeof prototype?.function !== 'function' || !hasIterate(module!)) return undefined
  return module
}

function hasIterate(module: NodeSqliteModule): boolean {
  const statement = (module as { StatementSync?: { prototype?: { iterate?: unknown } } }).StatementSync
  return typeof statement?.prototype?.iterate === 'function'
}

function isSqliteExperimentalWarning(warning: string | Error, typeOrOptions: unknown): boolean {
  const message = typeof warning === 'string' ? warning : warning?.message
  const type =
    typeof typeOrOptions === 'string'
      ? typeOrOptions
      : ((typeOrOptions as { type?: string } | undefined)?.type ??
        (typeof warning === 'string' ? undefined : warning?.name))
  return type === 'ExperimentalWarning' && typeof message === 'string' && message.startsWith('SQLite ')
}

/** Opens `path` with `node:sqlite`. */
export function openNodeSqlite(
  module: NodeSqliteModule,
  path: string,
  busyTimeoutMs: number,
): SqliteDatabase {
  const db = new module.DatabaseSync(path)
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`)
  } catch (error) {
    db.close()
    throw error
  }
  return new NodeSqliteDatabase(db)
}

/** A `node:sqlite` database behind eventwire's SQLite interface. */
class NodeSqliteDatabase implements SqliteDatabase {
  readonly driver = 'node:sqlite'
  readonly #db: DatabaseSync
  #open = true
  /** Transactions open through {@link transaction}, outermost first. */
  #depth = 0
  #savepoints = 0

  constructor(db: DatabaseSync) {
    this.#db = db
  }

  get open(): boolean {
    return this.#open
  }

  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R> {
    return this.#db.prepare(sql) as unknown as SqliteStatement<P, R>
  }

  exec(sql: string): void {
    this.#db.exec(sql)
  }

  pragma(source: string): unknown {
    const row = this.#db.prepare(`PRAGMA ${source}`).get()
    if (row === undefined || row === null) return undefined
    for (const key in row as object) return (row as Record<string, unknown>)[key]
    return undefined
  }

  transaction<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T {
    return (...args: A): T => {
      if (this.#depth > 0) return this.#nested(fn, args)
      this.#db.exec('BEGIN')
      this.#depth++
      try {
        const result = fn(...args)
        this.#db.exec('COMMIT')
        return result
      } catch (error) {
        this.#rollback('ROLLBACK')
        throw error
      } finally {
        this.#depth--
      }
    }
  }

  #nested<A extends unknown[], T>(fn: (...args: A) => T, args: A): T {
    const name = `eventwire_${++this.#savepoints}`
    this.#db.exec(`SAVEPOINT ${name}`)
    this.#depth++
    try {
      const result = fn(...args)
      this.#db.exec(`RELEASE ${name}`)
      return result
    } catch (error) {
      this.#rollback(`ROLLBACK TO ${name}; RELEASE ${name}`)
      throw error
    } finally {
      this.#depth--
    }
  }

  /** Undoes a failed transaction, if SQLite has not already (a failed COMMIT may have). */
  #rollback(sql: string): void {
    if (this.#db.isTransaction === false) return
    try {
      this.#db.exec(sql)
    } catch {
      // Already rolled back by SQLite: the original error is the one to report.
    }
  }

  function(name: string, fn: (...args: SqliteValue[]) => SqliteValue): void {
    this.#db.function(name, { deterministic: true }, fn)
  }

  close(): void {
    if (!this.#open) return
    this.#open = false
    this.#db.close()
  }
}
