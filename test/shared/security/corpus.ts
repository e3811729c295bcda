import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../bin/stack/repo-root';
import type { ThreatRule } from '../../../shared/security/input-rules';

const DIR = join(repoRoot(), 'test/fixtures/security-corpus');

/** `tuning`: the corpus the detectors were written against; `holdout`: one written apart, never tuned on. */
export type CorpusSet = 'tuning' | 'holdout';

export function attackCorpus(set: CorpusSet = 'tuning'): { rule: ThreatRule; payload: string }[] {
  return readFileSync(join(DIR, set === 'tuning' ? 'attacks.tsv' : 'holdout-attacks.tsv'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      return { rule: line.slice(0, tab) as ThreatRule, payload: line.slice(tab + 1) };
    });
}

export function benignCorpus(set: CorpusSet = 'tuning'): string[] {
  return readFileSync(join(DIR, set === 'tuning' ? 'benign.txt' : 'holdout-benign.txt'), 'utf8').split('\n').filter(Boolean);
}
