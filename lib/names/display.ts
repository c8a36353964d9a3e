// A name (claimed by a peer, or verified) or other text from outside as it may be shown in a
// notification or a page. Claims come from strangers: bidi controls (U+202E, U+2066-2069,
// U+200E/F) would make "alice.azero" out of other letters' order, newlines and tabs would
// forge extra lines in a notification, zero-width characters hide differences between two
// names, and a 253-character claim would push the real node id out of view. So:
// - line breaks, tabs and other white space become one space;
// - control, format (bidi, zero-width), surrogate, private-use and unassigned code points
//   are dropped;
// - the result is trimmed and cut to `max` characters (code points, not UTF-16 halves)
//   with an ellipsis.
const SPACE = /\s+/gu;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/gu;
// Stacked combining marks ("zalgo") can paint over neighbouring lines; three in a row is
// more than any script needs.
const MARK_PILE = /(\p{M}{3})\p{M}+/gu;

export const NAME_DISPLAY_MAX = 64;

export function displayName(text: string, max = NAME_DISPLAY_MAX): string {
  const clean = text.replace(SPACE, ' ').replace(INVISIBLE, '').replace(MARK_PILE, '$1').replace(SPACE, ' ').trim();
  const chars = Array.from(clean);
  if (chars.length <= max) return clean;
  return `${chars
    .slice(0, Math.max(0, max - 1))
    .join('')
    .trimEnd()}…`;
}
