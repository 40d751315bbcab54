import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { freePort } from '../stores/redis-server.js'

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname

/** What a scenario child printed, and how it ended. */
export interface ScenarioRun {
  /** The JSON lines it printed on stdout, parsed. */
  readonly lines: unknown[]
  readonly stderr: string
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/**
 * Runs `fixtures/<file>` (default `scenario.ts`) with tsx and the given arguments; killed after
 * `limitMs` (the test then fails on the signal).
 */
export async function runScenario(name: string, ...args: string[]): Promise<ScenarioRun> {
  return runFixture('scenario.ts', [name, ...args])
}

/** Runs a fixture script with tsx; see {@link runScenario}. */
export async function runFixture(file: string, args: string[], limitMs = 60_000): Promise<ScenarioRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture(file), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const limit = setTimeout(() => child.kill('SIGKILL'), limitMs)
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
  clearTimeout(limit)
  const lines = stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown)
  return { lines, stderr, code, signal }
}

/** An origin nothing listens on (a port asked from the OS, then released). */
export async function closedOrigin(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`
}

/** A `/flags` answer serving one flag with `value`. */
export function flagsBody(key: string, value: unknown): object {
  return {
    code: 200,
    flags: {
      [key]: {
        variant_key: 'on',
        variant_value: value,
        experiment_id: 'exp',
        is_experiment_active: false,
        is_qa_tester: false,
      },
    },
  }
}
