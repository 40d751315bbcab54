import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, writeFileSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Command } from 'commander'
import type { CliIo } from '../../src/cli/common-options.js'
import { registerEventsCommand } from '../../src/cli/events-command.js'
import { registerFlagsCommand } from '../../src/cli/flags-command.js'
import { registerGdprCommand } from '../../src/cli/gdpr-command.js'
import { registerGroupsCommand } from '../../src/cli/groups-command.js'
import { registerImportCommand } from '../../src/cli/import-command.js'
import { registerPeopleCommand } from '../../src/cli/people-command.js'
import { startTestReceiver } from '../../src/testing/index.js'

const ENTRY = fileURLToPath(new URL('./fixtures/cli-entry.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** A fresh temporary folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'eventwire-cli-'))
}

/** Writes `count` Mixpanel-shaped events as NDJSON; event `i` has distinct id `u{i % 97}`. */
export function writeEvents(path: string, count: number, start = 0): void {
  const parts: string[] = []
  for (let i = start; i < start + count; i++) {
    parts.push(
      `{"event":"Page viewed","properties":{"distinct_id":"u${i % 97}","time":${1_700_000_000 + i},"seq":${i},"path":"/p/${i % 13}"}}\n`,
    )
  }
  writeFileSync(path, parts.join(''))
}

/** What an in-process CLI run printed and returned. */
export interface CliRun {
  code: number | undefined
  stdout: string
  stderr: string
}

/** Runs the bulk commands in this process with captured output (commander errors included). */
export async function runCli(
  args: string[],
  io: Omit<CliIo, 'stdout' | 'stderr' | 'setExitCode'> & { tty?: boolean } = {},
): Promise<CliRun> {
  const run: CliRun = { code: undefined, stdout: '', stderr: '' }
  const { tty, ...rest } = io
  const full: CliIo = {
    env: {},
    ...rest,
    stdout: { write: (t: string) => (run.stdout += t) },
    stderr: { write: (t: string) => (run.stderr += t), isTTY: tty === true, columns: 120 },
    setExitCode: (code) => {
      run.code = code
    },
  }
  const program = new Command('eventwire').exitOverride()
  program.configureOutput({ writeOut: (t) => (run.stdout += t), writeErr: (t) => (run.stderr += t) })
  for (const register of [
    registerImportCommand,
    registerPeopleCommand,
    registerGroupsCommand,
    registerGdprCommand,
    registerEventsCommand,
    registerFlagsCommand,
  ]) {
    register(program, full).exitOverride()
  }
  for (const command of program.commands) for (const sub of command.commands) sub.exitOverride()
  try {
    await program.parseAsync(args, { from: 'user' })
  } catch (error) {
    run.code = (error as { exitCode?: number }).exitCode ?? 1
  }
  return run
}

/** A child process running the bulk commands, with its output collected. */
export interface CliChild {
  child: ChildProcess
  stdout(): string
  stderr(): string
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Starts `eventwire <args>` (the bulk commands) as a real child process. */
export function spawnCli(args: string[], env: Record<string, string> = {}): CliChild {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  })
  let out = ''
  let err = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString()
  })
  const exit = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }))
  return { child, stdout: () => out, stderr: () => err, exit }
}

/** One request received by {@link startAppServer}. */
export interface AppRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: unknown
}

/** A loopback server for the App APIs (GDPR, Lexicon), answering with `handler`. */
export interface AppServer {
  origin: string
  requests: AppRequest[]
  close(): Promise<void>
}

/**
 * Starts a loopback App API server (the test receiver, answering with `handler`); `handler`
 * returns `{ status, body, headers }` per request, and sees each body parsed as JSON.
 */
export async function startAppServer(
  handler: (
    req: AppRequest,
    index: number,
  ) => { status?: number; body?: unknown; headers?: Record<string, string> },
): Promise<AppServer> {
  const requests: AppRequest[] = []
  const receiver = await startTestReceiver((received, index) => {
    const request: AppRequest = {
      method: received.method,
      path: received.path,
      query: received.query,
      headers: received.headers,
      body: received.body === '' ? undefined : JSON.parse(received.body),
    }
    requests.push(request)
    const answer = handler(request, index)
    const body = answer.body === undefined ? '' : (answer.body as string | object)
    return { status: answer.status ?? 200, body, headers: answer.headers }
  })
  return { origin: receiver.origin, requests, close: () => receiver.close() }
}

/** Closes `thing` after the current test file. */
export function closeAfter<T extends { close(): Promise<void> }>(thing: T): T {
  after(() => thing.close())
  return thing
}
