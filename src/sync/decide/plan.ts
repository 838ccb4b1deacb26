/**
 * The planner: a classified user + what is remembered of it → an action (set, delete, skip) with a reason. The
 * safety thresholds over the whole plan are in thresholds.ts. Pure: no I/O, no clock, no state store.
 *
 * Three-way drift: the state remembers what the source looked like when we last pushed and the cloud etag right
 * after that push. So a drifted user is either "the source changed" (push again) or "someone changed the cloud
 * photo since our push" (the configured policy decides), and a cleared source photo can be told apart from a
 * cloud photo we never owned.
 */
import type { Action, Route, Status } from '../../model.js';
import type { ClassifiedUser } from './classify.js';
import type { UserMemory } from './memory.js';

export type CloudChangedPolicy = 'overwrite' | 'keep' | 'report';

export interface PlanOptions {
  cloudChangedPolicy: CloudChangedPolicy;
  allowDelete: boolean;
  /** Push from source again for everyone in scope, ignoring state and comparison. */
  reload: boolean;
  /** false when the tenant's photoUpdateSettings make the cloud refuse writes (Graph route only). */
  cloudWritesAllowed: boolean;
  /** Why cloud writes are refused, shown once and on every blocked user. */
  cloudWritesBlockedWhy?: string;
}

export interface Decision {
  user: ClassifiedUser;
  /** The status after taking state and policy into account (e.g. `blocked`). */
  status: Status;
  action: Action;
  reason: string;
  route: Route;
  /** The user failed on an earlier run and is being retried. */
  retry: boolean;
  /**
   * A set that replaces a photo people already see: the cloud shows one, or (Exchange routes, which Graph cannot
   * see) this tool set one before. The change thresholds count these, with deletes.
   */
  replaces?: boolean;
  /**
   * Someone else changed the cloud photo since our push and policy `report` leaves it to a person: the user is
   * skipped and listed for attention, not written.
   */
  conflict?: boolean;
  /**
   * After our full-size push the cloud went back to a small copy of the same picture (directory sync flowed AD's
   * thumbnailPhoto over it): reported with advice and not pushed again until the source changes or --reload.
   */
  overwrittenBySync?: boolean;
  /**
   * In sync, but since our push the cloud photo was replaced by a copy of the same picture at no smaller size
   * (directory sync flowing AD's thumbnailPhoto in write mode "both", or a re-upload): reported, nothing to do.
   */
  replacedBySamePicture?: boolean;
}

/** What to do about a push that directory sync keeps replacing with AD's thumbnail. */
export const DIRECTORY_SYNC_ADVICE =
  "put the full photo into AD's thumbnailPhoto too (a JPEG within 100 KB), or stop the thumbnail flow (Entra Connect's " +
  'thumbnailPhoto attribute flow, or an on-prem Set-UserPhoto that writes a 64×64 copy into AD); pushed again when ' +
  'the source photo changes or with --reload';

/**
 * The loop rule: we pushed the full-size photo, and since then the cloud photo changed (its etag moved) into a smaller
 * copy of the same picture. Pushing again would only be undone by the next directory sync cycle.
 */
function overwrittenBySync(u: ClassifiedUser, s: UserMemory | undefined): boolean {
  return u.undersized === true && s?.pushedSha256 !== undefined && cloudChangedSincePush(u, s);
}

function cloudChangedSincePush(u: ClassifiedUser, s: UserMemory | undefined): boolean {
  if (!s?.cloudEtagAfterPush || !u.cloudEtag) return false;
  if (u.cloudEtag === s.cloudEtagAfterPush) return false;
  // Only "someone else" if our side did not move: the source is what we pushed from.
  return s.sourceSha256 !== undefined && s.sourceSha256 === u.sourceSha256;
}

function set(u: ClassifiedUser, s: UserMemory | undefined, reason: string, retry: boolean): Decision {
  const pushedBefore = u.route !== 'graph' && s?.pushedSha256 !== undefined;
  return { user: u, status: u.status, action: 'set', reason, route: u.route, retry, replaces: u.status !== 'missing-in-cloud' || pushedBefore };
}

function skip(u: ClassifiedUser, reason: string, status: Status = u.status): Decision {
  return { user: u, status, action: 'skip', reason, route: u.route, retry: false };
}

/** A skip left to a person by cloudChangedPolicy `report`. */
function reported(d: Decision): Decision {
  return { ...d, conflict: true };
}

/**
 * Graph does not show what the Exchange routes wrote (an on-prem mailbox's photo lives on the Exchange server), so
 * for those routes the state is the judge: the same source photo was already pushed successfully.
 */
function alreadyPushedThroughExchange(u: ClassifiedUser, s: UserMemory | undefined): boolean {
  // pushedSha256 is set only by a successful set (a failure keeps it, a delete clears it) and sourceSha256 is the
  // source that push was made from, so these say "this source is what we last put there", whatever happened since.
  return (
    u.route !== 'graph' &&
    s?.pushedSha256 !== undefined &&
    s.route === u.route &&
    s.sourceSha256 !== undefined &&
    s.sourceSha256 === u.sourceSha256
  );
}

