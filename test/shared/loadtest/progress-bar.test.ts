import { PassThrough } from 'node:stream';
import { renderProgress, terminalProgress } from '../../../shared/loadtest/progress-bar';

const snapshot = { elapsedSeconds: 30, plannedSeconds: 60, requests: 300, failed: 3, rps: 10, p95Milliseconds: 42.42 };

describe('progress bar', () => {
  it('shows elapsed of planned, rate, p95 and errors', () => {
    expect(renderProgress(snapshot)).toBe(`${'█'.repeat(12)}${'░'.repeat(12)} 30/60 s  10 req/s  p95 42.4 ms  requests 300  errors 3 (1.0 %)`);
  });

  it('writes nothing when the stream is not a terminal, and redraws one line when it is', () => {
    const pipe = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
    const written: string[] = [];
    (pipe as unknown as PassThrough).on('data', (c: Buffer) => written.push(c.toString()));
    const quiet = terminalProgress(pipe);
    quiet.update(snapshot);
    quiet.done();
    expect(written).toEqual([]);

    const lines: string[] = [];
    const tty = { isTTY: true, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const bar = terminalProgress(tty);
    bar.update(snapshot);
    bar.done();
    expect(lines).toEqual([`\r\x1b[2K${renderProgress(snapshot)}`, '\r\x1b[2K']);
  });
});
