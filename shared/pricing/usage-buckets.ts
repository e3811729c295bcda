import type { AiUsage } from '../contracts/cost-event';
import type { ModelPrice } from './price-table';
import { parseDecimal, type Rational } from './rational';

/**
 * The parts of a call's usage that are billed at different rates, in this order:
 * uncached text input, uncached audio input, cached text input, cached audio input, output
 * (answer and thinking), images. Each usage count lands in exactly one part.
 */
export const BUCKETS = ['input', 'audioInput', 'cachedInput', 'cachedAudioInput', 'output', 'images'] as const;
export type Bucket = (typeof BUCKETS)[number];

const TOKEN_ONLY = ['cachedInputTokens', 'audioInputTokens', 'cachedAudioInputTokens', 'toolUseInputTokens', 'thoughtsTokens'] as const;

/** A usage count the price's unit cannot bill (a character count for a token-priced model, …). */
export function foreignCounts(unit: ModelPrice['unit'], usage: AiUsage): string[] {
  const other = unit === 'token' ? (['inputChars', 'outputChars'] as const) : (['inputTokens', 'outputTokens', ...TOKEN_ONLY] as const);
  return other.filter((k) => usage[k] !== undefined);
}

/** The prompt size the long-context threshold compares with: `promptTokenCount` (cached included), or input characters. */
export function promptSizeOf(unit: ModelPrice['unit'], usage: AiUsage): number {
  return (unit === 'token' ? usage.inputTokens : usage.inputChars) ?? 0;
}

/** Counts per bucket, in BUCKETS order (the usage is valid: the parts fit in their wholes). */
export function bucketCounts(unit: ModelPrice['unit'], usage: AiUsage): number[] {
  if (unit === 'char') return [usage.inputChars ?? 0, 0, 0, 0, usage.outputChars ?? 0, usage.images ?? 0];
  const cached = usage.cachedInputTokens ?? 0;
  const cachedAudio = usage.cachedAudioInputTokens ?? 0;
  const uncachedAudio = (usage.audioInputTokens ?? 0) - cachedAudio;
  const uncachedText = (usage.inputTokens ?? 0) - cached - uncachedAudio + (usage.toolUseInputTokens ?? 0);
  return [uncachedText, uncachedAudio, cached - cachedAudio, cachedAudio, (usage.outputTokens ?? 0) + (usage.thoughtsTokens ?? 0), usage.images ?? 0];
}

const ZERO: Rational = { num: 0n, den: 1n };

function perUnit(decimal: string, per: number): Rational {
  const r = parseDecimal(decimal);
  return { num: r.num, den: r.den * BigInt(per) };
}

/**
 * USD per unit for each bucket, at the normal or the long-context tier. A rate the entry does not
 * give falls back to a dearer one (cached → input, audio → input), never to $0: a missing rate
 * can over-charge, not under-charge.
 */
export function bucketRates(price: ModelPrice, long: boolean): Rational[] {
  const tier = long && price.longContext ? price.longContext : undefined;
  const input = tier?.input ?? price.input;
  const audio = price.audioInput ?? input;
  const cached = (tier ? tier.cachedInput : price.cachedInput) ?? input;
  const cachedAudio = price.cachedAudioInput ?? audio;
  const output = tier?.output ?? price.output;
  const image = price.perImage ? parseDecimal(price.perImage) : ZERO;
  return [perUnit(input, price.per), perUnit(audio, price.per), perUnit(cached, price.per), perUnit(cachedAudio, price.per), perUnit(output, price.per), image];
}
