#!/usr/bin/env node
import { Command } from 'commander'
import { LIB_VERSION } from '../index.js'

/** Builds the `eventwire` command. Subcommands call the library; they hold no business logic. */
export function createProgram(): Command {
  const program = new Command('eventwire')
    .description(
      'Server-side product analytics toolkit: collector, bulk import, tracking plans, workers and flags.',
    )
    .version(LIB_VERSION, '-v, --version')
  program.showHelpAfterError()
  return program
}

const program = createProgram()
if (process.argv.length <= 2) {
  program.outputHelp()
} else {
  await program.parseAsync(process.argv)
}
