/*
 * Measuring a clock against a reference (calibrate.h).
 *
 * Why bracketed reads: the old measurement started a one-shot interval
 * and polled for its end, so a vCPU descheduled anywhere in the window
 * saw the end late (too many ticks) or started late (too few), and under
 * a loaded host 4 boots in 10 kept a rate 22-27 % fast. Here each end of
 * a window is one read of the reference between two reads of the clock:
 * the reference was read somewhere inside that bracket, so the window's
 * error is at most half of each bracket plus one reference count,
 * whatever happened in between. A wide bracket (descheduled there) only
 * makes the bound worse, and the window with the best bound is kept.
 *
 * A short counter (the PIT's 16 bits wrap every 55 ms) can wrap unseen
 * during a long gap between two reads; a window with such a gap is not
 * used (the two rules in window_ok).
 */
#include "drivers/timer/calibrate.h"

struct sample {
	uint64_t count;	 /* the reference */
	uint64_t t0, t1; /* the clock before and after */
};

struct window {
	uint64_t cycles;     /* clock, between the end samples' midpoints */
	uint64_t counts;     /* reference counts, over the same span */
	uint64_t err_cycles; /* the bound on |cycles - true| */
	uint64_t max_gap;    /* longest span with no read of the reference */
};

#define END_SAMPLES 5 /* of which the tightest ends the window (and starts) */

static void take(uint64_t (*clock)(void), const struct timer_reference *ref,
		 struct sample *s)
{
	s->t0 = clock();
	s->count = ref->read(ref);
	s->t1 = clock();
}

static uint64_t width(const struct sample *s)
{
	return s->t1 - s->t0;
}

static uint64_t mid(const struct sample *s)
{
	return s->t0 + width(s) / 2;
}

/*
 * One window: the tightest of the first END_SAMPLES reads starts it, the
 * tightest of END_SAMPLES reads once the reference has advanced a
 * window's worth ends it; every read in between accumulates the counter
 * modulo its width. Returns CALIBRATE_OK, CALIBRATE_NOT_COUNTING if the
 * reference never changed, CALIBRATE_NO_GOOD if the poll bound ran out.
 */
static enum calibrate_status measure(uint64_t (*clock)(void),
				     const struct timer_reference *ref,
				     struct window *w)
{
	uint64_t mask = (1ull << ref->bits) - 1;
	uint64_t target = ref->freq * CALIBRATE_WINDOW_MS / 1000;
	uint64_t counts = 0, end_counts = 0;
	struct sample prev, cur, start, end = {0};
	unsigned int after = 0;
	bool moved = false;

	take(clock, ref, &prev);
	start = prev;
	w->max_gap = 0;
	for (long i = 1; i < CALIBRATE_POLL_LIMIT && after < END_SAMPLES; i++) {
		uint64_t d;

		take(clock, ref, &cur);
		d = (cur.count - prev.count) & mask;
		moved |= d != 0;
		counts += d;
		if (cur.t1 - prev.t0 > w->max_gap) {
			w->max_gap = cur.t1 - prev.t0;
		}
		prev = cur;
		if (i < END_SAMPLES && width(&cur) < width(&start)) {
			start = cur;
			counts = 0;
		} else if (counts >= target &&
			   (after++ == 0 || width(&cur) < width(&end))) {
			end = cur;
			end_counts = counts;
		}
	}
	if (!moved) {
		return CALIBRATE_NOT_COUNTING;
	}
	if (after < END_SAMPLES || end_counts == 0) {
		return CALIBRATE_NO_GOOD;
	}
	w->cycles = mid(&end) - mid(&start);
	w->counts = end_counts;
	/* Half of each bracket, plus one count of the reference. */
	w->err_cycles =
	    width(&start) / 2 + width(&end) / 2 + w->cycles / end_counts + 1;
	return CALIBRATE_OK;
}

/*
 * Could a wrap of the reference have passed unseen? Only in a gap of at
 * least one wrap period. A gap over half the window is that suspect when
 * a window is a large part of a wrap (the PIT); a gap over half a wrap
 * period at this window's own rate, always. (A wrap missed in a window
 * over twice the wrap period inflates the rate, and the gap with it.)
 */
static bool window_ok(const struct window *w, const struct timer_reference *ref)
{
	uint64_t wrap = 1ull << ref->bits;
	uint64_t target = ref->freq * CALIBRATE_WINDOW_MS / 1000;

	if (w->cycles == 0) {
		return false;
	}
	if (target * 8 >= wrap && w->max_gap * 2 > w->cycles) {
		return false;
	}
	return w->max_gap * 2 < calibrate_muldiv(w->cycles, wrap, w->counts);
}

/* Of the good windows so far, the best bound, and how many agree with
 * it (itself included). */
static unsigned int best_of(const uint64_t *hz, const uint32_t *err,
			    unsigned int n, unsigned int *best)
{
	unsigned int agree = 0;

	*best = 0;
	for (unsigned int i = 1; i < n; i++) {
		if (err[i] < err[*best]) {
			*best = i;
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		uint64_t apart = calibrate_ppm_apart(hz[i], hz[*best]);

		if (apart <=
		    (uint64_t)err[i] + err[*best] + CALIBRATE_MAX_AGREE) {
			agree++;
		}
	}
	return agree;
}

void clock_calibrate(uint64_t (*clock)(void), const struct timer_reference *ref,
		     unsigned int want, struct calibrate_result *out)
{
	uint64_t hz[CALIBRATE_MAX_TRIES];
	uint32_t err[CALIBRATE_MAX_TRIES];
	unsigned int n = 0, best = 0;

	*out = (struct calibrate_result){.status = CALIBRATE_NO_GOOD};
	if (ref->start && ref->start(ref) < 0) {
		out->status = CALIBRATE_START_FAILED;
		return;
	}
	while (out->tried < CALIBRATE_MAX_TRIES) {
		struct window w;
		enum calibrate_status st = measure(clock, ref, &w);

		out->tried++;
		if (st == CALIBRATE_NOT_COUNTING) {
			out->status = st;
			return;
		}
		if (st != CALIBRATE_OK || !window_ok(&w, ref)) {
			continue;
		}
		err[n] =
		    (uint32_t)calibrate_muldiv(w.err_cycles, 1000000, w.cycles);
		if (err[n] > CALIBRATE_MAX_ERR) {
			continue;
		}
		hz[n++] = calibrate_muldiv(w.cycles, ref->freq, w.counts);
		out->good = n;
		out->agreeing = best_of(hz, err, n, &best);
		out->hz = hz[best];
		out->err_ppm = err[best];
		if (out->agreeing >= want) {
			out->status = CALIBRATE_OK;
			return;
		}
	}
	out->status = n ? CALIBRATE_DISAGREE : CALIBRATE_NO_GOOD;
}

const char *calibrate_status_name(enum calibrate_status status)
{
	switch (status) {
	case CALIBRATE_OK:
		return "ok";
	case CALIBRATE_NOT_COUNTING:
		return "not counting";
	case CALIBRATE_NO_GOOD:
		return "no window with a tight bound";
	case CALIBRATE_DISAGREE:
		return "windows disagree";
	case CALIBRATE_START_FAILED:
		return "could not start";
	}
	return "?";
}
