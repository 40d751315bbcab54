// Runs `eventwire plan ...` in-process through registerPlanCommands, capturing output and exit code.
import { Command } from 'commander'
import { type PlanCommandIo, registerPlanCommands } from '../../src/cli/plan-command.js'

/** Output and exit code of one in-process CLI run. */
export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Parses `args` (without the program name) with a fresh `eventwire` command holding the plan commands. */
export async function runPlanCli(args: string[], io: PlanCommandIo = {}): Promise<CliRun> {
  const stdout: string[] = []
  const stderr: string[] = []
  let code = 0
  const program = new Command('eventwire')
    .exitOverride()
    .configureOutput({ writeOut: (s) => stdout.push(s), writeErr: (s) => stderr.push(s) })
  registerPlanCommands(program, {
    stdout: (s) => stdout.push(s),
    stderr: (s) => stderr.push(s),
    setExitCode: (c) => {
      code = c
    },
    env: {},
    ...io,
  })
  await program.parseAsync(args, { from: 'user' })
  return { code, stdout: stdout.join(''), stderr: stderr.join('') }
}
