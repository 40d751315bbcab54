import { Command } from 'commander'
import { LIB_VERSION } from '../internal/index.js'
import { registerDevCommand } from './dev-command.js'
import { registerEventsCommand } from './events-command.js'
import { registerFlagsCommand } from './flags-command.js'
import { registerGdprCommand } from './gdpr-command.js'
import { registerGroupsCommand } from './groups-command.js'
import { registerImportCommand } from './import-command.js'
import { registerPeopleCommand } from './people-command.js'
import { registerPlanCommands } from './plan-command.js'
import { registerWorkerCommand } from './worker-command.js'

/** Builds the `eventwire` command. Subcommands call the library; they hold no business logic. */
export function createProgram(): Command {
  const program = new Command('eventwire')
    .description(
      'Server-side product analytics toolkit: local collector, bulk import, tracking plans, workers and flags.',
    )
    .version(LIB_VERSION, '-v, --version')
  program.showHelpAfterError()
  registerDevCommand(program)
  registerPlanCommands(program)
  registerWorkerCommand(program)
  registerImportCommand(program)
  registerPeopleCommand(program)
  registerGroupsCommand(program)
  registerGdprCommand(program)
  registerEventsCommand(program)
  registerFlagsCommand(program)
  return program
}
