/**
 * Pure mapping from what a ps-script reported about a failed Exchange call to a stable error id, plain advice and
 * whether a retry may help. The scripts report raw facts (exception type, error category, message); the judgement
 * lives here, in one tested place.
 */

export type ExchangeMode = 'onprem' | 'legacy' | 'exo';

/** A failure as a ps-script reports it (every field optional: scripts and stubs may leave some out). */
export interface RawExchangeError {
  /** The script's raw id: exception type or FullyQualifiedErrorId head (e.g. `CommandNotFoundException`). */
  errorId?: string | null;
  /** PowerShell ErrorCategory name, e.g. `ObjectNotFound`, `PermissionDenied`. */
  category?: string | null;
  message?: string | null;
  exceptionType?: string | null;
  fullyQualifiedErrorId?: string | null;
}

export interface ExchangeAdvice {
  /** Stable id for WriteResult.errorId. */
  errorId: string;
  advice: string;
  retryable: boolean;
  /** HTTP status where the failure was one. */
  status?: number;
}

export const ADVICE = {
  RequestEntityTooLarge:
    'RequestEntityTooLarge: the remote PowerShell endpoint refused a photo over 10 KB (HTTP 413). Reconnect with ?proxyMethod=RPS on the ConnectionUri (KB 3062745) or use the Graph route.',
  CmdletRetired:
    'CmdletRetired: Set-UserPhoto was retired in Exchange Online on 30 Nov 2023 — use the Graph route (route "graph") for cloud mailboxes.',
  CmdletNotFound:
    'CmdletNotFound: the Exchange session did not provide the photo cmdlets. Check the account has an RBAC role that includes Set-UserPhoto (e.g. "User Options" or "Mail Recipients") and that the ConnectionUri points at an Exchange server (http(s)://SERVER/PowerShell).',
  ObjectNotFound:
    'ObjectNotFound: Exchange does not know this identity. Check the user has a mailbox on this Exchange organisation (on-prem mailboxes only for the on-prem route) and that the identity (UPN, GUID or DN) is right.',
  AccessDenied:
    'AccessDenied: Exchange refused the change. Give the account a role that includes Set-UserPhoto / Remove-UserPhoto and check the user is within its management scope.',
  SessionBroken:
    'SessionBroken: the remote PowerShell session broke. The run reconnected once; try again later, and check the Exchange server and network if it keeps happening.',
  Timeout: 'Timeout: PowerShell did not answer in time; the shell was restarted. Check the Exchange server is reachable, or raise the timeout.',
  RpsBlocked:
    'RpsBlocked: Exchange Online blocks Remote PowerShell (RPS) sessions since 1 Oct 2023 and retired Set-UserPhoto on 30 Nov 2023. Use the Graph route for Exchange Online mailboxes.',
  ConnectFailed:
    'ConnectFailed: could not open the Exchange PowerShell session. Check the ConnectionUri (http(s)://SERVER/PowerShell), name resolution, WinRM/HTTPS reachability and the authentication method (Kerberos needs a domain-joined machine or a ticket).',
  CredentialMissing:
    'CredentialMissing: Basic authentication needs a user name and password in the environment variables named in the configuration (defaults HPS_EXCHANGE_USER and HPS_EXCHANGE_PASSWORD).',
  ModuleMissing:
    'ModuleMissing: Connect-ExchangeOnline is not available. Install the ExchangeOnlineManagement module (V3) — but note Set-UserPhoto no longer exists in Exchange Online: use the Graph route.',
  PhotoNotFound: 'PhotoNotFound: the mailbox has no photo.',
  Unknown: 'Exchange reported an error; see the message. Run the same cmdlet by hand in an Exchange session to see the full error.',
} as const;

const PATTERNS = {
  tooLarge: /\(413\)|request entity too large|requestentitytoolarge/i,
  commandNotFound: /commandnotfoundexception|is not recognized as (?:a|the) name of a cmdlet/i,
  photoNotFound: /userphotonotfoundexception|there is no photo stored here/i,
  objectNotFound: /managementobjectnotfoundexception|couldn't be found on|could not be found on|couldn't find object|object .* not found/i,
  accessDenied: /access is denied|accessdenied|unauthorizedaccess|insufficient access rights|isn't within your current write scopes|not within your current write scope/i,
  sessionBroken:
    /psremotingtransportexception|psremotingdatastructureexception|session state is (?:broken|closed)|runspace .*(?:broken|closed|not in the opened state)|sessionbroken/i,
  rpsHost: /(^|\.)outlook\.office365\.(?:com|us)$|(^|\.)outlook\.office\.de$|(^|\.)partner\.outlook\.cn$|(^|\.)ps\.compliance\.protection\.outlook\.com$/i,
} as const;

function text(raw: RawExchangeError): string {
  return [raw.errorId, raw.exceptionType, raw.fullyQualifiedErrorId, raw.message].filter((s) => typeof s === 'string' && s.length > 0).join(' | ');
}

function advise(errorId: keyof typeof ADVICE, retryable: boolean, status?: number): ExchangeAdvice {
  const out: ExchangeAdvice = { errorId, advice: ADVICE[errorId], retryable };
  if (status !== undefined) out.status = status;
  return out;
}

/** Classifies one failed Set-/Get-/Remove-UserPhoto call. Order matters: a 413 may arrive as a transport error. */
export function classifyExchangeError(raw: RawExchangeError, mode: ExchangeMode): ExchangeAdvice {
  const all = text(raw);
  const category = (raw.category ?? '').toLowerCase();
  if (PATTERNS.tooLarge.test(all)) return advise('RequestEntityTooLarge', false, 413);
  if (PATTERNS.commandNotFound.test(all)) return mode === 'onprem' ? advise('CmdletNotFound', false) : advise('CmdletRetired', false);
  if (PATTERNS.photoNotFound.test(all)) return advise('PhotoNotFound', false, 404);
  if (PATTERNS.objectNotFound.test(all)) return advise('ObjectNotFound', false, 404);
  if (category === 'permissiondenied' || PATTERNS.accessDenied.test(all)) return advise('AccessDenied', false, 403);
  if (PATTERNS.sessionBroken.test(all)) return advise('SessionBroken', true);
  if (category === 'objectnotfound') return advise('ObjectNotFound', false, 404);
  if (raw.errorId === 'Timeout') return advise('Timeout', true);
  return advise('Unknown', false);
}

/** Whether a ConnectionUri points at an Exchange Online (or sovereign cloud) remote PowerShell endpoint. */
export function isExchangeOnlineRpsUri(connectionUri: string): boolean {
  try {
    return PATTERNS.rpsHost.test(new URL(connectionUri).hostname);
  } catch {
    return false;
  }
}

/** Classifies a failure to open the session (New-PSSession / Connect-ExchangeOnline). */
export function classifyConnectError(raw: RawExchangeError, mode: ExchangeMode, connectionUri?: string): ExchangeAdvice {
  const all = text(raw);
  if (raw.errorId === 'CredentialMissing') return advise('CredentialMissing', false);
  if (raw.errorId === 'ModuleMissing') return advise('ModuleMissing', false);
  if (mode === 'legacy' && connectionUri !== undefined && isExchangeOnlineRpsUri(connectionUri)) return advise('RpsBlocked', false);
  if (PATTERNS.accessDenied.test(all) || (raw.category ?? '').toLowerCase() === 'permissiondenied') return advise('AccessDenied', false, 403);
  if (PATTERNS.commandNotFound.test(all) && mode === 'exo') return advise('ModuleMissing', false);
  return advise('ConnectFailed', true);
}
