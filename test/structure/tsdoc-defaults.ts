/**
 * The `@default` tags of the public options interfaces, read with the TypeScript compiler: every
 * interface named `…Options` exported by an entry point of package.json, and the interfaces it
 * extends. Each tag is kept with the interface that declares the property.
 */
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'

const ROOT = new URL('../../', import.meta.url).pathname

/** One `@default` tag. */
export interface DocumentedDefault {
  /** `Interface.property`. */
  readonly key: string
  readonly iface: string
  readonly property: string
  /** The tag's text, as written. */
  readonly text: string
  /** The file declaring the interface, relative to the repository. */
  readonly file: string
}

/** A public options interface: its declared properties, and which of them carry `@default`. */
export interface OptionsInterface {
  readonly name: string
  readonly file: string
  readonly properties: readonly string[]
  readonly defaults: readonly DocumentedDefault[]
}

/** The source files of the package's entry points (`.` is src/index.ts, `./x` is src/x/index.ts). */
function entryFiles(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>
  }
  return Object.entries(pkg.exports)
    .filter(([, target]) => typeof target !== 'string')
    .map(([subpath]) => join(ROOT, subpath === '.' ? 'src/index.ts' : `src/${subpath.slice(2)}/index.ts`))
}

/** Every public options interface and every interface it extends, by name. */
export function publicOptionsInterfaces(): Map<string, OptionsInterface> {
  const program = ts.createProgram(entryFiles(), {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    types: ['node'],
  })
  const checker = program.getTypeChecker()
  const resolve = (symbol: ts.Symbol) =>
    symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
  const queue: ts.InterfaceDeclaration[] = []
  for (const file of entryFiles()) {
    const source = program.getSourceFile(file)
    const module = source === undefined ? undefined : checker.getSymbolAtLocation(source)
    if (module === undefined) throw new Error(`entry point ${file} not found`)
    for (const exported of checker.getExportsOfModule(module)) {
      if (!exported.name.endsWith('Options')) continue
      for (const declaration of resolve(exported).declarations ?? []) {
        if (ts.isInterfaceDeclaration(declaration)) queue.push(declaration)
      }
    }
  }
  const found = new Map<string, OptionsInterface>()
  const seen = new Set<ts.InterfaceDeclaration>()
  while (queue.length > 0) {
    const declaration = queue.shift()!
    if (seen.has(declaration)) continue
    seen.add(declaration)
    for (const clause of declaration.heritageClauses ?? []) {
      for (const type of clause.types) {
        const symbol = checker.getSymbolAtLocation(type.expression)
        for (const base of (symbol && resolve(symbol).declarations) ?? []) {
          if (ts.isInterfaceDeclaration(base)) queue.push(base)
        }
      }
    }
    const name = declaration.name.text
    const file = relative(ROOT, declaration.getSourceFile().fileName)
    const properties: string[] = []
    const defaults: DocumentedDefault[] = []
    for (const member of declaration.members) {
      if (!(ts.isPropertySignature(member) || ts.isMethodSignature(member)) || member.name === undefined)
        continue
      const property = member.name.getText()
      properties.push(property)
      for (const tag of ts.getJSDocTags(member)) {
        if (tag.tagName.text !== 'default') continue
        const text = (ts.getTextOfJSDocComment(tag.comment) ?? '').replace(/\s+/g, ' ').trim()
        defaults.push({ key: `${name}.${property}`, iface: name, property, text, file })
      }
    }
    const previous = found.get(name)
    if (previous !== undefined && previous.file !== file) {
      throw new Error(`two public options interfaces named ${name}: ${previous.file} and ${file}`)
    }
    found.set(name, { name, file, properties, defaults })
  }
  return found
}

/** Nothing: the tag is prose, not a value. */
export const PROSE = Symbol('prose')

/**
 * The value a `@default` tag writes: a number (`10000`, `1_700_000_000_000`, `0.25`), a string
 * (`'us'`), a boolean, or an array or object of those (`['SIGTERM', 'SIGINT']`,
 * `{ retryLimit: 5 }`), optionally followed by a remark in parentheses (`67108864 (64 MiB)`).
 * Anything else is {@link PROSE}.
 */
export function parseDefault(text: string): unknown {
  const value = text.replace(/\s+\([^()]*\)$/, '')
  const code = `(${value})`
  const { diagnostics } = ts.transpileModule(code, { reportDiagnostics: true })
  const source = ts.createSourceFile('default.ts', code, ts.ScriptTarget.Latest, true)
  const statement = source.statements[0]
  if (
    (diagnostics?.length ?? 0) > 0 ||
    source.statements.length !== 1 ||
    statement === undefined ||
    !ts.isExpressionStatement(statement)
  ) {
    return PROSE
  }
  return literal((statement.expression as ts.ParenthesizedExpression).expression)
}

function literal(node: ts.Expression): unknown {
  if (ts.isNumericLiteral(node)) return Number(node.text)
  // Backticks in TSDoc format code (`<file>.json`); they are not a value.
  if (ts.isStringLiteral(node)) return node.text
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken) {
    const inner = literal(node.operand)
    return typeof inner === 'number' ? -inner : PROSE
  }
  if (ts.isArrayLiteralExpression(node)) {
    const items = node.elements.map((element) => literal(element))
    return items.includes(PROSE) ? PROSE : items
  }
  if (ts.isObjectLiteralExpression(node)) {
    const object: Record<string, unknown> = {}
    for (const property of node.properties) {
      if (!ts.isPropertyAssignment(property)) return PROSE
      const value = literal(property.initializer)
      if (value === PROSE) return PROSE
      object[property.name.getText().replace(/^['"]|['"]$/g, '')] = value
    }
    return object
  }
  return PROSE
}
