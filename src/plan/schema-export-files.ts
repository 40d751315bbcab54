import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { PlanError } from '../errors/index.js'
import { EXPORT_MANIFEST, type ExportManifest, type SchemaExport } from './schema-export.js'

/**
 * The manifest a previous `eventwire plan export` left in `dir`, or undefined when there is none.
 *
 * @throws {PlanError} when the file exists but is not a manifest.
 */
export function readExportManifest(dir: string): ExportManifest | undefined {
  const file = join(dir, EXPORT_MANIFEST)
  if (!existsSync(file)) return undefined
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as ExportManifest
    if (typeof manifest.versions !== 'object' || typeof manifest.plan !== 'object')
      throw new Error('not a manifest')
    return manifest
  } catch (error) {
    throw new PlanError(file, [
      { pointer: '', message: `not an export manifest: ${(error as Error).message}` },
    ])
  }
}

/**
 * The highest SchemaVer of each schema name in an Iglu folder (`vendor/name/jsonschema/M-R-A`),
 * for versioning against a folder that has no manifest.
 */
export function igluVersionsIn(dir: string, vendor: string): Record<string, string> {
  const root = join(dir, vendor)
  const versions: Record<string, string> = {}
  if (!existsSync(root)) return versions
  for (const name of readdirSync(root)) {
    const folder = join(root, name, 'jsonschema')
    if (!existsSync(folder)) continue
    for (const file of readdirSync(folder)) {
      if (!/^\d+-\d+-\d+$/.test(file)) continue
      const current = versions[name]
      if (current === undefined || compareSchemaVer(file, current) > 0) versions[name] = file
    }
  }
  return versions
}

/** Orders two SchemaVers (`1-0-10` after `1-0-9`). */
export function compareSchemaVer(a: string, b: string): number {
  const x = a.split('-').map(Number)
  const y = b.split('-').map(Number)
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0)
  return 0
}

/**
 * Writes an export into `dir`: every schema at its path (Iglu files have no extension, as in a
 * static Iglu repository), and the manifest. Existing files of other versions stay (an Iglu folder
 * keeps its history); an existing file of the same version with other content is refused.
 * Returns the paths written, relative to `dir`.
 *
 * @throws {PlanError} when a published version would be overwritten with other content.
 */
export function writeSchemaExport(result: SchemaExport, dir: string): string[] {
  const written: string[] = []
  for (const schema of result.schemas) {
    const file = join(dir, ...schema.path.split('/'))
    const text = `${JSON.stringify(schema.schema, null, 2)}\n`
    if (result.vendor !== undefined && existsSync(file) && readFileSync(file, 'utf8') !== text) {
      throw new PlanError(file, [
        {
          pointer: '',
          message: `${schema.uri} exists with other content; give the previous plan (--previous-plan) so the version is bumped`,
        },
      ])
    }
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, text)
    written.push(schema.path)
  }
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, EXPORT_MANIFEST), `${JSON.stringify(result.manifest, null, 2)}\n`)
  written.push(EXPORT_MANIFEST)
  return written
}
