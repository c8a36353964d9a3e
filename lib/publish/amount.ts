// Amounts in words: "0.0123 AZERO". Balances are integers of the chain's smallest unit
// (AZERO: 12 decimals); floating point would misstate them, so this is bigint throughout.

export interface Token {
  symbol: string;
  decimals: number;
}

// Four significant digits are plenty for a fee or a deposit. Costs are rounded UP, so the
// page never promises less than the wallet will then ask for.
export function formatAmount(value: bigint, token: Token): string {
  const sign = value < 0n ? '-' : '';
  const v = value < 0n ? -value : value;
  const decimals = Math.max(0, Math.min(token.decimals, 30));
  const base = 10n ** BigInt(decimals);
  const whole = v / base;
  const fraction = (v % base).toString().padStart(decimals, '0');
  const firstDigit = fraction.search(/[1-9]/);
  const keep = Math.min(decimals, whole > 0n ? 4 : firstDigit < 0 ? 0 : firstDigit + 4);
  const scale = 10n ** BigInt(decimals - keep);
  const rounded = (v + scale - 1n) / scale; // ceiling, in units of 10^-keep
  const unit = 10n ** BigInt(keep);
  const w = rounded / unit;
  const f = keep === 0 ? '' : (rounded % unit).toString().padStart(keep, '0').replace(/0+$/, '');
  return `${sign}${w.toString()}${f ? `.${f}` : ''} ${token.symbol}`;
}
