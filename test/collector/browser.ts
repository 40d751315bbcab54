import { type Browser, chromium } from 'playwright-core'

/** Callbacks passed to page functions run in the browser; the project compiles without DOM types. */
export interface PageNode {
  textContent: string | null
  dataset: Record<string, string | undefined>
  hidden: boolean
  children: { length: number }
  getAttribute(name: string): string | null
}
declare global {
  var document: {
    querySelectorAll(selector: string): Iterable<PageNode> & { length: number }
    querySelector(selector: string): PageNode | null
  }
}

/** The Chromium flags every browser test uses. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Launches the machine's Chromium (one per test file). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
}
