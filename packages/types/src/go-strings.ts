/**
 * Go's white space and the `strings` functions upstream applies with it (container IDs are trimmed
 * with `strings.TrimSpace`, resolv.conf lines split with `strings.Fields`). Go's set is
 * `unicode.IsSpace`: ASCII white space plus Unicode White_Space, so unlike JavaScript's `trim()` it
 * keeps U+FEFF and strips U+0085. Every member is in the Basic Multilingual Plane, so one UTF-16
 * unit is one character here. Pure functions, no I/O.
 */

/** True when the UTF-16 unit `code` is white space to Go's `unicode.IsSpace`. */
function isSpaceCode(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** True when `text` holds any character Go's `unicode.IsSpace` calls white space. Never throws. */
export function hasGoSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isSpaceCode(text.charCodeAt(i))) return true;
  return false;
}

/** `text` without leading and trailing white space, as Go's `strings.TrimSpace`. Never throws. */
export function goTrimSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isSpaceCode(text.charCodeAt(start))) start++;
  while (end > start && isSpaceCode(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** The non-empty runs of non-space characters of `text`, as Go's `strings.Fields`. Never throws. */
export function goFields(text: string): string[] {
  const fields: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const space = i === text.length || isSpaceCode(text.charCodeAt(i));
    if (space && start >= 0) {
      fields.push(text.slice(start, i));
      start = -1;
    } else if (!space && start < 0) {
      start = i;
    }
  }
  return fields;
}
