/** Distinguished-name helpers for seeding (RFC 4514 escaping, OU paths). */

/** Escapes one RDN attribute value per RFC 4514. */
export function escapeDnValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/\0/g, '\\00');
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** The OU names of a slash path, outermost first: "Staff/Sales" → ["Staff", "Sales"]. */
export function ouSegments(ouPath: string): string[] {
  const parts = ouPath.split('/').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) throw new Error(`bad OU path ${JSON.stringify(ouPath)}: use "Parent/Child", no empty parts`);
  return parts;
}

/** "Staff/Sales" under DC=corp,… → OU=Sales,OU=Staff,DC=corp,… */
export function ouDn(baseDn: string, ouPath: string): string {
  return [...ouSegments(ouPath)].reverse().map((p) => `OU=${escapeDnValue(p)}`).concat(baseDn).join(',');
}

/** Every OU a path needs, parents before children: "A/B" → [{OU=A,base; A}, {OU=B,OU=A,base; B}]. */
export function ouChain(baseDn: string, ouPath: string): Array<{ dn: string; name: string }> {
  const segs = ouSegments(ouPath);
  return segs.map((name, i) => ({ dn: ouDn(baseDn, segs.slice(0, i + 1).join('/')), name }));
}
