/**
 * The one place that turns a command's data into text and sends it to stdout or a file.
 */
import { constants } from 'node:fs';
import { access, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError } from './errors.js';
import type { CliIo } from './io.js';
import { jsonSafe, terminalSafe } from '../report/safe-text.js';

/** What a command hands back: its data, how to show it per format, and the exit code. */
export interface CommandResult<T = unknown> {
  data: T;
  exitCode: number;
  /** Renders `data` in the format the user asked for: the text, or chunks of it to write one after the other. */
  render: (format: string) => string | Iterable<string>;
  format: string;
  /** Write to this file (atomically) instead of stdout. */
  outFile?: string;
}

function outputError(path: string, why: string, cause?: unknown): CliError {
  return new CliError(`cannot write the output file ${path}: ${why}`, cause === undefined ? {} : { cause });
}

/**
 * Checks before the work starts that `path` can be written: its folder exists and is writable, and it is not a
 * folder itself. Throws a CliError (exit 2) naming the path the user gave.
 */
export async function checkOutputFile(path: string): Promise<void> {
  const folder = dirname(path);
  const dir = await stat(folder).catch((err: unknown) => {
    throw outputError(path, `the folder ${folder} does not exist`, err);
  });
  if (!dir.isDirectory()) throw outputError(path, `${folder} is not a folder`);
  const target = await stat(path).catch(() => undefined);
  if (target?.isDirectory()) throw outputError(path, 'it is a folder; give a file name');
  await access(folder, constants.W_OK).catch((err: unknown) => {
    throw outputError(path, `the folder ${folder} is not writable`, err);
  });
}

/**
 * Writes next to the target and renames, so a reader never sees half a report; the temp file never stays behind.
 * Chunks are written one after the other (each in full), so a large report is never one string in memory. A failure
 * of the file system is the user's to fix (CliError); anything else (a renderer's bug) is rethrown as it is.
 */
export async function writeFileAtomic(path: string, text: string | Iterable<string>): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === undefined) throw err;
    throw outputError(path, code, err);
  }
}

/**
 * Rendered output made safe for a terminal: directory text may carry escape sequences. JSON keeps its value (C1 and
 * invisible characters become \u escapes); CSV escapes its own fields; HTML escapes for the browser itself.
 */
export function outputSafe(format: string, text: string): string {
  if (format === 'json') return jsonSafe(text);
  if (format === 'html' || format === 'csv') return text;
  return terminalSafe(text);
}

export async function emit(io: CliIo, result: CommandResult): Promise<void> {
  const rendered = result.render(result.format);
  const chunks = typeof rendered === 'string' ? [rendered] : rendered;
  // Each chunk is made safe on its own: the escaping works character by character, and chunks are whole strings.
  const safe = (function* () {
    for (const chunk of chunks) yield outputSafe(result.format, chunk);
  })();
  if (result.outFile) {
    await writeFileAtomic(result.outFile, safe);
    io.log.info({ file: result.outFile }, 'wrote output');
  } else {
    for (const chunk of safe) io.out(chunk);
  }
}
