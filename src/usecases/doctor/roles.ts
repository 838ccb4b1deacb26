/**
 * The application permissions each feature needs (docs/permissions.md), and reading the `roles` claim of an
 * app-only access token. The token is only decoded here, never printed or logged.
 */
export type Need = 'users.read' | 'photo.read' | 'photo.write' | 'settings.read';

/** Least and higher privileged application permissions that satisfy each need (Microsoft Graph permission tables). */
export const SATISFIED_BY: Readonly<Record<Need, readonly string[]>> = {
  'users.read': ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  'photo.read': ['ProfilePhoto.Read.All', 'ProfilePhoto.ReadWrite.All', 'User.Read.All', 'User.ReadWrite.All'],
  'photo.write': ['ProfilePhoto.ReadWrite.All', 'User.ReadWrite.All'],
  'settings.read': ['PeopleSettings.Read.All', 'PeopleSettings.ReadWrite.All'],
};

/** What to grant when a need is missing: the least privileged permission. */
export const LEAST: Readonly<Record<Need, string>> = {
  'users.read': 'User.Read.All',
  'photo.read': 'ProfilePhoto.Read.All (or User.Read.All)',
  'photo.write': 'ProfilePhoto.ReadWrite.All',
  'settings.read': 'PeopleSettings.Read.All',
};

export function has(roles: readonly string[], need: Need): boolean {
  const ok = SATISFIED_BY[need].map((r) => r.toLowerCase());
  return roles.some((r) => ok.includes(r.toLowerCase()));
}

/** The `roles` claim of a JWT access token; undefined when the token is not a readable JWT. */
export function tokenRoles(token: string): string[] | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
    if (claims.roles === undefined) return [];
    return Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : undefined;
  } catch {
    return undefined;
  }
}
