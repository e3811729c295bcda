import { tableLines } from '../../bin/commands/text-table';

describe('tableLines (the CLI tables)', () => {
  it('aligns columns two spaces apart, pads short rows, and leaves no trailing blanks', () => {
    expect(tableLines([['budget', 'spent', 'flag'], ['per-agent', '$1.00'], ['t', '$10.50', 'throttled']])).toEqual(['budget     spent   flag', 'per-agent  $1.00', 't          $10.50  throttled']);
  });

  it('prints nothing for no rows', () => {
    expect(tableLines([])).toEqual([]);
  });
});
