import { existsSync, readFileSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { send, sendJson } from './http-io.js'

/** The web debugger's files, by request path. Nothing outside this list is ever served. */
const FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/ui/dom.js': { file: 'dom.js', type: 'text/javascript; charset=utf-8' },
  '/ui/panels.js': { file: 'panels.js', type: 'text/javascript; charset=utf-8' },
  '/ui/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
}

/** The page may load only its own script and style, and talk only to this collector. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
}

/**
 * Folders the UI files may be in, relative to the file this code runs from: `ui/` beside it
 * (sources, and `dist/collector/`), `collector/ui/` (a shared chunk at `dist/`) and
 * `../collector/ui/` (bundled into `dist/cli/`). CommonJS builds have no `import.meta.url`, so
 * `__dirname` is tried as well.
 */
export function uiDirCandidates(): string[] {
  const dirs: string[] = []
  const url = (import.meta as { url?: string }).url
  if (typeof url === 'string' && url.startsWith('file:')) dirs.push(dirname(fileURLToPath(url)))
  if (typeof __dirname === 'string') dirs.push(__dirname)
  return dirs.flatMap((dir) => [
    join(dir, 'ui'),
    join(dir, 'collector', 'ui'),
    join(dir, '..', 'collector', 'ui'),
  ])
}

/** The UI files, read once at start. */
export class UiAssets {
  readonly dir: string | undefined
  readonly #files = new Map<string, Buffer>()

  constructor(dir?: string) {
    this.dir = dir ?? uiDirCandidates().find((d) => existsSync(join(d, 'index.html')))
    if (this.dir === undefined) return
    for (const { file } of Object.values(FILES)) {
      if (!this.#files.has(file)) this.#files.set(file, readFileSync(join(this.dir, file)))
    }
  }

  /** True when `path` is one of the UI's paths. */
  has(path: string): boolean {
    return path in FILES
  }

  /** Serves one UI file. */
  serve(path: string, res: ServerResponse): void {
    const entry = FILES[path]
    const body = entry === undefined ? undefined : this.#files.get(entry.file)
    if (entry === undefined || body === undefined) {
      sendJson(res, 404, { error: 'the web debugger files were not found next to the collector module' })
      return
    }
    send(res, 200, body, { 'content-type': entry.type, ...PAGE_HEADERS })
  }
}
