/**
 * Rows as aligned columns, two spaces apart, without trailing blanks: the CLI's human tables. A
 * short row is padded as if its missing cells were empty.
 */
export function tableLines(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
}
