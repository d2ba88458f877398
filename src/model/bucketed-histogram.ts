// A Prometheus histogram counted in plain arrays and read when scraped: a hot path (a DNS answer, an API
// request) adds to preallocated buckets, and prom-client's Histogram costs a label lookup per observation
// and can only observe one value at a time.
import type { Metric, Registry } from 'prom-client';

/** Observations by bucket (not cumulative; the last is above every bound) and their sum. */
export class Buckets {
  readonly bounds: readonly number[];
  readonly counts: Float64Array;
  sum = 0;

  /** `bounds`: the buckets' upper bounds, ascending. */
  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** `n` observations of `value` each (several DNS datagrams of one batch share its time). */
  observe(value: number, n = 1): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]! += n;
    this.sum += value * n;
  }
}

export interface BucketedHistogramOptions {
  name: string;
  help: string;
  /** The histograms to show, each with its labels (none for a histogram without labels). */
  read: () => Iterable<[labels: Record<string, string>, buckets: Buckets]>;
}

interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * Registers the histograms as one collector: prom-client's registry asks each metric for its samples
 * with get() (the shape of getMetricsAsJSON), which is all this implements.
 */
export function registerBucketedHistogram(registry: Registry, o: BucketedHistogramOptions): void {
  const bucket = `${o.name}_bucket`;
  const samples = (labels: Record<string, string>, { bounds, counts, sum }: Buckets): Sample[] => {
    let total = 0;
    const values: Sample[] = bounds.map((le, i) => {
      total += counts[i]!;
      return { metricName: bucket, labels: { ...labels, le }, value: total };
    });
    total += counts[bounds.length]!;
    values.push(
      { metricName: bucket, labels: { ...labels, le: '+Inf' }, value: total },
      { metricName: `${o.name}_sum`, labels, value: sum },
      { metricName: `${o.name}_count`, labels, value: total },
    );
    return values;
  };
  const collector = {
    name: o.name,
    help: o.help,
    type: 'histogram',
    aggregator: 'sum',
    reset: (): void => undefined,
    get: () => {
      const values = [...o.read()].flatMap(([labels, buckets]) => samples(labels, buckets));
      return Promise.resolve({ name: o.name, help: o.help, type: 'histogram', aggregator: 'sum', values });
    },
  };
  registry.registerMetric(collector as unknown as Metric);
}
