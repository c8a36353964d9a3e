// IP literal <-> bytes, for the address attributes. Node's `net` module can tell whether a
// string is an IP but cannot turn it into bytes, so this is the small converter we need.
// Output follows RFC 5952 (lowercase, longest zero run compressed) so that addresses we
// decode compare equal to the strings Node gives us in `rinfo.address`.

export function parseIPv4(text: string): Buffer | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = Buffer.allocUnsafe(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!/^\d{1,3}$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    out[i] = value;
  }
  return out;
}

export function parseIPv6(text: string): Buffer | null {
  const zone = text.indexOf('%');
  const bare = zone >= 0 ? text.slice(0, zone) : text;
  const halves = bare.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups: number[] = [];
  const pushAll = (list: string[], isTail: boolean): boolean => {
    for (let i = 0; i < list.length; i++) {
      const g = list[i] as string;
      const last = isTail || halves.length === 1 ? i === list.length - 1 : false;
      if (last && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return false;
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      groups.push(parseInt(g, 16));
    }
    return true;
  };
  if (!pushAll(head, false)) return null;
  const headCount = groups.length;
  if (!pushAll(tail, true)) return null;
  const tailGroups = groups.splice(headCount);
  if (halves.length === 2) {
    const missing = 8 - groups.length - tailGroups.length;
    if (missing < 1) return null;
    for (let i = 0; i < missing; i++) groups.push(0);
  }
  groups.push(...tailGroups);
  if (groups.length !== 8) return null;
  const out = Buffer.allocUnsafe(16);
  for (let i = 0; i < 8; i++) out.writeUInt16BE(groups[i]!, i * 2);
  return out;
}

/** Bytes of an IPv4 or IPv6 literal, or null if `text` is neither. */
export function parseIp(text: string): Buffer | null {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}

export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[offset + 2 * i]! << 8) | bytes[offset + 2 * i + 1]!);
  // IPv4-mapped addresses are written with a dotted tail (RFC 5952 §5), as Node does.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatIPv4(bytes, offset + 12)}`;
  }
  // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLen).join(':');
  return `${left}::${right}`;
}

export function isLoopback(text: string): boolean {
  if (text === '::1') return true;
  const v6 = text.includes(':') ? parseIPv6(text) : null;
  if (v6) return v6.subarray(0, 15).every((b) => b === 0) && v6[15] === 1;
  const v4 = parseIPv4(text);
  return v4 !== null && v4[0] === 127;
}
