import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export const ROOT = new URL('../../', import.meta.url).pathname

/** A fenced code block of a Markdown page. */
export interface CodeBlock {
  /** The page, relative to the repository (`README.md`, `docs/cli.md`). */
  readonly page: string
  /** Line of the page where the code starts (after the opening fence), 1-based. */
  readonly line: number
  /** The language, the first word of the info string (`ts`, `sh`). */
  readonly lang: string
  /** The rest of the info string (`no-compile`). */
  readonly flags: readonly string[]
  readonly code: string
}

/** The Markdown pages users read: the README and every page of docs/. */
export function pages(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
  return ['README.md', ...docs.map((f) => `docs/${f}`)]
}

/** Every fenced block (```lang flags) of a page. */
export function codeBlocks(page: string): CodeBlock[] {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n')
  const blocks: CodeBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]!)
    if (open === null) continue
    const start = i + 1
    let end = start
    while (end < lines.length && lines[end] !== '```') end++
    const [lang = '', ...flags] = [open[1]!, ...open[2]!.split(/\s+/).filter(Boolean)]
    blocks.push({ page, line: start + 1, lang, flags, code: lines.slice(start, end).join('\n') })
    i = end
  }
  return blocks
}

/** The YAML tracking plan that docs/tracking-plan.md describes (its block that starts with `version:`). */
export function docsPlanYaml(): string {
  const block = codeBlocks('docs/tracking-plan.md').find(
    (b) => b.lang === 'yaml' && b.code.startsWith('version:'),
  )
  if (block === undefined) throw new Error('docs/tracking-plan.md has no plan block starting with "version:"')
  return `${block.code}\n`
}
