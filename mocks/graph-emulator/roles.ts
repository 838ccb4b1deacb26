/**
 * Application permissions each operation accepts, from the Graph permission tables (application column,
 * least and higher privileged): users list/get, profilePhoto get/update/delete, photoUpdateSettings.
 */
export type Operation = 'users.read' | 'photo.read' | 'photo.write' | 'settings.read' | 'settings.write';

export const ACCEPTED_ROLES: Readonly<Record<Operation, readonly string[]>> = {
  'users.read': ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  'photo.read': ['ProfilePhoto.Read.All', 'ProfilePhoto.ReadWrite.All', 'User.Read.All', 'User.ReadWrite.All'],
  'photo.write': ['ProfilePhoto.ReadWrite.All', 'User.ReadWrite.All'],
  'settings.read': ['PeopleSettings.Read.All', 'PeopleSettings.ReadWrite.All'],
  'settings.write': ['PeopleSettings.ReadWrite.All'],
};

export function allows(roles: readonly string[], op: Operation): boolean {
  const accepted = ACCEPTED_ROLES[op];
  return roles.some((r) => accepted.some((a) => a.toLowerCase() === r.toLowerCase()));
}
