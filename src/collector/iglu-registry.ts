import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import Draft04Module from 'ajv-draft-04'
import formatsModule from 'ajv-formats'
import { CollectorError } from '../errors/index.js'

// Both are CommonJS modules whose default export sits on `.default` under NodeNext.
const Ajv04 = Draft04Module.default
const addFormats = formatsModule.default

type Validate = ReturnType<InstanceType<typeof Ajv04>['compile']>

/** An Iglu URI: `iglu:<vendor>/<name>/<format>/<MODEL-REVISION-ADDITION>`. */
export const IGLU_URI = /^iglu:([a-zA-Z0-9-_.]+)\/([a-zA-Z0-9-_]+)\/([a-zA-Z0-9-_]+)\/([0-9]+-[0-9]+-[0-9]+)$/

/** One problem of self-describing data against its schema. */
export interface IgluProblem {
  /** Where in the data, dotted (`items[0].sku`); empty for the data as a whole. */
  path: string
  message: string
}

/** The outcome of {@link IgluRegistry.check}. */
export type IgluResult =
  | { status: 'valid' }
  | { status: 'invalid'; problems: IgluProblem[] }
  /** The folder has no such schema. */
  | { status: 'unknown' }
  /** Snowplow's own schema (`com.snowplowanalytics.*`), not in the folder: not checked offline. */
  | { status: 'skipped' }

/**
 * The user's Iglu schemas, read from a local folder laid out like a static Iglu repository:
 * `<vendor>/<name>/jsonschema/<version>` (files named `1-0-0`, with or without `.json`), at the
 * folder's top or under `schemas/`. Every schema is compiled at load with ajv for JSON Schema
 * draft-04, as Iglu schemas are written; the `self` block must match the file's place.
 */
export class IgluRegistry {
  /** The folder read. */
  readonly dir: string
  readonly #validators = new Map<string, Validate>()

  private constructor(dir: string) {
    this.dir = dir
  }

  /**
   * Reads and compiles every schema under `dir`.
   *
   * @throws {EventwireError} `EVENTWIRE_COLLECTOR_IGLU_INVALID` naming the file when the folder
   * cannot be read, a file is not JSON, its `self` does not match its place, or it does not compile.
   */
  static load(dir: string): IgluRegistry {
    const registry = new IgluRegistry(dir)
    const fail = (file: string, reason: string, cause?: unknown): never => {
      throw new CollectorError(
        'EVENTWIRE_COLLECTOR_IGLU_INVALID',
        `Cannot use the Iglu schema ${JSON.stringify(file)}: ${reason}`,
        cause === undefined ? undefined : { cause },
      )
    }
    if (!existsSync(dir) || !statSync(dir).isDirectory()) fail(dir, 'not a folder')
    const root = existsSync(join(dir, 'schemas')) ? join(dir, 'schemas') : dir
    const ajv = new Ajv04({ allErrors: true, strict: false, logger: false })
    addFormats(ajv)
    for (const vendor of folders(root)) {
      for (const name of folders(join(root, vendor))) {
        for (const format of folders(join(root, vendor, name))) {
          for (const file of readdirSync(join(root, vendor, name, format))) {
            const version = file.replace(/\.json$/, '')
            if (!/^[0-9]+-[0-9]+-[0-9]+$/.test(version)) continue
            const path = join(root, vendor, name, format, file)
            let schema: Record<string, unknown>
            try {
              schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
            } catch (cause) {
              return fail(path, `not JSON: ${(cause as Error).message}`, cause)
            }
            const self = schema.self as Record<string, unknown> | undefined
            if (
              self !== undefined &&
              (self.vendor !== vendor ||
                self.name !== name ||
                self.format !== format ||
                self.version !== version)
            ) {
              fail(
                path,
                `its self block says ${JSON.stringify(self)}, its place says ${vendor}/${name}/${format}/${version}`,
              )
            }
            // `self` and the self-describing `$schema` are Iglu's, not JSON Schema keywords.
            const { self: _self, $schema: _meta, ...body } = schema
            try {
              registry.#validators.set(`iglu:${vendor}/${name}/${format}/${version}`, ajv.compile(body))
            } catch (cause) {
              fail(path, `does not compile: ${(cause as Error).message}`, cause)
            }
          }
        }
      }
    }
    return registry
  }

  /** The URIs of the schemas loaded, sorted. */
  get uris(): string[] {
    return [...this.#validators.keys()].sort()
  }

  /** Checks `data` against the schema `uri`. */
  check(uri: string, data: unknown): IgluResult {
    const validate = this.#validators.get(uri)
    if (validate === undefined) {
      return uri.startsWith('iglu:com.snowplowanalytics.') ? { status: 'skipped' } : { status: 'unknown' }
    }
    if (validate(data)) return { status: 'valid' }
    return {
      status: 'invalid',
      problems: (validate.errors ?? []).map((error) => {
        const params = error.params as { missingProperty?: string; additionalProperty?: string }
        const extra = params.missingProperty ?? params.additionalProperty
        const base = error.instancePath
          .split('/')
          .slice(1)
          .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
          .join('')
          .replace(/^\./, '')
        const path = extra === undefined ? base : base === '' ? extra : `${base}.${extra}`
        const message =
          params.additionalProperty !== undefined
            ? `${JSON.stringify(params.additionalProperty)} is not allowed by the schema`
            : `${path === '' ? 'data' : path} ${error.message ?? 'is invalid'}`
        return { path, message }
      }),
    }
  }
}

function folders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
}
