import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { extname } from 'node:path'
import type * as Yaml from 'yaml'
import type { Node } from 'yaml'
import { PlanError, type PlanProblem } from '../errors/index.js'
import { segmentsOf } from './names.js'

/** A plan as read: the parsed document, and the file and text it came from (when a file). */
export interface PlanSource {
  readonly document: unknown
  readonly file: string | undefined
  readonly text: string | undefined
}

/**
 * Reads a plan file (JSON, or YAML for `.yaml`/`.yml`; other extensions are sniffed) or takes a
 * plan object as is (a deep copy). Throws {@link PlanError} when the file cannot be read or parsed.
 */
export function readPlanSource(input: string | object): PlanSource {
  if (typeof input !== 'string') {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new PlanError(undefined, [{ pointer: '', message: 'a plan must be a file path or an object' }])
    }
    return { document: structuredClone(input), file: undefined, text: undefined }
  }
  let text: string
  try {
    text = readFileSync(input, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new PlanError(input, [{ pointer: '', message: `cannot read the file (${code ?? 'error'})` }], {
      cause: error,
    })
  }
  return { document: parsePlanText(text, input), file: input, text }
}

/** Parses plan text; `file` decides JSON or YAML by extension and names the file in errors. */
export function parsePlanText(text: string, file?: string): unknown {
  const ext = file === undefined ? '' : extname(file).toLowerCase()
  const json = ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && /^\s*[{[]/.test(text))
  if (json) {
    try {
      return JSON.parse(text)
    } catch (error) {
      const offset = Number(/position (\d+)/.exec((error as Error).message)?.[1])
      const pos = Number.isNaN(offset) ? undefined : lineColumn(text, offset)
      throw new PlanError(
        file,
        [{ pointer: '', message: `not valid JSON: ${(error as Error).message}`, ...pos }],
        {
          cause: error,
        },
      )
    }
  }
  const { LineCounter, parseDocument } = yaml()
  const lineCounter = new LineCounter()
  // Merge keys (`<<: *common`) let a YAML plan reuse property definitions through anchors.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true })
  const first = doc.errors[0]
  if (first !== undefined) {
    const pos = lineCounter.linePos(first.pos[0])
    throw new PlanError(
      file,
      [
        {
          pointer: '',
          message: `not valid YAML: ${first.message.split('\n')[0]}`,
          line: pos.line,
          column: pos.col,
        },
      ],
      { cause: first },
    )
  }
  return doc.toJS()
}

/** Adds line and column (from the source text) to problems that have a pointer into a file. */
export function locateProblems(source: PlanSource, problems: readonly PlanProblem[]): PlanProblem[] {
  if (source.text === undefined) return [...problems]
  const { LineCounter, parseDocument } = yaml()
  const lineCounter = new LineCounter()
  const doc = parseDocument(source.text, { lineCounter, merge: true })
  if (doc.errors.length > 0) return [...problems]
  return problems.map((problem) => {
    if (problem.line !== undefined) return problem
    const offset = offsetOf(doc.contents, segmentsOf(problem.pointer))
    if (offset === undefined) return problem
    const pos = lineCounter.linePos(offset)
    return { ...problem, line: pos.line, column: pos.col }
  })
}

/** Offset of the deepest node on the pointer's path (the parent when the target is missing). */
function offsetOf(root: unknown, segments: readonly string[]): number | undefined {
  const { isMap, isSeq } = yaml()
  let node = root as Node | null
  let offset = node?.range?.[0]
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown })?.value ?? p.key) === segment)
      if (pair === undefined) break
      const keyNode = pair.key as Node | null
      node = pair.value as Node | null
      offset = node?.range?.[0] ?? keyNode?.range?.[0] ?? offset
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined
      if (item === undefined) break
      node = item
      offset = item.range?.[0] ?? offset
    } else {
      break
    }
  }
  return offset
}

/** The yaml package, loaded when the first YAML plan is parsed or a plan file's problems are located. */
function yaml(): typeof Yaml {
  return createRequire(import.meta.url)('yaml') as typeof Yaml
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  return { line, column: offset - before.lastIndexOf('\n') }
}
