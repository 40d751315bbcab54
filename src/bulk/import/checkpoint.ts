import { createHash } from 'node:crypto'
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
} from 'node:fs'
import { dirname } from 'node:path'
import { BulkError } from '../../errors/index.js'
import type { InputFormat, InputInfo } from '../input/index.js'

/**
 * What an import checkpoint records: the contiguous prefix of the input whose records all reached
 * a final outcome (acknowledged by the server, or written to the failed-records file). A run
 * started with the same file and settings continues after `offset`.
 */
export interface Checkpoint {
  readonly version: 1
  /** Size of the input when the checkpoint was written, in bytes. */
  readonly sizeBytes: number
  /** SHA-256 of the input's first 64 KiB: a different file is refused. */
  readonly headHash: string
  /** Hash of the settings that decide what is sent (format, mapping, plan, token and host). */
  readonly settings: string
  readonly format: InputFormat
  readonly csvHeader?: readonly string[]
  /** Decompressed byte offset just after the last finished record. */
  readonly offset: number
  /** Lines of the input before `offset`. */
  readonly line: number
  /** Records before `offset`. */
  readonly records: number
  /** Of those, acknowledged by the server. */
  readonly sent: number
  /** Of those, refused (by the server or before sending) and written to the failed-records file. */
  readonly failed: number
  /** Size of the failed-records file matching this checkpoint, in bytes. */
  readonly failedBytes: number
  /** True once the whole input was processed. */
  readonly complete: boolean
  /** When it was written, ISO-8601. */
  readonly updatedAt: string
}

/** Reads the input's identity for a checkpoint: size and a hash of its first 64 KiB. */
export function fingerprint(input: InputInfo): { sizeBytes: number; headHash: string } {
  const fd = openSync(input.path, 'r')
  try {
    const head = Buffer.alloc(64 * 1024)
    const n = readSync(fd, head, 0, head.length, 0)
    return {
      sizeBytes: input.sizeBytes,
      headHash: createHash('sha256').update(head.subarray(0, n)).digest('hex'),
    }
  } finally {
    closeSync(fd)
  }
}

/** Reads a checkpoint file; undefined when there is none. @throws `EVENTWIRE_CHECKPOINT_MISMATCH` when unreadable. */
export function readCheckpoint(path: string): Checkpoint | undefined {
  if (!existsSync(path)) return undefined
  let parsed: Checkpoint
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint
  } catch (error) {
    throw new BulkError(
      'EVENTWIRE_CHECKPOINT_MISMATCH',
      `the checkpoint ${path} is not readable JSON; delete it or start again with restart (--restart)`,
      { cause: error },
    )
  }
  if (parsed?.version !== 1 || typeof parsed.offset !== 'number' || typeof parsed.records !== 'number') {
    throw new BulkError(
      'EVENTWIRE_CHECKPOINT_MISMATCH',
      `the checkpoint ${path} was not written by this version of eventwire; delete it or start again with restart (--restart)`,
    )
  }
  return parsed
}

/**
 * Checks that a checkpoint belongs to this input and these settings. The input may have grown
 * (appended records are imported on the next run); any other change is refused.
 */
export function checkCheckpoint(
  checkpoint: Checkpoint,
  path: string,
  input: InputInfo,
  identity: { sizeBytes: number; headHash: string },
  settings: string,
): void {
  const refuse = (why: string) =>
    new BulkError(
      'EVENTWIRE_CHECKPOINT_MISMATCH',
      `the checkpoint ${path} does not match ${input.path}: ${why}. Start again with restart (--restart) or delete the checkpoint`,
    )
  if (checkpoint.settings !== settings)
    throw refuse('it was written with other settings (format, mapping, plan, token or host)')
  if (checkpoint.format !== input.format) throw refuse(`it was written for ${checkpoint.format} input`)
  if (identity.sizeBytes < checkpoint.sizeBytes)
    throw refuse('the file is smaller than when the checkpoint was written')
  if (identity.headHash !== checkpoint.headHash) throw refuse('the start of the file changed')
}

/**
 * Writes a checkpoint atomically and durably: a temporary file, flushed to disk, renamed over the
 * old one, then the folder flushed so the rename itself survives a power loss. Without the first
 * flush, a power loss after the rename could leave an empty checkpoint in place of both.
 */
export function writeCheckpoint(path: string, checkpoint: Checkpoint): void {
  const temp = `${path}.tmp`
  const fd = openSync(temp, 'w')
  try {
    writeFileSync(fd, `${JSON.stringify(checkpoint, null, 2)}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temp, path)
  syncFolder(dirname(path))
}

/** Flushes a folder's entries to disk, where the platform can open a folder (not on Windows). */
function syncFolder(folder: string): void {
  let fd: number
  try {
    fd = openSync(folder, 'r')
  } catch {
    return
  }
  try {
    fsyncSync(fd)
  } catch {
    // Some file systems refuse to flush a folder (EINVAL); the file itself is already on disk.
  } finally {
    closeSync(fd)
  }
}

/** Hash of the settings a checkpoint is only valid for. Secrets are hashed, never stored. */
export function settingsHash(settings: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 32)
}
