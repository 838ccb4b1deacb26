/** Text rendering of a comparison's explanation: measures against thresholds, and the 8×8 map of block distances. */
import type { PrintComparison } from '../../photo/index.js';

type Explained = NonNullable<PrintComparison['explain']> & { side: number; ratios: PrintComparison['ratios'] };

const LABEL: Record<string, string> = {
  structure: 'structure (hash bits)',
  localL: 'local lightness',
  localC: 'local colour',
  tone: 'colour grade (tone)',
  chroma: 'colourfulness',
  detailL: 'local detail',
  detailC: 'local colour detail',
};

/** OKLab distance of a block shown as a shade: blank below 0.02 (about the smallest visible step). */
function shade(v: number): string {
  if (v < 0.02) return ' ·';
  if (v < 0.05) return ' ░';
  if (v < 0.1) return ' ▒';
  if (v < 0.2) return ' ▓';
  return ' █';
}

export function renderExplanation(e: Explained): string {
  const lines = [`thresholds for a ${e.side} px smaller side:`];
  for (const [m, v] of Object.entries(e.values)) {
    const ratio = e.ratios[m as keyof typeof e.ratios] ?? 0;
    const t = e.thresholds[m as keyof typeof e.thresholds];
    if (t === undefined) {
      lines.push(`  ${(LABEL[m] ?? m).padEnd(22)} ${v.toFixed(3)}  not used at this size`);
      continue;
    }
    lines.push(`  ${(LABEL[m] ?? m).padEnd(22)} ${v.toFixed(3)}  threshold ${t.toFixed(3)}  ${ratio > 1 ? 'OVER' : 'ok'} (${ratio.toFixed(2)}×)`);
  }
  const side = Math.round(Math.sqrt(e.blocks.length));
  lines.push('where they differ (8×8 blocks of the centre square, OKLab distance: · <0.02 ░ <0.05 ▒ <0.1 ▓ <0.2 █ more):');
  for (let y = 0; y < side; y++) {
    const row = e.blocks.slice(y * side, (y + 1) * side);
    lines.push(`  ${row.map(shade).join('')}   ${row.map((v) => v.toFixed(2)).join(' ')}`);
  }
  const pct = (f: number): number => Math.round(f * 100);
  lines.push(`worst window: ${pct(e.worst.x)}% from the left, ${pct(e.worst.y)}% from the top, ${pct(e.worst.size)}% of the side`);
  return `${lines.join('\n')}\n`;
}
