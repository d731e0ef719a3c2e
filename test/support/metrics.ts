import { bearer, call } from './client';
import { TEST_METRICS_TOKEN } from './server';

/** The value of one sample in Prometheus text (`labels` as written, e.g. `state="scanned"`), or undefined. */
export function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** GET `base`/metrics as a scraper with the test nodes' METRICS_TOKEN. */
export const scrapeMetrics = (base: string) => call(base, 'GET', '/metrics', { headers: bearer(TEST_METRICS_TOKEN) });

/** Scrapes `base`/metrics until `name` satisfies `check` (every 50 ms, 10 s at most); resolves the last value. */
export async function waitForMetric(base: string, name: string, check: (value: number | undefined) => boolean): Promise<number | undefined> {
  const deadline = Date.now() + 10000;
  for (;;) {
    const value = sample((await scrapeMetrics(base)).body as string, name);
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
