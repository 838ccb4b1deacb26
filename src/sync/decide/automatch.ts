/**
 * Automatch: which photo file belongs to which user, in both directions, before anything is written. Pure.
 *
 * Every pattern is tried for every user; a user collects all files any pattern matches, a file all users it fits.
 * Only a one-to-one pair is a match. A file that fits several users (two people called Anna Berg) and a user with
 * several files (jsmith.jpg and John.Smith.png) are listed as ambiguous and nothing is written for them: a person
 * decides (rename a file, or narrow the patterns).
 */
import { withKeyPrefix, type OnPremUser } from '../../model.js';
import { fold, isImageFile, matcherFor, type NamePattern } from './ad-pattern.js';

export interface MatchedFile {
  file: string;
  user: OnPremUser;
  /** The patterns that matched this pair. */
  patterns: string[];
}

export interface Automatch {
  matched: MatchedFile[];
  filesWithoutUser: string[];
  usersWithoutFile: OnPremUser[];
  /** A file that fits several users. */
  ambiguousFiles: Array<{ file: string; users: OnPremUser[] }>;
  /** A user several files fit. */
  ambiguousUsers: Array<{ user: OnPremUser; files: string[] }>;
  /** Files in the folder that are not images by extension (never matched). */
  ignoredFiles: string[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function automatch(fileNames: readonly string[], users: readonly OnPremUser[], patterns: readonly NamePattern[]): Automatch {
  const images = fileNames.filter(isImageFile);
  const index = images.map((name) => ({ name, key: fold(name.normalize('NFC')) })).sort((a, b) => byName(a.key, b.key));
  const filesOf = new Map<OnPremUser, Map<string, string[]>>();
  const usersOf = new Map<string, Set<OnPremUser>>();
  for (const user of users) {
    for (const p of patterns) {
      const m = matcherFor(p, user);
      if (!m) continue;
      for (const f of withKeyPrefix(index, m.prefix)) {
        if (!m.re.test(f.key)) continue;
        const mine = filesOf.get(user) ?? new Map<string, string[]>();
        filesOf.set(user, mine);
        mine.set(f.name, [...(mine.get(f.name) ?? []), p.source]);
        const theirs = usersOf.get(f.name) ?? new Set<OnPremUser>();
        usersOf.set(f.name, theirs);
        theirs.add(user);
      }
    }
  }
  const result: Automatch = {
    matched: [],
    filesWithoutUser: images.filter((f) => !usersOf.has(f)).sort(byName),
    usersWithoutFile: users.filter((u) => !filesOf.has(u)),
    ambiguousFiles: [],
    ambiguousUsers: [],
    ignoredFiles: fileNames.filter((f) => !isImageFile(f)).sort(byName),
  };
  for (const [file, us] of [...usersOf].sort((a, b) => byName(a[0], b[0]))) {
    if (us.size > 1) result.ambiguousFiles.push({ file, users: [...us] });
  }
  for (const [user, files] of filesOf) {
    if (files.size > 1) {
      result.ambiguousUsers.push({ user, files: [...files.keys()].sort(byName) });
      continue;
    }
    const [file, pats] = [...files][0] as [string, string[]];
    if ((usersOf.get(file)?.size ?? 0) === 1) result.matched.push({ file, user, patterns: pats });
  }
  result.matched.sort((a, b) => byName(a.file, b.file));
  return result;
}

/** A user as the lists show them: the most readable identifier. */
export function userLabel(u: OnPremUser): string {
  return u.userPrincipalName ?? u.sAMAccountName ?? u.dn;
}
