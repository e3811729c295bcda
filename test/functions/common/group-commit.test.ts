import { Coalescer } from '../../../functions/common/coalescer';
import { GroupCommitter } from '../../../functions/common/group-commit';
import { InjectedFault, maybeInjectFault } from '../../../functions/common/fault-injection';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('GroupCommitter', () => {
  it('commits at once when idle and batches what arrives while commits run', async () => {
    const commits: number[][] = [];
    let release: (() => void) | undefined;
    const committer = new GroupCommitter<number, number>(
      async (items) => {
        commits.push(items);
        if (commits.length === 1) await new Promise<void>((r) => (release = r));
        return commits.length;
      },
      { maxItems: 3, maxConcurrent: 1 },
    );
    const first = committer.submit(0);
    const rest = [1, 2, 3, 4, 5].map((n) => committer.submit(n));
    await tick();
    expect(commits).toEqual([[0]]);
    release?.();
    expect(await first).toBe(1);
    expect(await Promise.all(rest)).toEqual([2, 2, 2, 3, 3]);
    expect(commits).toEqual([[0], [1, 2, 3], [4, 5]]);
  });

  it('caps a commit by bytes as well as by count', async () => {
    const commits: number[][] = [];
    let release: (() => void) | undefined;
    const committer = new GroupCommitter<number, void>(
      async (items) => {
        commits.push(items);
        if (commits.length === 1) await new Promise<void>((r) => (release = r));
      },
      { maxItems: 10, maxConcurrent: 1, maxBytes: 100, sizeOf: (n) => n },
    );
    const all = [1, 60, 30, 20, 90, 200, 5].map((n) => committer.submit(n));
    await tick();
    release?.();
    await Promise.all(all);
    expect(commits).toEqual([[1], [60, 30], [20], [90], [200], [5]]);
  });

  it('rejects every item of a failed commit and goes on with the next', async () => {
    let calls = 0;
    const committer = new GroupCommitter<string, string>(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('firestore unavailable');
        return 'ok';
      },
      { maxItems: 10, maxConcurrent: 1 },
    );
    await expect(committer.submit('a')).rejects.toThrow('firestore unavailable');
    await expect(committer.submit('b')).resolves.toBe('ok');
  });
});

describe('Coalescer', () => {
  it('runs once for concurrent requests and again for requests made during a run', async () => {
    const runs: string[][] = [];
    let release: (() => void) | undefined;
    const coalescer = new Coalescer<string>(async (keys) => {
      runs.push([...keys].sort());
      if (runs.length === 1) await new Promise<void>((r) => (release = r));
    });
    const a = coalescer.request(['x']);
    await tick();
    const b = coalescer.request(['y']);
    const c = coalescer.request(['z', 'y']);
    release?.();
    await Promise.all([a, b, c]);
    expect(runs).toEqual([['x'], ['y', 'z']]);
  });

  it('rejects the callers of a failed run only', async () => {
    let fail = true;
    const coalescer = new Coalescer<string>(async () => {
      if (fail) {
        fail = false;
        throw new Error('boom');
      }
    });
    await expect(coalescer.request(['a'])).rejects.toThrow('boom');
    await expect(coalescer.request(['b'])).resolves.toBeUndefined();
  });
});

describe('fault injection', () => {
  it('throws with the configured probability', () => {
    expect(() => maybeInjectFault('before-commit', 0.2, () => 0.1)).toThrow(InjectedFault);
    expect(() => maybeInjectFault('before-commit', 0.2, () => 0.3)).not.toThrow();
    expect(() => maybeInjectFault('after-commit', 0, () => 0)).not.toThrow();
  });
});
