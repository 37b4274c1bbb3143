import type { Style } from "./style.js";

/** One column of a {@link renderTable} table. */
export interface Column {
  /** Header text, printed in bold. */
  header: string;
  /** Right-align numbers; text is left-aligned. */
  align?: "left" | "right";
}

/**
 * A cell: plain text, or text with a decoration applied after padding (so escapes never disturb the
 * alignment).
 */
export type Cell = string | { text: string; paint: (s: string) => string };

function cellText(cell: Cell): string {
  return typeof cell === "string" ? cell : cell.text;
}

/**
 * Lays `rows` out under `columns`, two spaces between columns, one line per row, each ending in `\n`.
 * Widths count UTF-16 code units, which is exact for the ASCII names and addresses shown here.
 * The last column is not padded, so lines carry no trailing blanks. Never throws.
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly Cell[])[],
  style: Style,
): string {
  const widths = columns.map((col, i) =>
    Math.max(col.header.length, ...rows.map((row) => cellText(row[i] ?? "").length)),
  );
  const line = (cells: readonly Cell[], header: boolean): string =>
    columns
      .map((col, i) => {
        const cell = cells[i] ?? "";
        const text = cellText(cell);
        const last = i === columns.length - 1;
        const width = widths[i] ?? 0;
        const padded = col.align === "right" ? text.padStart(width) : last ? text : text.padEnd(width);
        if (header) return style.bold(padded);
        return typeof cell === "string" ? padded : cell.paint(padded);
      })
      .join("  ");
  return [
    line(
      columns.map((c) => c.header),
      true,
    ),
    ...rows.map((row) => line(row, false)),
  ]
    .map((l) => `${l}\n`)
    .join("");
}
