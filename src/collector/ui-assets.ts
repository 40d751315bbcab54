import { existsSync, readdirSync, readFileSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { send, sendJson } from './http-io.js'

/** The page's own paths; its scripts and styles are served as `/ui/<file>` (see {@link UI_FILE}). */
const PAGES = new Set(['/', '/index.html'])
/** The names a script or style of the page may have; nothing else in the folder is ever served. */
const UI_FILE = /^[a-z][a-z0-9-]*\.(js|css)$/
const TYPES: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  html: 'text/html; charset=utf-8',
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

/** The UI files (`index.html` and the `*.js` / `*.css` beside it), read once at start. */
export class UiAssets {
  readonly dir: string | undefined
  readonly #files = new Map<string, Buffer>()

  constructor(dir?: string) {
    this.dir = dir ?? uiDirCandidates().find((d) => existsSync(join(d, 'index.html')))
    if (this.dir === undefined) return
    this.#files.set('index.html', readFileSync(join(this.dir, 'index.html')))
    for (const file of readdirSync(this.dir)) {
      if (UI_FILE.test(file)) this.#files.set(file, readFileSync(join(this.dir, file)))
    }
  }

  /** True when `path` is one of the UI's paths. */
  has(path: string): boolean {
    return PAGES.has(path) || (path.startsWith('/ui/') && UI_FILE.test(path.slice(4)))
  }

  /** Serves one UI file. */
  serve(path: string, res: ServerResponse): void {
    const file = PAGES.has(path) ? 'index.html' : path.slice(4)
    const body = this.#files.get(file)
    if (body === undefined) {
      sendJson(res, 404, { error: `the web debugger has no file ${JSON.stringify(file)}` })
      return
    }
    const type = TYPES[file.slice(file.lastIndexOf('.') + 1)] ?? 'application/octet-stream'
    send(res, 200, body, { 'content-type': type, ...PAGE_HEADERS })
  }
}
