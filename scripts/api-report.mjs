#!/usr/bin/env node
// Writes api-report.md: every export of every entry point of the package, read from the sources
// with the TypeScript compiler. Entry points come from the `exports` map of package.json (`.` is
// src/index.ts, `./<name>` is src/<name>/index.ts), as in tsup.config.ts.
//
//   node scripts/api-report.mjs                    write api-report.md
//   node scripts/api-report.mjs --check [--report <file>]
//                                                  exit 1, printing the differences, when the
//                                                  sources export something else than the report
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'

const root = new URL('..', import.meta.url).pathname

const HEADER = `# API report

Every export of every entry point of the \`eventwire\` package, generated from the sources by
\`npm run api-report\`. A test fails when the sources export anything else, so every change to the
public surface shows up here in review.
`

/** Entry points as [import specifier, source file], in the order of package.json's exports. */
export function entryPoints() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  return Object.entries(pkg.exports)
    .filter(([, target]) => typeof target !== 'string')
    .map(([subpath]) =>
      subpath === '.'
        ? ['eventwire', 'src/index.ts']
        : [`eventwire/${subpath.slice(2)}`, `src/${subpath.slice(2)}/index.ts`],
    )
}

/** The report's text. */
export function renderApiReport() {
  const entries = entryPoints()
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    strict: true,
    noEmit: true,
  }
  const program = ts.createProgram(
    entries.map(([, file]) => join(root, file)),
    { ...options, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: ['node'] },
  )
  const checker = program.getTypeChecker()
  const sections = entries.map(([specifier, file]) => {
    const source = program.getSourceFile(join(root, file))
    if (source === undefined) throw new Error(`${file} (entry point ${specifier}) does not exist`)
    const module = checker.getSymbolAtLocation(source)
    const lines = (module === undefined ? [] : checker.getExportsOfModule(module))
      .map((symbol) => `- ${kindOf(checker, symbol)} ${symbol.name}`)
      .sort((a, b) => nameOf(a).localeCompare(nameOf(b), 'en'))
    return `## ${specifier}\n\n${lines.length} exports (\`${file}\`)\n\n${lines.join('\n')}\n`
  })
  return `${HEADER}\n${sections.join('\n')}`
}

function nameOf(line) {
  return line.slice(line.lastIndexOf(' ') + 1)
}

/** `class`, `function`, `const`, `enum`, `interface` or `type`; `type` also for a type-only export of a value. */
function kindOf(checker, symbol) {
  let typeOnly = false
  let target = symbol
  while (target.flags & ts.SymbolFlags.Alias) {
    const declaration = target.declarations?.[0]
    if (declaration !== undefined && isTypeOnlyExport(declaration)) typeOnly = true
    const next = checker.getImmediateAliasedSymbol(target)
    if (next === undefined) break
    target = next
  }
  const flags = target.flags
  if (typeOnly) return flags & ts.SymbolFlags.Interface ? 'interface' : 'type'
  if (flags & ts.SymbolFlags.Class) return 'class'
  if (flags & ts.SymbolFlags.Function) return 'function'
  if (flags & ts.SymbolFlags.Enum) return 'enum'
  if (flags & ts.SymbolFlags.Variable) return 'const'
  if (flags & ts.SymbolFlags.Interface) return 'interface'
  if (flags & ts.SymbolFlags.TypeAlias) return 'type'
  return 'other'
}

function isTypeOnlyExport(declaration) {
  if (ts.isExportSpecifier(declaration)) return declaration.isTypeOnly || declaration.parent.parent.isTypeOnly
  if (ts.isImportSpecifier(declaration)) return declaration.isTypeOnly || declaration.parent.parent.isTypeOnly
  return false
}

/** Lines of `actual` missing from `expected` (+) and the reverse (−), per section. */
export function differences(expected, actual) {
  const parse = (text) => {
    const out = new Set()
    let section = ''
    for (const line of text.split('\n')) {
      if (line.startsWith('## ')) section = line.slice(3)
      else if (line.startsWith('- ')) out.add(`${section}: ${line.slice(2)}`)
    }
    return out
  }
  const before = parse(expected)
  const after = parse(actual)
  return [
    ...[...after].filter((l) => !before.has(l)).map((l) => `+ ${l}`),
    ...[...before].filter((l) => !after.has(l)).map((l) => `- ${l}`),
  ]
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const args = process.argv.slice(2)
  const reportFlag = args.indexOf('--report')
  const reportPath = reportFlag >= 0 ? args[reportFlag + 1] : join(root, 'api-report.md')
  const actual = renderApiReport()
  if (args.includes('--check')) {
    const expected = readFileSync(reportPath, 'utf8')
    if (expected !== actual) {
      const diff = differences(expected, actual)
      console.error(
        `The public surface differs from ${reportPath} (run \`npm run api-report\` and review the change):\n${
          diff.length > 0 ? diff.join('\n') : '(order, counts or layout)'
        }`,
      )
      process.exit(1)
    }
    console.log(`${reportPath} matches the sources`)
  } else {
    writeFileSync(reportPath, actual)
    console.log(`wrote ${reportPath}`)
  }
}
