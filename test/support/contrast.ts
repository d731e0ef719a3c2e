/** WCAG 2 contrast between two CSS colours as getComputedStyle gives them (`rgb(…)` / `rgba(…)`, opaque). */
export function contrastRatio(a: string, b: string): number {
  const [la, lb] = [luminance(a), luminance(b)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

function luminance(css: string): number {
  const match = /^rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?\)$/.exec(css.trim());
  if (!match) throw new Error(`not an rgb() colour: ${css}`);
  if (match[4] !== undefined && Number(match[4]) < 1) throw new Error(`a see-through colour has no contrast of its own: ${css}`);
  const [r, g, b] = match.slice(1, 4).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
