import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../bin/stack/repo-root';
import { detectThreats } from '../shared/security/input-rules';
import { THREAT_RULES, type DetectionContext, type ThreatRule } from '../shared/security/threat-patterns';

/** `tuning`: what the detectors were written against; `holdout`: written apart, before tuning, never tuned on. */
export type CorpusSet = 'tuning' | 'holdout';
/** `general`: what a content-generating agent sends; `prompts`: developers' prompts to a coding model. */
export const BENIGN_KINDS = ['general', 'prompts'] as const;
export type BenignKind = (typeof BENIGN_KINDS)[number];

const FILES: Record<CorpusSet, { attacks: readonly string[] } & Record<BenignKind, string>> = {
  tuning: { attacks: ['attacks.tsv'], general: 'benign.txt', prompts: 'prompts.txt' },
  holdout: { attacks: ['holdout-attacks.tsv', 'holdout-families.tsv'], general: 'holdout-benign.txt', prompts: 'holdout-prompts.txt' },
};

function lines(file: string): string[] {
  return readFileSync(join(repoRoot(), 'test/fixtures/security-corpus', file), 'utf8').split('\n').filter(Boolean);
}

/** Attack payloads, one per line as `<rule>\t<payload>`; an unknown rule is a broken fixture. */
export function attackCorpus(set: CorpusSet = 'tuning'): { rule: ThreatRule; payload: string }[] {
  return FILES[set].attacks.flatMap(lines).map((line) => {
    const tab = line.indexOf('\t');
    const rule = line.slice(0, tab) as ThreatRule;
    if (!THREAT_RULES.includes(rule)) throw new Error(`security corpus: unknown rule "${line.slice(0, tab)}" in line "${line}"`);
    return { rule, payload: line.slice(tab + 1) };
  });
}

export function benignCorpus(set: CorpusSet = 'tuning', kind: BenignKind = 'general'): string[] {
  return lines(FILES[set][kind]);
}

export interface Rate {
  hits: number;
  total: number;
}

export interface CorpusRates {
  /** Attacks of each rule reported under that rule. */
  detection: Record<ThreatRule, Rate>;
  /** Benign texts of each kind with any rule reported. */
  falsePositives: Record<BenignKind, Rate>;
}

/** Detection per rule and false positives per benign kind of one corpus set in one context. */
export function corpusRates(set: CorpusSet, context: DetectionContext): CorpusRates {
  const detection = Object.fromEntries(THREAT_RULES.map((rule) => [rule, { hits: 0, total: 0 }])) as Record<ThreatRule, Rate>;
  for (const { rule, payload } of attackCorpus(set)) {
    detection[rule].total++;
    if (detectThreats(payload, { context }).some((m) => m.rule === rule)) detection[rule].hits++;
  }
  const falsePositives = Object.fromEntries(
    BENIGN_KINDS.map((kind) => {
      const texts = benignCorpus(set, kind);
      return [kind, { hits: texts.filter((t) => detectThreats(t, { context }).length > 0).length, total: texts.length }];
    }),
  ) as Record<BenignKind, Rate>;
  return { detection, falsePositives };
}

/** `hits / total (pct %)`. */
export function formatRate({ hits, total }: Rate): string {
  return `${hits} / ${total} (${total === 0 ? '–' : ((100 * hits) / total).toFixed(1)} %)`;
}
