import { z } from 'zod';
import { attackCorpus, corpusRates, type CorpusSet } from '../../../bench/validation-corpus';
import { detectThreats, DETECTION_CONTEXTS, THREAT_RULES } from '../../../shared/security/input-rules';
import { normalizeForDetection } from '../../../shared/security/normalize-input';
import { runsIn, THREAT_PATTERNS } from '../../../shared/security/threat-patterns';
import { alphanumericId, emailAddress, safeText, safeUrl, validateRequest } from '../../../shared/security/request-schemas';
import { redactDetails } from '../../../shared/security/redact';

const share = ({ hits, total }: { hits: number; total: number }) => hits / total;

describe('input rules', () => {
  describe('the injection corpora', () => {
    it('detects every attack of the tuning corpus in a field and flags none of its benign texts', () => {
      const { detection, falsePositives } = corpusRates('tuning', 'field');
      for (const rule of THREAT_RULES) expect({ rule, share: share(detection[rule]) }).toEqual({ rule, share: 1 });
      expect(falsePositives.general.hits).toBe(0);
    });

    // The held-out files were written before the detectors of #26 were tuned, and never tuned on.
    it('holds on the held-out corpora in a field: ≥ 90 % of each family (template and NoSQL ≥ 80 %), ≤ 5 % false positives', () => {
      const { detection, falsePositives } = corpusRates('holdout', 'field');
      for (const rule of THREAT_RULES) {
        const floor = rule === 'template-injection' || rule === 'nosql-injection' ? 0.8 : 0.9;
        expect({ rule, atLeastFloor: share(detection[rule]) >= floor }).toEqual({ rule, atLeastFloor: true });
      }
      expect(share(falsePositives.general)).toBeLessThanOrEqual(0.05);
    });

    it('flags at most 2 % of developers\' prompts in the prose context, tuning and held-out', () => {
      for (const set of ['tuning', 'holdout'] as const) {
        expect({ set, share: share(corpusRates(set, 'prose').falsePositives.prompts) <= 0.02 }).toEqual({ set, share: true });
      }
    });

    it('flags fewer developers\' prompts in prose than in a field, and still the attacks that execute', () => {
      const field = corpusRates('holdout', 'field');
      const prose = corpusRates('holdout', 'prose');
      expect(prose.falsePositives.prompts.hits).toBeLessThan(field.falsePositives.prompts.hits / 5);
      for (const payload of ['<img src=x onerror=alert(1)>', "' OR '1'='1", '../../../etc/passwd', "{{''.__class__.__mro__[1].__subclasses__()}}", 'password[$ne]=1', "require('child_process').exec('id')"]) {
        expect({ payload, found: detectThreats(payload, { context: 'prose' }).length > 0 }).toEqual({ payload, found: true });
      }
    });

    it('covers each rule in both corpora', () => {
      for (const set of ['tuning', 'holdout'] as CorpusSet[]) {
        expect(new Set(attackCorpus(set).map((a) => a.rule))).toEqual(new Set(THREAT_RULES));
      }
    });
  });

  describe('the detector table', () => {
    const cases = THREAT_PATTERNS.flatMap((p) => DETECTION_CONTEXTS.filter((c) => runsIn(p, c)).map((context) => [`${p.rule}/${p.name} (${context})`, p, context] as const));
    it.each(cases)('%s detects its own example', (_, pattern, context) => {
      expect(detectThreats(pattern.example, { rules: [pattern.rule], context }).map((m) => m.rule)).toEqual([pattern.rule]);
    });

    it.each([
      ['form encoding: + as a space', "admin'+or+1=1--", 'sql-injection'],
      ['form encoding in a union', '1+union+select+password+from+users', 'sql-injection'],
      ['%uXXXX escapes', '%u003cscript%u003ealert(1)', 'xss'],
      ['fullwidth angle brackets', '＜script＞alert(1)＜/script＞', 'xss'],
      ['fullwidth, percent-encoded as UTF-8', '%EF%BC%9Cscript%EF%BC%9E', 'xss'],
      ['smart quotes in SQL', 'x’ or ‘1’=’1', 'sql-injection'],
      ['a namespaced script tag', '<html:script>alert(1)</html:script>', 'xss'],
      ['an SVG animation setting a handler', '<animate attributeName=onclick values=alert(1)>', 'xss'],
      ['a namespaced SVG set', '<svg:set attributeName="onmouseover" to="alert(1)"/>', 'xss'],
      ['constructor/prototype in JSON', '{"constructor":{"prototype":{"isAdmin":true}}}', 'js-injection'],
      ['constructor[prototype] in a query string', '?constructor[prototype][admin]=1', 'js-injection'],
      ['constructor.prototype in a query string', 'a=1&constructor.prototype.admin=1', 'js-injection'],
    ])('detects %s', (_, payload, rule) => {
      expect(detectThreats(payload).map((m) => m.rule)).toContain(rule);
    });

    // The shapes issue #26 lists as missed, each under its own rule.
    it.each([
      ['path-traversal', ['..%u2215..%u2215etc%u2215passwd', '..%u2216..%u2216boot.ini', '..%uF025..%uF025etc', '..0x2f..0x2fetc', '..0x5c..0x5cboot.ini', '..%c0%af..%c0%afetc', '..%c1%9c..%c1%9cboot.ini', '..%e0%80%af..%e0%80%afetc', '%c0%2e%c0%2e/etc', '%%32%%65%%32%%65%%32%%66etc', '....//....//etc', '..;/..;/admin', '.../.../etc']],
      ['template-injection', ['{{7*7}}', '${7*7}', '<%= 7*7 %>', '#{7*7}', '@(1+2)', "{php}echo 'x';{/php}", '{$smarty.version}', "{{''.__class__.__mro__[1]}}", '{{ cycler.__init__.__globals__.os }}', "{{request|attr('application')}}", '<#assign x="freemarker.template.utility.Execute"?new()>', "${T(java.lang.Runtime).getRuntime().exec('id')}"]],
      ['nosql-injection', ['{"$where": "sleep(100)"}', '{"user": {"$ne": null}}', '{"age": {"$gt": ""}}', '{"name": {"$regex": "^a"}}', 'password[$ne]=1', '{"$gt": ""}', "';return true;var x='"]],
      ['sql-injection', ['ORDER BY 9--', '1 or true--', '1 AND 1=0#', 'select @@version', 'x having 1=1', "' or ''&'", "'-'"]],
      ['xss', ['<scr&#x9ipt>alert(1)</scr&#x9ipt>', '<%script>alert(1)</script>', 'alert`1`', 'top[/al/.source+/ert/.source](1)', '<a href="da&#x0A;ta:text/html;base64,PHN2Zz4=">', '" onmouseover="alert(1)']],
    ] as const)('detects the %s shapes of #26', (rule, payloads) => {
      for (const payload of payloads) expect({ payload, rules: detectThreats(payload).map((m) => m.rule) }).toEqual({ payload, rules: expect.arrayContaining([rule]) });
    });

    it('confirms a tautology only when both sides are equal', () => {
      expect(detectThreats('id=5 or 2=2', { rules: ['sql-injection'] })).toEqual([{ rule: 'sql-injection', pattern: 'tautology' }]);
      expect(detectThreats('pick 1 or 2=3 items', { rules: ['sql-injection'] })).toEqual([]);
      expect(detectThreats('id=5 or 1=2 and 3=3', { rules: ['sql-injection'] })).toEqual([{ rule: 'sql-injection', pattern: 'tautology' }]);
    });
  });

  describe('contexts', () => {
    const questions = ['Should my <script> tags go in the head?', 'What does OR 1=1 mean?', 'Copy ../assets/images into ./public', 'Why is eval() dangerous?'];

    it('lets prose mention markup, SQL, paths and eval that a field refuses', () => {
      for (const text of questions) {
        expect({ text, prose: detectThreats(text, { context: 'prose' }), field: detectThreats(text).length > 0 }).toEqual({ text, prose: [], field: true });
      }
    });

    it('refuses in prose what executes: a handler that calls, a tautology closing a quote, a traversal to a system file', () => {
      expect(detectThreats('Nice post! <img src=x onerror=alert(document.cookie)>', { context: 'prose' })).toEqual([{ rule: 'xss', pattern: 'handler that runs code' }]);
      expect(detectThreats("my name is x' OR '1'='1", { context: 'prose' })).toEqual([{ rule: 'sql-injection', pattern: 'quote then tautology' }]);
      expect(detectThreats('summarize ..%2f..%2f..%2fetc%2fpasswd', { context: 'prose' })).toEqual([{ rule: 'path-traversal', pattern: 'traversal to a system file' }]);
    });

    it('is chosen per field by safeText, and an unknown context or rule is a named error', () => {
      const body = z.object({ name: safeText(), prompt: safeText({ context: 'prose' }) });
      const result = validateRequest(body, { name: '../x', prompt: 'copy ../x into ./y' });
      expect(result.ok === false && result.violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['name:path-traversal']);
      expect(() => safeText({ context: 'prompt' as never })).toThrow('safeText: context must be one of field, prose, got "prompt"');
      expect(() => safeText({ rules: ['sqli' as never] })).toThrow('safeText: rules must be among');
      expect(() => detectThreats('x', { context: 'html' as never })).toThrow('unknown detection context "html"');
      expect(detectThreats("' OR 1=1 --", ['xss'])).toEqual([]);
    });
  });

  describe('normalizeForDetection', () => {
    it('decodes nested URL encoding, HTML entities and JS escapes', () => {
      expect(normalizeForDetection('%253Cscript%253E')).toBe('<script>');
      expect(normalizeForDetection('&#x3C;SCRIPT&#62;')).toBe('<script>');
      expect(normalizeForDetection('\\u003cimg\\x20src')).toBe('<img src');
    });

    it('decodes form encoding, %uXXXX, fullwidth forms and typographic quotes, never growing the text', () => {
      expect(normalizeForDetection('q=a+b')).toBe('q=a b');
      expect(normalizeForDetection('%u003C＜’“\u00a0')).toBe(`<<'" `);
      expect(normalizeForDetection('\ufdfa'.repeat(100)).length).toBe(100);
    });

    it('decodes what traversal fuzzers send: overlong UTF-8, look-alike slashes, hex, split percent escapes', () => {
      expect(normalizeForDetection('%c0%ae%c0%2e%c0%af%c1%9c%c0%5c%e0%80%af%e0%40%ae')).toBe('../\\\\/.');
      expect(normalizeForDetection('%u2215%u2216%uF025%uEFC8%uFF0E')).toBe('/\\//.');
      expect(normalizeForDetection('0x2e0x2e0x2f0x5c')).toBe('../\\');
      expect(normalizeForDetection('%%32%%66%%32%66')).toBe('//');
      expect(normalizeForDetection('\\u003ealert\\u{1F600}')).toBe('>alert\u{1F600}');
    });

    it('never lengthens the text in its decoding (only lowercasing may)', () => {
      for (const text of ['%%32%%66'.repeat(50), '%c0%af'.repeat(50), '0x2f'.repeat(50), '&#x1F600;'.repeat(50), '\\u{1F600}'.repeat(50), '%u2215'.repeat(50)]) {
        expect(normalizeForDetection(text).length).toBeLessThanOrEqual(text.length);
      }
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
