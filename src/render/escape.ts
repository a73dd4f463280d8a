/**
 * Text from the data (class names, warnings, option values) made safe to put inside HTML: as
 * element content and inside a quoted attribute. Every string the HTML report takes from a report
 * goes through here; nothing from the data is ever markup.
 */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` with &, <, >, " and ' as character references. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
