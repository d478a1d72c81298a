import {
  cpuSeconds,
  machineCpuBusy,
  machineCpuTimes,
  residentSetBytes,
  sampleResidentPeak,
} from './procStats';

describe('residentSetBytes', () => {
  it('reads this process’s resident set, as the kernel counts it', () => {
    const bytes = residentSetBytes(process.pid);
    // At least V8's heap in use lives in resident pages.
    expect(bytes).toBeGreaterThanOrEqual(process.memoryUsage().heapUsed);
  });

  it('is 0 for a process that does not exist', () => {
    expect(residentSetBytes(2 ** 30)).toBe(0);
  });
});

describe('sampleResidentPeak', () => {
  it('counts memory taken up to the moment it is stopped', () => {
    const before = residentSetBytes(process.pid);
    const stop = sampleResidentPeak(process.pid, 1000);
    // Written, so its pages are resident; before the first interval.
    const held = Buffer.alloc(64 * 1024 * 1024, 1);
    const peak = stop();
    expect(peak - before).toBeGreaterThanOrEqual(held.length * 0.9);
  });
});

describe('cpuSeconds', () => {
  it('grows by the CPU time this process spends', () => {
    const before = cpuSeconds(process.pid);
    const started = process.cpuUsage();
    let spin = 0;
    while (process.cpuUsage(started).user < 200_000) spin += 1;
    expect(spin).toBeGreaterThan(0);
    // /proc counts in clock ticks (10 ms): allow one tick each side.
    expect(cpuSeconds(process.pid) - before).toBeGreaterThanOrEqual(0.18);
  });

  it('is NaN for a process that does not exist', () => {
    expect(cpuSeconds(2 ** 30)).toBeNaN();
  });
});

describe('machineCpuBusy', () => {
  it('gives the busy and kernel shares between two readings', () => {
    expect(
      machineCpuBusy(
        { kernel: 100, user: 200, total: 1000 },
        { kernel: 130, user: 250, total: 1100 },
      ),
    ).toEqual({ busy: 0.8, kernel: 0.3 });
  });

  it('reads the machine’s counters, which only grow', () => {
    const before = machineCpuTimes();
    const after = machineCpuTimes();
    expect(before.total).toBeGreaterThan(0);
    expect(after.total).toBeGreaterThanOrEqual(before.total);
    expect(before.kernel + before.user).toBeLessThanOrEqual(before.total);
  });
});
