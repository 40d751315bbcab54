/**
 * The import graph of `src/`, read with the TypeScript compiler API: every relative `import`,
 * `export ... from`, dynamic `import()` and `import('...')` type, type-only imports included.
 * Files are named by their path under `src/` (`stores/sqlite-store.ts`); a folder is a top-level
 * directory of `src/` (a module; its subfolders belong to it), and `.` is `src/` itself.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

export const SRC = new URL('../../src/', import.meta.url).pathname

/** Every `.ts` file under `src/` (tests included when `withTests`), as paths under `src/`, sorted. */
export function sourceFiles(withTests = false): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.name.endsWith('.ts') && (withTests || !entry.name.endsWith('.test.ts'))) {
        out.push(relative(SRC, full))
      }
    }
  }
  walk(SRC)
  return out.sort()
}

/** The module specifiers `file` (a path under `src/`) imports, in any form. */
export function importSpecifiers(file: string): string[] {
  return specifiersIn(readFileSync(join(SRC, file), 'utf8'))
}

/** The module specifiers TypeScript source `text` imports, in any form. */
export function specifiersIn(text: string): string[] {
  const source = ts.createSourceFile('source.ts', text, ts.ScriptTarget.Latest, true)
  const specifiers: string[] = []
  const literal = (node: ts.Node | undefined) => {
    if (node !== undefined && ts.isStringLiteralLike(node)) specifiers.push(node.text)
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) literal(node.moduleSpecifier)
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      literal(node.moduleReference.expression)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      literal(node.arguments[0])
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      literal(node.argument.literal)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return specifiers
}

/** The file under `src/` that `specifier`, imported by `from`, names; undefined for packages. */
export function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined
  const base = resolve(dirname(join(SRC, from)), specifier)
  const stem = base.replace(/\.(js|ts|mjs|cjs)$/, '')
  for (const candidate of [`${stem}.ts`, base, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return relative(SRC, candidate)
  }
  return undefined
}

/** The top-level folder of a path under `src/`; `.` for files directly in `src/`. */
export function folderOf(file: string): string {
  const slash = file.indexOf('/')
  return slash === -1 ? '.' : file.slice(0, slash)
}

/** A directed graph: each node's successors, sorted. */
export type Graph = ReadonlyMap<string, readonly string[]>

/** Which files each source file imports (only files under `src/` that are not tests). */
export function fileGraph(): Graph {
  const graph = new Map<string, string[]>()
  for (const file of sourceFiles()) {
    const targets = new Set<string>()
    for (const specifier of importSpecifiers(file)) {
      const target = resolveImport(file, specifier)
      if (target !== undefined && target !== file) targets.add(target)
    }
    graph.set(file, [...targets].sort())
  }
  return graph
}

/** Which folders each folder imports, and one importing file per edge (`from → to` as the key). */
export function folderGraph(files: Graph): { graph: Graph; witness: ReadonlyMap<string, string> } {
  const graph = new Map<string, Set<string>>()
  const witness = new Map<string, string>()
  for (const [file, targets] of files) {
    const from = folderOf(file)
    if (!graph.has(from)) graph.set(from, new Set())
    for (const target of targets) {
      const to = folderOf(target)
      if (to === from) continue
      graph.get(from)!.add(to)
      if (!witness.has(`${from} → ${to}`)) witness.set(`${from} → ${to}`, `${file} → ${target}`)
    }
  }
  return { graph: new Map([...graph].map(([k, v]) => [k, [...v].sort()])), witness }
}

/** Strongly connected sets of more than one node (Tarjan), each sorted. */
export function stronglyConnected(graph: Graph): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const out: string[][] = []
  const visit = (node: string): void => {
    index.set(node, next)
    low.set(node, next)
    next++
    stack.push(node)
    onStack.add(node)
    for (const succ of graph.get(node) ?? []) {
      if (!index.has(succ)) {
        visit(succ)
        low.set(node, Math.min(low.get(node)!, low.get(succ)!))
      } else if (onStack.has(succ)) {
        low.set(node, Math.min(low.get(node)!, index.get(succ)!))
      }
    }
    if (low.get(node) === index.get(node)) {
      const set: string[] = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        set.push(member)
      } while (member !== node)
      if (set.length > 1) out.push(set.sort())
    }
  }
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node)
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!))
}

/**
 * The cycles of `graph`, each written `a → b → … → a`: for every node on a cycle, the shortest
 * cycle through it (breadth-first, successors in order), each cycle once, starting at its
 * smallest node. Every import cycle shows up in at least one of them; an empty list means none.
 */
export function cycles(graph: Graph): string[] {
  const found = new Set<string>()
  for (const set of stronglyConnected(graph)) {
    const inSet = new Set(set)
    for (const start of set) {
      const parent = new Map<string, string>()
      const queue = [start]
      let end: string | undefined
      while (queue.length > 0 && end === undefined) {
        const node = queue.shift()!
        for (const succ of graph.get(node) ?? []) {
          if (!inSet.has(succ)) continue
          if (succ === start) {
            end = node
            break
          }
          if (parent.has(succ)) continue
          parent.set(succ, node)
          queue.push(succ)
        }
      }
      const path = [start]
      for (let node = end!; node !== start; node = parent.get(node)!) path.splice(1, 0, node)
      found.add(canonical(path))
    }
  }
  return [...found].sort()
}

/** A cycle's path rotated to start at its smallest node, closed: `a → b → a`. */
function canonical(path: readonly string[]): string {
  let first = 0
  for (let i = 1; i < path.length; i++) if (path[i]! < path[first]!) first = i
  const rotated = [...path.slice(first), ...path.slice(0, first)]
  return [...rotated, rotated[0]].join(' → ')
}
