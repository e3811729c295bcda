import { z } from 'zod';
import { detectThreats, THREAT_RULES } from '../../../shared/security/input-rules';
import { normalizeForDetection } from '../../../shared/security/normalize-input';
import { alphanumericId, emailAddress, safeText, safeUrl, validateRequest } from '../../../shared/security/request-schemas';
import { redactDetails } from '../../../shared/security/redact';
import { attackCorpus, benignCorpus, type CorpusSet } from './corpus';

function rates(set: CorpusSet) {
  const attacks = attackCorpus(set);
  const benign = benignCorpus(set);
  const detected = attacks.filter((a) => detectThreats(a.payload).some((m) => m.rule === a.rule)).length;
  const falsePositives = benign.filter((b) => detectThreats(b).length > 0).length;
  return { detection: detected / attacks.length, falsePositive: falsePositives / benign.length, attacks: attacks.length, benign: benign.length };
}

describe('input rules', () => {
  describe('the injection corpus', () => {
    it('detects every attack of the tuning corpus and flags none of its benign texts', () => {
      expect(rates('tuning')).toMatchObject({ detection: 1, falsePositive: 0 });
    });

    it('holds on the held-out corpus it was never tuned on: ≥ 90 % detected, ≤ 5 % false positives', () => {
      const r = rates('holdout');
      expect(r.attacks).toBe(120);
      expect(r.detection).toBeGreaterThanOrEqual(0.9);
      expect(r.falsePositive).toBeLessThanOrEqual(0.05);
    });

    it('covers each of the four rules in both corpora', () => {
      for (const set of ['tuning', 'holdout'] as const) {
        expect(new Set(attackCorpus(set).map((a) => a.rule))).toEqual(new Set(THREAT_RULES));
      }
    });
  });

  describe('normalizeForDetection', () => {
    it('decodes nested URL encoding, HTML entities and JS escapes', () => {
      expect(normalizeForDetection('%253Cscript%253E')).toBe('<script>');
      expect(normalizeForDetection('&#x3C;SCRIPT&#62;')).toBe('<script>');
      expect(normalizeForDetection('\\u003cimg\\x20src')).toBe('<img src');
    });
  });

  describe('zod schemas', () => {
    const body = z.object({
      title: safeText({ maxLength: 200 }),
      author: z.object({ email: emailAddress(), id: alphanumericId() }),
      link: safeUrl({ schemes: ['https'] }),
    });

    it('accepts a benign request', () => {
      const result = validateRequest(body, { title: "O'Brien's guide to SQL: SELECT, JOIN & more", author: { email: 'ana@example.org', id: 'ana_01' }, link: 'https://example.com/a?b=c' });
      expect(result.ok).toBe(true);
    });

    it('names the field and the rule of every violation', () => {
      const result = validateRequest(body, { title: '<img src=x onerror=alert(1)>', author: { email: 'nope', id: 'a b' }, link: 'javascript:alert(1)' });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.violations.map((v) => `${v.field}:${v.rule}`).sort()).toEqual(['author.email:email', 'author.id:alphanumeric', 'link:url-scheme', 'title:xss']);
      expect(result.violations.find((v) => v.field === 'title')?.message).toBe('looks like xss (event handler in a tag)');
    });

    it('refuses IP-literal hosts unless allowed, and narrows detectors per field', () => {
      const ipUrl = validateRequest(safeUrl(), 'https://169.254.169.254/latest/meta-data');
      expect(ipUrl.ok === false && ipUrl.violations[0]?.rule).toBe('url-host');
      expect(validateRequest(safeUrl({ allowIpHosts: true }), 'https://10.0.0.1/').ok).toBe(true);
      expect(validateRequest(safeText({ rules: ['xss'] }), "' OR 1=1 --").ok).toBe(true);
    });
  });

  describe('redactDetails', () => {
    it('never keeps credentials or key material', () => {
      expect(redactDetails({ password: 'hunter2', reason: 'bad login', header: 'Bearer abc.def', key: 'gov_k7Gq2_Z2l2ZSBtZSB0aGUga2V5IHBsZWFzZQ', attempts: 3 })).toEqual({
        password: '[redacted]',
        reason: 'bad login',
        header: '[redacted]',
        key: '[redacted]',
        attempts: 3,
      });
    });
  });
});
