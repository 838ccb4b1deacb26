/**
 * `hps ad import`: photo folder → Active Directory. Automatch (always), then per matched user: fit the photo into the
 * byte budget, read what AD holds, compare perceptually, decide; the thresholds over the whole plan; then write only
 * what changed, each write in the audit log. I/O comes in through `AdImportDeps`.
 *
 * Memory stays flat: users are listed without photo bytes; a matched user's file and AD photo are read when that
 * user is planned and dropped after. The fitted JPEGs are not kept between planning and writing: fitting is
 * deterministic, so the write step fits again and checks that it got the bytes it planned (a file changed in between
 * is that user's error, written next run).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { AdPhotoAttribute, AdPhotoChange, AdPhotos, AdWriteResult, OnPremUser } from '../model.js';
import { fitPhoto, fitPreview, squarePhoto, type FittedPhoto } from '../photo/fit.js';
import { inspectPhoto } from '../photo/index.js';
import type { AuditLog } from '../state/audit.js';
import { createAdRecorder, type AdRecorder } from '../sync/apply/ad-record.js';
import { compileNamePattern } from '../sync/decide/ad-pattern.js';
import {
  adRefusal, checkStatus, decideMatched, decideWithoutFile, errorDecision, summariseAdPlan,
  type AdDecision, type AdImportResult, type AdWriteOutcome, type AttributeCheck, type Candidate,
} from '../sync/decide/ad-plan.js';
import { automatch, type MatchedFile } from '../sync/decide/automatch.js';
import type { Thresholds } from '../sync/decide/thresholds.js';

export interface AdImportOptions {
  folder: string;
  patterns: readonly string[];
  maxBytes: number;
  /** Also write jpegPhoto (the full-size square). */
  jpegPhoto: boolean;
  dryRun: boolean;
  /** Clear AD's photo for users in scope without a file. */
  removeMissing: boolean;
  force: boolean;
  /** Automatch only: no photo is read, fitted or written. */
  matchOnly: boolean;
  /** Small source and result images per planned user, for the HTML preview (at most PREVIEW_MAX users). */
  preview?: boolean;
}

/** Users with preview images in one plan: beyond this the page would grow past what a browser opens comfortably. */
export const PREVIEW_MAX = 500;

/** The answer of the project's comparator for two photos. */
export type ComparePhotos = (a: Buffer, b: Buffer) => Promise<{ same: boolean; distance: number }>;

export interface AdImportDeps {
  /** Users in scope, without photo bytes; `hasAdPhoto` says whether thumbnailPhoto is set. */
  users: () => AsyncIterable<OnPremUser & { hasAdPhoto: boolean }>;
  listFiles: (dir: string) => Promise<string[]>;
  readFile: (path: string) => Promise<Buffer>;
  ad: { read(dn: string): Promise<AdPhotos>; write(dn: string, change: AdPhotoChange): Promise<AdWriteResult> };
  compare: ComparePhotos;
  thresholds: Thresholds;
  audit?: AuditLog;
  runId: string;
  /** Photos fitted at once (CPU bound). Default 2. */
  concurrency?: number;
  onProgress?: (phase: 'plan' | 'write', done: number, total: number) => void;
}

export type { AdImportResult, AdWriteOutcome } from '../sync/decide/ad-plan.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface Prepared {
  thumb: FittedPhoto;
  full?: FittedPhoto;
  source: Buffer;
}

async function prepare(deps: AdImportDeps, opts: AdImportOptions, file: string): Promise<Prepared> {
  const bytes = await deps.readFile(join(opts.folder, file));
  const thumb = await fitPhoto(bytes, { maxBytes: opts.maxBytes });
  return opts.jpegPhoto ? { thumb, full: await squarePhoto(bytes), source: bytes } : { thumb, source: bytes };
}

async function check(deps: AdImportDeps, attribute: AdPhotoAttribute, want: FittedPhoto, have: Buffer | undefined, budget?: number): Promise<AttributeCheck> {
  if (!have) return { attribute, status: 'missing-in-ad' };
  const current = { side: 0, bytes: have.length };
  if (have.equals(want.jpeg)) return { attribute, status: 'in-sync', distance: 0, current: { side: want.side, bytes: have.length } };
  try {
    const info = await inspectPhoto(have);
    current.side = Math.min(info.width, info.height);
  } catch {
    // Not a readable photo: anything we write is better.
    return { attribute, status: 'drifted', distance: 1, current };
  }
  const r = await deps.compare(want.jpeg, have);
  return { attribute, status: checkStatus(r.same, current, want.side, budget), distance: r.distance, current };
}

