/*
 * The bench histograms (kern/bench.c) against a model: random sample
 * sets, sorted by the C library, percentiles by the textbook nearest-rank
 * definition; the edge counts (1, 2, 100, 101 samples) by hand; samples
 * past the buffer counted, not kept; power-of-two buckets.
 */
#include <stdlib.h>

#include "kern/bench.h"
#include "unit.h"

static unsigned int lcg(unsigned int *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The smallest sample with at least p % of them at or below it. */
static uint64_t model_percentile(const uint64_t *sorted, unsigned int n,
				 unsigned int p)
{
	for (unsigned int i = 0; i < n; i++) {
		if ((unsigned long long)(i + 1) * 100 >=
		    (unsigned long long)p * n) {
			return sorted[i];
		}
	}
	return 0;
}

TEST(bench_summary_matches_model)
{
	static uint64_t buf[3000], copy[3000];
	unsigned int seed = 12345;

	for (int round = 0; round < 200; round++) {
		struct bench_hist h;
		struct bench_summary s;
		unsigned int n = 1 + (unsigned int)lcg(&seed) % 3000;

		bench_hist_init(&h, "model", buf, 3000);
		for (unsigned int i = 0; i < n; i++) {
			/* Heavy tail and repeats, as latencies have. */
			uint64_t v = (uint64_t)lcg(&seed) % 64;

			if (lcg(&seed) % 50 == 0) {
				v <<= 20;
			}
			copy[i] = v;
			bench_hist_add(&h, v);
		}
		qsort(copy, n, sizeof(copy[0]), cmp_u64);
		bench_hist_summarize(&h, &s);
		CHECK_EQ_INT(s.n, n);
		CHECK_EQ_INT(s.min, copy[0]);
		CHECK_EQ_INT(s.max, copy[n - 1]);
		CHECK_EQ_INT(s.median, model_percentile(copy, n, 50));
		CHECK_EQ_INT(s.p99, model_percentile(copy, n, 99));
		for (unsigned int i = 0; i < n; i++) {
			REQUIRE_EQ_INT(buf[i], copy[i]); /* sorted in place */
		}
	}
}

TEST(bench_summary_edges)
{
	uint64_t buf[101];
	struct bench_hist h;
	struct bench_summary s;

	bench_hist_init(&h, "edges", buf, 101);
	bench_hist_summarize(&h, &s);
	CHECK(s.n == 0 && s.min == 0 && s.median == 0 && s.max == 0);

	bench_hist_add(&h, 7);
	bench_hist_summarize(&h, &s);
	CHECK(s.min == 7 && s.median == 7 && s.p99 == 7 && s.max == 7);

	bench_hist_add(&h, 3); /* two: the median is the lower one */
	bench_hist_summarize(&h, &s);
	CHECK_EQ_INT(s.median, 3);
	CHECK_EQ_INT(s.p99, 7);

	bench_hist_init(&h, "edges", buf, 101);
	for (uint64_t v = 100; v >= 1; v--) { /* 1..100, backwards */
		bench_hist_add(&h, v);
	}
	bench_hist_summarize(&h, &s);
	CHECK_EQ_INT(s.median, 50);
	CHECK_EQ_INT(s.p99, 99);
	bench_hist_add(&h, 101); /* 101 samples: rank ceil(99.99) = 100 */
	bench_hist_summarize(&h, &s);
	CHECK_EQ_INT(s.median, 51);
	CHECK_EQ_INT(s.p99, 100);
	CHECK_EQ_INT(s.max, 101);
}

TEST(bench_past_the_buffer_is_counted)
{
	uint64_t buf[4] = {0};
	struct bench_hist h;
	struct bench_summary s;

	bench_hist_init(&h, "small", buf, 3);
	for (uint64_t v = 1; v <= 5; v++) {
		bench_hist_add(&h, v);
	}
	CHECK_EQ_INT(h.n, 3);
	CHECK_EQ_INT(h.dropped, 2);
	CHECK_EQ_INT(buf[3], 0); /* nothing written past cap */
	bench_hist_summarize(&h, &s);
	CHECK_EQ_INT(s.max, 3);
}

TEST(bench_buckets_are_powers_of_two)
{
	uint64_t buf[6] = {0, 1, 2, 3, 4, UINT64_MAX};
	unsigned int counts[BENCH_BUCKETS];
	struct bench_hist h;

	CHECK_EQ_INT(bench_bucket(0), 0);
	CHECK_EQ_INT(bench_bucket(1), 1);
	CHECK_EQ_INT(bench_bucket(3), 2);
	CHECK_EQ_INT(bench_bucket(1024), 11);
	CHECK_EQ_INT(bench_bucket(UINT64_MAX), 64);
	bench_hist_init(&h, "b", buf, 6);
	h.n = 6;
	bench_hist_buckets(&h, counts);
	CHECK_EQ_INT(counts[0], 1);
	CHECK_EQ_INT(counts[1], 1);
	CHECK_EQ_INT(counts[2], 2);
	CHECK_EQ_INT(counts[3], 1);
	CHECK_EQ_INT(counts[64], 1);
}