/** One user's decision; `s` is what earlier runs remember of the user (none for a new user). */
export function decide(u: ClassifiedUser, s: UserMemory | undefined, opts: PlanOptions): Decision {
  // A user that waited (for a cloud account, for the tenant policy) is not retrying a failure.
  const retry = s?.lastResult === 'error' && s.deferred === undefined;
  if (!opts.reload && (u.status === 'missing-in-cloud' || u.status === 'drifted') && alreadyPushedThroughExchange(u, s)) {
    return skip(u, `this source photo was already set through ${u.route} (Graph does not show on-prem mailbox photos)`, 'in-sync');
  }
  const writable = (d: Decision): Decision => {
    if (d.action === 'skip' || d.route !== 'graph' || opts.cloudWritesAllowed) return d;
    return skip(u, `${d.action} needed (${d.reason}) but ${opts.cloudWritesBlockedWhy ?? 'the tenant refuses cloud photo writes'}`, 'blocked');
  };

  switch (u.status) {
    case 'unmatched':
    case 'error':
    case 'blocked':
      return skip(u, u.reason);
    case 'missing-in-cloud':
      return writable(set(u, s, retry ? `retrying after: ${s?.lastError ?? 'an earlier failure'}` : 'cloud has no photo', retry));
    case 'in-sync':
      if (opts.reload && u.sourceSha256) return writable(set(u, s, 'reload requested', retry));
      if (cloudChangedSincePush(u, s)) {
        const why = `the cloud photo was replaced since our push (etag ${s?.cloudEtagAfterPush} → ${u.cloudEtag}) by a copy of the same picture, as directory sync does with AD's thumbnailPhoto: nothing to do`;
        return { ...skip(u, `${u.reason}; ${why}`), replacedBySamePicture: true };
      }
      return skip(u, u.reason);
    case 'drifted': {
      if (opts.reload) return writable(set(u, s, 'reload requested', retry));
      // A cloud photo that does not decode is nobody's choice to keep: replace it whatever the policy.
      if (u.cloudUnreadable) return writable(set(u, s, u.reason, retry));
      if (overwrittenBySync(u, s)) {
        const why = `overwritten by directory sync: ${u.reason} again since our full-size push (etag ${s?.cloudEtagAfterPush} → ${u.cloudEtag})`;
        return { ...skip(u, `${why}; ${DIRECTORY_SYNC_ADVICE}`), overwrittenBySync: true };
      }
      if (cloudChangedSincePush(u, s)) {
        const why = `cloud photo changed since our push (etag ${s?.cloudEtagAfterPush} → ${u.cloudEtag})`;
        if (opts.cloudChangedPolicy === 'overwrite') return writable(set(u, s, `${why}; policy overwrite`, retry));
        if (opts.cloudChangedPolicy === 'keep') return skip(u, `${why}; policy keep`, 'in-sync');
        return reported(skip(u, `${why}; policy report (set cloudChangedPolicy to overwrite or keep)`));
      }
      const changed = s?.sourceSha256 !== undefined && s.sourceSha256 !== u.sourceSha256;
      return writable(set(u, s, changed ? 'source photo changed since our last push' : u.reason, retry));
    }
    case 'missing-in-source': {
      const ours = s?.sourceSha256 !== undefined || s?.pushedSha256 !== undefined;
      if (!ours) return skip(u, 'cloud photo was not put there by this tool; left alone');
      // Ours only if the state ties the push to this very cloud user (a user once unmatched, or matched anew, is not).
      if (s?.cloudId === undefined || s.cloudId !== u.cloudId) {
        const other = s?.cloudId === undefined ? 'no cloud user' : `another cloud user (${s.cloudId})`;
        return skip(u, `the state ties our last push to ${other}; this cloud photo is not known to be ours, left alone`);
      }
      // Someone put a new photo in the cloud after ours: only policy overwrite lets the cleared source remove it.
      const changed = s?.cloudEtagAfterPush !== undefined && u.cloudEtag !== null && u.cloudEtag !== s.cloudEtagAfterPush;
      if (changed && opts.cloudChangedPolicy !== 'overwrite') {
        const why = `on-prem photo was cleared, but the cloud photo changed since our push (etag ${s?.cloudEtagAfterPush} → ${u.cloudEtag})`;
        return opts.cloudChangedPolicy === 'keep' ? skip(u, `${why}; policy keep`) : reported(skip(u, `${why}; policy report (set cloudChangedPolicy to overwrite or keep)`));
      }
      if (!opts.allowDelete) return skip(u, 'on-prem photo was cleared; deleting the cloud photo is off (allowDelete / --allow-delete)');
      return writable({ user: u, status: u.status, action: 'delete', reason: 'on-prem photo was cleared', route: u.route, retry });
    }
  }
}
