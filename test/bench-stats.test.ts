import { mean, medianOf, percentile, summarize } from '../bench/lib/stats';

describe('the statistics behind the benchmark figures', () => {
  const samples = Array.from({ length: 200 }, (_, i) => 200 - i); // 200 … 1, unsorted order

  test('percentiles are nearest-rank over the sorted samples', () => {
    expect(percentile(samples, 50)).toBe(100);
    expect(percentile(samples, 99)).toBe(198);
    expect(percentile(samples, 100)).toBe(200);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  test('a summary has p50, p99, mean and the sample count', () => {
    expect(summarize(samples)).toEqual({ p50: 100, p99: 198, mean: 100.5, samples: 200 });
    expect(mean([1, 2, 6])).toBe(3);
  });

  test('runs are combined field by field, each field its own median', () => {
    const runs = [
      { a: 1, b: 30 },
      { a: 5, b: 10 },
      { a: 3, b: 20 },
    ];
    expect(medianOf(runs)).toEqual({ a: 3, b: 20 });
    expect(() => medianOf([])).toThrow('no runs');
  });
});
