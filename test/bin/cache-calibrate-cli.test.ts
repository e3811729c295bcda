import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { governorCli } from '../support/governor-cli';
import { startGeminiStandIn, type GeminiStandIn } from '../shared/cache/gemini-stand-in';

/** `governor cache calibrate` needs no stack: the labelled file, and for Gemini the in-process REST stand-in. */
describe('governor cache calibrate', () => {
  const fixture = join(__dirname, '..', 'fixtures', 'cache', 'labelled-pairs.jsonl');
  const dir = mkdtempSync(join(tmpdir(), 'governor-calibrate-'));
  let standIn: GeminiStandIn;
  const env: NodeJS.ProcessEnv = {};
  const cli = governorCli(() => env);

  beforeAll(async () => {
    standIn = await startGeminiStandIn();
  });
  afterAll(() => standIn.close());

  it('sweeps thresholds on the shipped set and recommends the hashing default', async () => {
    const human = await cli('cache', 'calibrate', fixture);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/recommended threshold: 0\.90 \(false reuse 0\.0 % ≤ 0\.1 %/);
    expect(human.stdout).toMatch(/swapped-order\s+distinct\s+0\/44/);
    const json = JSON.parse((await cli('cache', 'calibrate', fixture, '--json', '--max-false-reuse', '0.05')).stdout) as { recommendedThreshold: number; rows: { threshold: number }[]; embedder: string };
    expect(json.embedder).toBe('hashing-v2-768');
    expect(json.rows).toHaveLength(51);
    expect(json.recommendedThreshold).toBeGreaterThan(0.5);
  });

  it('embeds through Gemini with --embedder gemini', async () => {
    Object.assign(env, { GOVERNOR_GEMINI_ENDPOINT: standIn.baseUrl, GEMINI_API_KEY: 'test-api-key' });
    const result = await cli('cache', 'calibrate', fixture, '--embedder', 'gemini', '--json');
    expect(result.stderr).toBe('');
    const json = JSON.parse(result.stdout) as { embedder: string; defaultThreshold: number; recommendedThreshold: number };
    expect(json).toMatchObject({ embedder: 'gemini-gemini-embedding-001-768', defaultThreshold: 0.95 });
    // The stand-in plays the model with hashing vectors; Gemini is not lexical, so prompts with other
    // content words are compared too and the sweep differs from hashing's (0.90).
    expect(json.recommendedThreshold).toBe(0.88);
    expect(standIn.requests.length).toBeGreaterThanOrEqual(1);
    expect(standIn.requests[0]!.body.requests[0]!.taskType).toBe('SEMANTIC_SIMILARITY');
  });

  it('refuses a bad file naming the line, a bad embedder and a bad bound', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, [JSON.stringify({ a: 'x', b: 'y', reuse: true, category: 'case' }), JSON.stringify({ a: 'x', b: 'y', reuse: 'yes', category: 'case' })].join('\n'));
    expect(await cli('cache', 'calibrate', bad)).toMatchObject({ status: 1, stderr: expect.stringMatching(/line 2: reuse: .*nothing was calibrated/) });
    expect(await cli('cache', 'calibrate', fixture, '--embedder', 'word2vec')).toMatchObject({ status: 1, stderr: expect.stringMatching(/--embedder "word2vec": hashing or gemini/) });
    expect(await cli('cache', 'calibrate', fixture, '--max-false-reuse', '5')).toMatchObject({ status: 1, stderr: expect.stringMatching(/--max-false-reuse "5"/) });
  });
});
