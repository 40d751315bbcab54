import type { Command } from 'commander'
import { deleteGroupProfiles } from '../bulk/index.js'
import type { CliIo } from './common-options.js'
import { idsCommand } from './people-command.js'

/**
 * Registers `eventwire groups delete --group-key <key> --ids <file>`: deletes group profiles
 * (`$delete` on `/groups`). Exit codes as for the people commands.
 */
export function registerGroupsCommand(program: Command, io: CliIo = {}): Command {
  const groups = program.command('groups').description('Group profiles: clean up.')
  const del = groups
    .command('delete')
    .description('Delete group profiles ($delete on /groups).')
    .requiredOption('--group-key <key>', 'the group key, e.g. company_id')
  idsCommand(del, io, 'groups delete', (ids, flags, options) =>
    deleteGroupProfiles(ids, (flags as unknown as { groupKey: string }).groupKey, options),
  )
  return groups
}
