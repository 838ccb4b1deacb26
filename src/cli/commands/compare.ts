/**
 * `hps compare A B [--json] [--explain]`: are two image files the same picture? Exit 0 same, 1 different, 2 error.
 * --explain adds every measure against its threshold and the 8×8 map of where the pictures differ.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { readBounded } from '../../files/bounded-read.js';
import { comparePhotos, type PrintComparison } from '../../photo/index.js';
import { CliError } from '../errors.js';
import { exitCodeOf } from '../exit-policy.js';
import type { CommandResult } from '../output.js';
import type { CommandContext } from '../context.js';
import { renderExplanation } from './compare-explain.js';

export const compareOptions = z.strictObject({
  a: z.string().min(1),
  b: z.string().min(1),
  json: z.boolean().default(false),
  explain: z.boolean().default(false),
});
export type CompareOptions = z.infer<typeof compareOptions>;

export interface CompareData {
  same: boolean;
  /** Structural (perceptual-hash) distance and its threshold, as before the colour stage existed. */
  distance: number;
  threshold: number;
  /** The measure that decided, and why, in words. */
  decisive: PrintComparison['decisive'];
  why: string;
  /** With --explain: values, thresholds and the 8×8 block map. */
  explain?: PrintComparison['explain'] & { side: number; ratios: PrintComparison['ratios'] };
}

/** Largest image file `compare` reads (the HR folder's limit): a camera original fits, /dev/zero does not. */
export const COMPARE_MAX_BYTES = 25 * 1024 * 1024;

async function readImage(path: string): Promise<Buffer> {
  try {
    return await readBounded(path, { maxBytes: COMPARE_MAX_BYTES });
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as Error).message.replace(path, 'it')}`, { cause: err });
  }
}

function textOf(data: CompareData): string {
  const head = `${data.same ? 'same picture' : `different pictures: ${data.why}`} (distance ${data.distance.toFixed(3)}, threshold ${data.threshold})\n`;
  return data.explain ? head + renderExplanation(data.explain) : head;
}

export async function runCompare(opts: CompareOptions): Promise<CommandResult<CompareData>> {
  const [a, b] = await Promise.all([readImage(opts.a), readImage(opts.b)]);
  let data: CompareData;
  try {
    const r = await comparePhotos(a, b);
    data = { same: r.same, distance: r.distance, threshold: r.threshold, decisive: r.decisive, why: r.why };
    if (opts.explain && r.explain) data.explain = { ...r.explain, side: r.side, ratios: r.ratios };
  } catch (err) {
    throw new CliError(`cannot compare: ${(err as Error).message}`, { cause: err });
  }
  return {
    data,
    exitCode: exitCodeOf({ kind: 'compare', same: data.same }),
    format: opts.json ? 'json' : 'text',
    render: (format) => (format === 'json' ? `${JSON.stringify(data)}\n` : textOf(data)),
  };
}

export function registerCompare(program: Command, ctx: CommandContext): void {
  program
    .command('compare')
    .description('say whether two image files show the same picture (exit 0 same, 1 different, 2 error)')
    .argument('<a>', 'first image file')
    .argument('<b>', 'second image file')
    .option('--json', 'print {"same","distance","threshold","decisive","why"} (and "explain" with --explain)')
    .option('--explain', 'show each measure against its threshold and where the pictures differ')
    .action(async (a: string, b: string, raw: Record<string, unknown>) => {
      await ctx.execute(() => runCompare(ctx.parse(compareOptions, { a, b, ...raw })));
    });
}
