/** Starts a throwaway `redis-server` on a free loopback port for one test file. */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'

export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Stops the server (SIGTERM: a clean shutdown; SIGKILL: a crash). */
  stop(signal?: NodeJS.Signals): Promise<void>
  /** Sends a signal without waiting (SIGSTOP freezes the server, SIGCONT thaws it). */
  signal(signal: NodeJS.Signals): void
}

/** A free TCP port on 127.0.0.1 (asked from the OS, then released). */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/** How to start a throwaway redis-server. */
export interface RedisStartOptions {
  /** Extra arguments (TLS, password, persistence); later ones win over the no-persistence defaults. */
  args?: string[]
  /** URL scheme. @default 'redis' */
  scheme?: 'redis' | 'rediss'
  /** Credentials part of the URL, e.g. `:password@`. */
  auth?: string
  /** Port to listen on (to restart a server in place). @default a free port */
  port?: number
}

/** Starts redis-server without persistence unless `args` asks for it. */
export async function startRedis(options: RedisStartOptions = {}): Promise<RedisServer> {
  const extraArgs = options.args ?? []
  const port = options.port ?? (await freePort())
  const portArgs = extraArgs.includes('--tls-port') ? ['--port', '0'] : ['--port', String(port)]
  const args = [...portArgs, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs]
  const tlsIndex = args.indexOf('--tls-port')
  if (tlsIndex !== -1) args[tlsIndex + 1] = String(port)
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) resolve()
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)))
  })
  child.stdout!.resume()
  child.stderr!.resume()
  return {
    port,
    url: `${options.scheme ?? 'redis'}://${options.auth ?? ''}127.0.0.1:${port}`,
    signal(signal: NodeJS.Signals) {
      child.kill(signal)
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null) return
      // A frozen server cannot act on SIGTERM.
      child.kill('SIGCONT')
      child.kill(signal)
      await once(child, 'exit')
    },
  }
}
