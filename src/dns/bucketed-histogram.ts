// A Prometheus histogram whose observations are bucketed elsewhere and read when scraped: the DNS hot
// path adds to preallocated arrays, and prom-client's Histogram can only observe one value at a time.
import type { Metric, Registry } from 'prom-client';

export interface Bucketed {
  /** Observations per bucket (not cumulative); one more than the bounds: the last is above them all. */
  readonly counts: Float64Array;
  /** The sum of every observation. */
  readonly sum: number;
}

export interface BucketedHistogramOptions {
  name: string;
  help: string;
  /** Upper bounds of the buckets, ascending. */
  bounds: readonly number[];
  read: () => Bucketed;
}

interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * Registers the histogram as a collector: prom-client's registry asks each metric for its samples with
 * get() (the shape of getMetricsAsJSON), which is all this implements.
 */
export function registerBucketedHistogram(registry: Registry, o: BucketedHistogramOptions): void {
  const bucket = `${o.name}_bucket`;
  const collector = {
    name: o.name,
    help: o.help,
    type: 'histogram',
    aggregator: 'sum',
    reset: (): void => undefined,
    get: () => {
      const { counts, sum } = o.read();
      let total = 0;
      const values: Sample[] = o.bounds.map((le, i) => {
        total += counts[i]!;
        return { metricName: bucket, labels: { le }, value: total };
      });
      total += counts[o.bounds.length]!;
      values.push(
        { metricName: bucket, labels: { le: '+Inf' }, value: total },
        { metricName: `${o.name}_sum`, labels: {}, value: sum },
        { metricName: `${o.name}_count`, labels: {}, value: total },
      );
      return Promise.resolve({ name: o.name, help: o.help, type: 'histogram', aggregator: 'sum', values });
    },
  };
  registry.registerMetric(collector as unknown as Metric);
}
