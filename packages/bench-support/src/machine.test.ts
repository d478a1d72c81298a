import { describeLoad, loadAverage } from './machine';

describe('loadAverage', () => {
  it('writes the 1, 5 and 15 minute load averages with one decimal', () => {
    expect(loadAverage()).toMatch(/^\d+\.\d \/ \d+\.\d \/ \d+\.\d$/);
  });
});

describe('describeLoad', () => {
  it('says the numbers are bounds when other work kept the cores busy as the run began', () => {
    expect(describeLoad('14.2 / 12.0 / 9.8', '15.0 / 12.5 / 10.1', 2)).toBe(
      'Load average (1 / 5 / 15 min) 14.2 / 12.0 / 9.8 before, 15.0 / 12.5 / 10.1 after: other work already kept the 2 cores busy when it began, so rates are lower bounds and latencies upper bounds.',
    );
  });

  it('says the cores were nearly idle when the load began below half of them', () => {
    expect(describeLoad('0.4 / 1.2 / 2.0', '1.9 / 1.4 / 2.0', 2)).toBe(
      'Load average (1 / 5 / 15 min) 0.4 / 1.2 / 2.0 before, 1.9 / 1.4 / 2.0 after: the 2 cores were nearly idle when it began.',
    );
  });
});
