/*
 * Measuring one clock against another (a reference, kern/timer.h): the
 * rate of a free-running counter such as the TSC, with a bound on the
 * error of each measurement. Pure code over two read functions, so that
 * the host tests drive it with simulated clocks and a simulated
 * descheduled vCPU.
 */
#ifndef DRIVERS_TIMER_CALIBRATE_H
#define DRIVERS_TIMER_CALIBRATE_H

#include "kern/compiler.h"
#include "kern/timer.h"

#define CALIBRATE_WINDOW_MS 10
#define CALIBRATE_MAX_ERR   1000 /* ppm: a worse window is not kept */
/* ppm two windows may differ by, beyond their bounds */
#define CALIBRATE_MAX_AGREE  300
#define CALIBRATE_MAX_TRIES  16	      /* windows tried, at most */
#define CALIBRATE_POLL_LIMIT 10000000 /* reads of the reference per window */

enum calibrate_status {
	CALIBRATE_OK,
	CALIBRATE_NOT_COUNTING, /* the reference never changed: not there */
	CALIBRATE_NO_GOOD,	/* no window had a tight enough bound */
	CALIBRATE_DISAGREE,	/* no two good windows agreed */
	CALIBRATE_START_FAILED,
};

struct calibrate_result {
	enum calibrate_status status;
	uint64_t hz;	       /* of the best window (smallest bound) */
	uint32_t err_ppm;      /* that window's error bound */
	unsigned int tried;    /* windows measured */
	unsigned int good;     /* of which within CALIBRATE_MAX_ERR */
	unsigned int agreeing; /* good windows agreeing with the best */
};

/*
 * Measure clock (a counter that only counts up, 64 bits) in Hz against
 * ref: windows of CALIBRATE_WINDOW_MS of the reference, each delimited
 * by reads of ref bracketed by reads of clock (the read happened between
 * the two; a vCPU descheduled there makes the bracket wide, not the
 * result wrong). The window with the smallest bound is kept once `want`
 * good windows agree with it; at most CALIBRATE_MAX_TRIES are measured.
 * Every loop is bounded.
 */
void clock_calibrate(uint64_t (*clock)(void), const struct timer_reference *ref,
		     unsigned int want, struct calibrate_result *out);

/* The status as a phrase for a boot message. */
const char *calibrate_status_name(enum calibrate_status status);

/* a * b / c without overflow for a < 2^63, b, c < 2^32ish; c != 0. */
static inline uint64_t calibrate_muldiv(uint64_t a, uint64_t b, uint64_t c)
{
	return a / c * b + a % c * b / c;
}

/* |a - b| in ppm of b (b != 0). */
static inline uint64_t calibrate_ppm_apart(uint64_t a, uint64_t b)
{
	return calibrate_muldiv(a > b ? a - b : b - a, 1000000, b);
}

#endif
