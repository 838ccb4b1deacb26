/**
 * Colour maths for the comparator: sRGB ↔ linear light, linear light → OKLab (Björn Ottosson's perceptual space,
 * where Euclidean distance tracks how different two colours look; 0.02 is about a just-noticeable difference),
 * and linear light → the grey value libvips' sRGB → b-w conversion gives (so the structural hash keeps its values).
 * Pure; the tables are built once.
 */

/** sRGB byte → linear light, 0…1. */
export const SRGB_TO_LINEAR: Float64Array = Float64Array.from({ length: 256 }, (_, i) => {
  const c = i / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});

/** Linear light 0…1 → sRGB 0…255, rounded (the inverse transfer function). */
export function linearToSrgb8(v: number): number {
  const c = v <= 0 ? 0 : v >= 1 ? 1 : v;
  const s = c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
  return Math.round(s * 255);
}

/** Linear light in 1/65535 steps → sRGB byte: finer than any 8-bit input can tell apart, and no pow() per pixel. */
const LINEAR16_TO_SRGB8: Uint8Array = Uint8Array.from({ length: 65536 }, (_, i) => linearToSrgb8(i / 65535));

/** Grey as libvips computes it from sRGB: Rec. 709 luminance in linear light, encoded with the sRGB curve. */
export function linearToGrey8(r: number, g: number, b: number): number {
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return LINEAR16_TO_SRGB8[Math.round((y <= 0 ? 0 : y >= 1 ? 1 : y) * 65535)] as number;
}

const K1 = 0.206;
const K2 = 0.03;
const K3 = (1 + K1) / (1 + K2);

/**
 * Ottosson's "toe" for OKLab's L (from his Okhsv/Okhsl work): a lightness closer to CIELAB's L* near black, where
 * plain OKLab's cube root makes a step of one or two sRGB levels look like a visible change. 0 → 0, 1 → 1.
 */
export function toe(l: number): number {
  return 0.5 * (K3 * l - K1 + Math.sqrt((K3 * l - K1) * (K3 * l - K1) + 4 * K2 * K3 * l));
}

/**
 * OKLab from linear sRGB (D65), with the toe applied to L. L is 0…1; a and b stay within about ±0.33 for sRGB
 * colours.
 */
export function linearToOklab(r: number, g: number, b: number): [number, number, number] {
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return [
    toe(0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s),
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ];
}
