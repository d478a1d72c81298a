import { loadAverage } from './machine';

describe('loadAverage', () => {
  it('writes the 1, 5 and 15 minute load averages with one decimal', () => {
    expect(loadAverage()).toMatch(/^\d+\.\d \/ \d+\.\d \/ \d+\.\d$/);
  });
});