async function planMatched(deps: AdImportDeps, opts: AdImportOptions, m: MatchedFile, withPreview: boolean): Promise<AdDecision> {
  try {
    const p = await prepare(deps, opts, m.file);
    const have = await deps.ad.read(m.user.dn);
    const checks = [await check(deps, 'thumbnailPhoto', p.thumb, have.thumbnailPhoto, opts.maxBytes)];
    if (p.full) checks.push(await check(deps, 'jpegPhoto', p.full, have.jpegPhoto));
    const candidate: Candidate = {
      file: m.file, side: p.thumb.side, quality: p.thumb.quality, bytes: p.thumb.jpeg.length, sha256: sha256(p.thumb.jpeg), crop: p.thumb.crop,
      ...(p.full ? { jpegPhotoBytes: p.full.jpeg.length } : {}),
      ...(withPreview ? { preview: await fitPreview(p.source, p.thumb.jpeg) } : {}),
    };
    return decideMatched(m.user, candidate, checks);
  } catch (err) {
    return errorDecision(m.user, m.file, (err as Error).message);
  }
}

async function writeOne(deps: AdImportDeps, opts: AdImportOptions, d: AdDecision): Promise<AdWriteResult> {
  if (d.action === 'delete') return deps.ad.write(d.user.dn, Object.fromEntries(d.attributes.map((a) => [a, null])));
  const p = await prepare(deps, opts, d.file as string);
  if (sha256(p.thumb.jpeg) !== d.candidate?.sha256) {
    return { dn: d.user.dn, ok: false, errorId: 'FileChanged', message: `${d.file} changed during the run`, advice: 'the next run writes the new photo', retryable: true };
  }
  const change: AdPhotoChange = {};
  if (d.attributes.includes('thumbnailPhoto')) change.thumbnailPhoto = p.thumb.jpeg;
  if (d.attributes.includes('jpegPhoto') && p.full) change.jpegPhoto = p.full.jpeg;
  return deps.ad.write(d.user.dn, change);
}

export async function runAdImport(deps: AdImportDeps, opts: AdImportOptions): Promise<AdImportResult> {
  const patterns = opts.patterns.map(compileNamePattern);
  const files = await deps.listFiles(opts.folder);
  const users: Array<OnPremUser & { hasAdPhoto: boolean }> = [];
  for await (const u of deps.users()) users.push(u);
  const am = automatch(files, users, patterns);
  const empty = { automatch: am, decisions: [], summary: summariseAdPlan([]), dryRun: opts.dryRun, matchOnly: true };
  if (opts.matchOnly) return empty;

  const limit = pLimit(deps.concurrency ?? 2);
  let done = 0;
  const decisions = await Promise.all(
    am.matched.map((m) =>
      limit(async () => {
        const d = await planMatched(deps, opts, m, opts.preview === true && done < PREVIEW_MAX);
        deps.onProgress?.('plan', ++done, am.matched.length);
        return d;
      }),
    ),
  );
  const clearing: AdPhotoAttribute[] = opts.jpegPhoto ? ['thumbnailPhoto', 'jpegPhoto'] : ['thumbnailPhoto'];
  const withoutFile = am.usersWithoutFile.map((u) => decideWithoutFile(u, (u as { hasAdPhoto?: boolean }).hasAdPhoto === true, opts.removeMissing, clearing));
  decisions.push(...withoutFile);
  const summary = summariseAdPlan(decisions);
  const population = am.matched.length + (opts.removeMissing ? withoutFile.filter((d) => d.action === 'delete').length : 0);
  const refusal = adRefusal(summary, population, deps.thresholds);
  const result: AdImportResult = { automatch: am, decisions, summary, dryRun: opts.dryRun, matchOnly: false };
  const todo = decisions.filter((d) => d.action !== 'skip');
  if (refusal && !opts.force) return { ...result, refused: `${refusal}; nothing was written (--force overrides)` };
  const recorder: AdRecorder = createAdRecorder(deps.audit, deps.runId);
  if (opts.dryRun) {
    for (const d of todo) recorder.planned(d);
    return result;
  }
  const outcomes: AdWriteOutcome[] = [];
  let n = 0;
  await Promise.all(
    todo.map((d) =>
      limit(async () => {
        const r = await writeOne(deps, opts, d).catch((err: unknown): AdWriteResult => ({ dn: d.user.dn, ok: false, errorId: 'Internal', message: (err as Error).message }));
        recorder.written(d, r);
        outcomes.push({ decision: d, result: r });
        deps.onProgress?.('write', ++n, todo.length);
      }),
    ),
  );
  const ok = outcomes.filter((o) => o.result.ok).length;
  return { ...result, written: { ok, failed: outcomes.length - ok, outcomes } };
}
