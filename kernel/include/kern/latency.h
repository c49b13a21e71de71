/*
 * Latency probes (the shell's `bench`, docs/bench.md): each takes samples
 * in clocksource cycles (time_cycles(), kern/ktimer.h) into a histogram
 * (kern/bench.h). Called from a thread that may sleep; the probes run in
 * threads of their own at LATENCY_PRIO, above everything but threaded
 * interrupt handlers, so background threads (`spin`) do not distort them.
 */
#ifndef KERN_LATENCY_H
#define KERN_LATENCY_H

#include "kern/bench.h"
#include "kern/sched.h"

#define LATENCY_PRIO	    (PRIO_IRQ - 1)
#define LATENCY_MAX_SAMPLES 2000

enum latency_probe {
	LAT_TIMER_HANDLER, /* a ktimer's deadline -> its function runs */
	LAT_TIMER_THREAD,  /* the deadline -> the thread it woke runs */
	/* the same while a PRIO_LOW thread is busy (it must be preempted),
	 * woken from the timer's function, and from a tasklet it scheduled */
	LAT_BUSY_THREAD,
	LAT_BUSY_TASKLET,
	LAT_IRQ_HANDLER, /* irq_set_pending() -> the line's handler runs */
	LAT_IRQ_THREAD,	 /* that handler -> the thread it woke runs */
	LAT_SWITCH,	 /* half a ping-pong round trip between 2 threads */
	/* SMP, skipped on 1 CPU: a call-function IPI to another CPU -> its
	 * handler's reply (a flag) seen by the sender; a thread pinned on
	 * another CPU woken -> it runs there (the reschedule IPI's path) */
	LAT_IPI_REPLY,
	LAT_IPI_WAKE,
	LAT_PROBES,
};

struct latency_report {
	struct bench_hist hist[LAT_PROBES];
	/* NULL, or why the probe stopped short of its samples. */
	const char *error[LAT_PROBES];
	/* NULL, or why the probe did not run at all (1 CPU online). */
	const char *skipped[LAT_PROBES];
	unsigned int ipi_from, ipi_to; /* the CPUs the IPI probes used */
	unsigned long early; /* timer functions run before their deadline */
	/* Wakes the waiter missed: it ran only at its own timeout (1 s). */
	unsigned long lost_wakeups;
	int irq; /* the line the interrupt probes raised, or -errno */
};

/* The probe's short name, as the table prints it ("timer>handler"). */
const char *latency_probe_name(enum latency_probe p);

/*
 * Take samples (1..LATENCY_MAX_SAMPLES) of every probe into r, whose
 * histograms use buffers of this file's (one run at a time). 0, -EINVAL,
 * -EBUSY (a run is in progress), or -ENOMEM (no thread could be made);
 * a probe that fails part-way says so in r->error and keeps what it got.
 */
int latency_measure(struct latency_report *r, unsigned int samples);

#endif
