/**
 * The one place that turns a command's data into text and sends it to stdout or a file.
 */
import { writeFile, rename } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import type { CliIo } from './io.js';

/** What a command hands back: its data, how to show it per format, and the exit code. */
export interface CommandResult<T = unknown> {
  data: T;
  exitCode: number;
  /** Renders `data` in the format the user asked for. */
  render: (format: string) => string;
  format: string;
  /** Write to this file (atomically) instead of stdout. */
  outFile?: string;
}

/** Writes next to the target and renames, so a reader never sees half a report. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, path);
}

export async function emit(io: CliIo, result: CommandResult): Promise<void> {
  const text = result.render(result.format);
  if (result.outFile) {
    await writeFileAtomic(result.outFile, text);
    io.log.info({ file: result.outFile }, 'wrote output');
  } else {
    io.out(text);
  }
}
