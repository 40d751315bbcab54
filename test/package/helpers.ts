import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/** What a finished process did. */
export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs a command to its end; resolves with its exit code and output, whatever the code. */
export function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunResult> {
  return execFileAsync(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code?: unknown; stdout?: string; stderr?: string }) => ({
      code: typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? String(e),
    }),
  )
}

/** Runs a command that must succeed; resolves with its standard output. */
export async function ok(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd)
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`)
  }
  return result.stdout
}

/** A long-running command, in a process group of its own so it can be stopped with its children. */
export interface Background {
  output(): string
  /** Waits until the output matches `pattern`; rejects when the process exits first or after `ms`. */
  waitFor(pattern: RegExp, ms: number): Promise<RegExpExecArray>
  /** Sends SIGTERM to the process group and waits until its output is closed; resolves with the exit code. */
  stop(): Promise<number | null>
}

/** Starts `command` in the background. */
export function background(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Background {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exited = once(child, 'close').then(([code]) => code as number | null)
  return {
    output: () => output,
    async waitFor(pattern, ms) {
      const deadline = Date.now() + ms
      while (Date.now() < deadline) {
        const match = pattern.exec(output)
        if (match) return match
        if (child.exitCode !== null) break
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      throw new Error(`no ${pattern} in the output of ${command} ${args.join(' ')}:\n${output}`)
    },
    async stop() {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM')
      return exited
    },
  }
}
