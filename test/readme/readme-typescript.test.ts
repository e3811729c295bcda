import { readmeBlocks, isTypeScript } from './readme-blocks';
import { compileExamples, type CompiledExamples } from './typescript-examples';

/**
 * Every TypeScript example of the README compiles against the package as a dependent sees it:
 * `governor`, `governor/security`, … through package.json `exports` to the built types.
 */
describe('README TypeScript examples', () => {
  let compiled: CompiledExamples;
  beforeAll(() => {
    compiled = compileExamples(readmeBlocks());
  }, 120_000);
  afterAll(() => compiled?.remove());

  it('finds the examples', () => {
    expect(compiled.examples.length).toBe(readmeBlocks().filter(isTypeScript).length);
    expect(compiled.examples.length).toBeGreaterThan(0);
  });

  it('compiles every example, strict, against the package exports (a failure names the README line)', () => {
    expect(compiled.diagnostics).toEqual([]);
  });
});

describe('compileExamples', () => {
  const block = (line: number, lines: string[]) => ({ lang: 'ts', line, lines, annotation: undefined, section: 'Test' });

  it('fails an example that drifted from the package, naming the README line and the diagnostic', () => {
    const compiled = compileExamples([
      block(50, ["import { createPublisher } from 'governor';", "createPublisher({ source: 'a' }).recordCost({ category: 'AI_API_CALLS', dollars: 1 });"]),
      block(90, ["import { spendShards } from 'governor/store';"]),
      block(120, ['const reply = await ai.models.generateContent({ model: "gemini-2.5-flash", contents: prompt });', 'reply.response.usageMetadata;']),
    ]);
    try {
      expect(compiled.diagnostics).toEqual([
        expect.stringMatching(/^README line 51: .*'dollars' does not exist/),
        expect.stringMatching(/^README line 90: Cannot find module 'governor\/store'/),
        expect.stringMatching(/^README line 121: Property 'response' does not exist on type 'GenerateContentResponse'/),
      ]);
      expect(compiled.examples.map((e) => e.imports)).toEqual([[], [], ['ai', 'prompt']]);
    } finally {
      compiled.remove();
    }
  }, 120_000);
});

