/**
 * Each folder of `src/` is a module whose `index.ts` is its only door (STYLE.md): a file may
 * import any file of its own folder, but another folder only through that folder's `index.ts`.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { folderOf, importSpecifiers, resolveImport, sourceFiles } from './source-graph.js'

/** Imports of `file` that reach into another folder past its `index.ts`, as `file → target`. */
function pastTheDoor(file: string): string[] {
  const out: string[] = []
  for (const specifier of importSpecifiers(file)) {
    const target = resolveImport(file, specifier)
    if (target === undefined || folderOf(target) === folderOf(file)) continue
    if (target !== `${folderOf(target)}/index.ts`) out.push(`${file} → ${target}`)
  }
  return out
}

test('every folder of src/ is imported only through its index.ts', () => {
  const found = sourceFiles().flatMap(pastTheDoor)
  assert.deepEqual(found, [])
})
