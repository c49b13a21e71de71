/*
 * Histograms of measurements: nearest-rank percentiles over the sorted
 * samples, and power-of-two buckets. The sort is a heapsort: in place, no
 * recursion, n log n however the samples came (a latency run is often
 * almost sorted, where a naive quicksort goes quadratic).
 */
#include "kern/bench.h"

void bench_hist_init(struct bench_hist *h, const char *name, uint64_t *buf,
		     unsigned int cap)
{
	h->name = name;
	h->samples = buf;
	h->cap = cap;
	h->n = 0;
	h->dropped = 0;
}

void bench_hist_add(struct bench_hist *h, uint64_t value)
{
	if (h->n < h->cap) {
		h->samples[h->n++] = value;
	} else {
		h->dropped++;
	}
}

/* Restore the max-heap below root, over a[0, n). */
static void sift_down(uint64_t *a, unsigned int root, unsigned int n)
{
	for (;;) {
		unsigned int child = 2 * root + 1;
		uint64_t t;

		if (child >= n) {
			return;
		}
		if (child + 1 < n && a[child + 1] > a[child]) {
			child++;
		}
		if (a[root] >= a[child]) {
			return;
		}
		t = a[root];
		a[root] = a[child];
		a[child] = t;
		root = child;
	}
}

static void heapsort_u64(uint64_t *a, unsigned int n)
{
	for (unsigned int i = n / 2; i-- > 0;) {
		sift_down(a, i, n);
	}
	for (unsigned int end = n; end-- > 1;) {
		uint64_t t = a[0];

		a[0] = a[end];
		a[end] = t;
		sift_down(a, 0, end);
	}
}

/* The nearest rank of percentile p (1..100) among n > 0 sorted samples:
 * ceil(p * n / 100), as an index. */
static unsigned int rank(unsigned int p, unsigned int n)
{
	unsigned long long r = ((unsigned long long)p * n + 99) / 100;

	return r ? (unsigned int)r - 1 : 0;
}

void bench_hist_summarize(struct bench_hist *h, struct bench_summary *s)
{
	s->n = h->n;
	if (h->n == 0) {
		s->min = s->median = s->p99 = s->max = 0;
		return;
	}
	heapsort_u64(h->samples, h->n);
	s->min = h->samples[0];
	s->median = h->samples[rank(50, h->n)];
	s->p99 = h->samples[rank(99, h->n)];
	s->max = h->samples[h->n - 1];
}

unsigned int bench_bucket(uint64_t value)
{
	unsigned int b = 0;

	while (value) {
		value >>= 1;
		b++;
	}
	return b;
}

void bench_hist_buckets(const struct bench_hist *h,
			unsigned int counts[BENCH_BUCKETS])
{
	for (unsigned int b = 0; b < BENCH_BUCKETS; b++) {
		counts[b] = 0;
	}
	for (unsigned int i = 0; i < h->n; i++) {
		counts[bench_bucket(h->samples[i])]++;
	}
}
