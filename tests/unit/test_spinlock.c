/*
 * Spinlocks (kern/spinlock.c): holding one means interrupts are off on
 * this CPU, nesting restores what was there, and getting the nesting
 * wrong panics. The interrupt flag and the CPU number are the fakes',
 * per host thread: the tests with pthreads run each thread as a CPU.
 * Underneath, a ticket lock serves CPUs in the order they asked.
 */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#include "kern/spinlock.h"
#include "fake_arch.h"
#include "unit.h"

static struct spinlock fake_lock_a = SPINLOCK_INIT("lock-a");
static struct spinlock fake_lock_b = SPINLOCK_INIT("lock-b");

static void fake_locks_reset(void)
{
	fake_arch_reset();
	spin_held_reset(); /* a panic test leaves its lock counted */
	spin_lock_init(&fake_lock_a, "lock-a");
	spin_lock_init(&fake_lock_b, "lock-b");
}

TEST(spinlock_irqsave_turns_interrupts_off)
{
	unsigned long flags;

	fake_locks_reset();
	CHECK(!spin_is_held(&fake_lock_a));
	flags = spin_lock_irqsave(&fake_lock_a);
	CHECK(!fake_irqs_on);
	CHECK(flags != 0); /* "they were on" */
	CHECK(spin_is_held(&fake_lock_a));
	CHECK(!spin_is_held(&fake_lock_b));
	spin_unlock_irqrestore(&fake_lock_a, flags);
	CHECK(fake_irqs_on);
	CHECK(!spin_is_held(&fake_lock_a));

	/* Taken with interrupts already off: released, still off. */
	fake_irqs_on = false;
	flags = spin_lock_irqsave(&fake_lock_a);
	CHECK(flags == 0);
	CHECK(!fake_irqs_on);
	spin_unlock_irqrestore(&fake_lock_a, flags);
	CHECK(!fake_irqs_on);
	CHECK(!spin_is_held(&fake_lock_a));
	CHECK_EQ_INT(fake_panic_count(), 0);
}

TEST(spinlock_nesting_restores_in_order)
{
	unsigned long outer, inner;

	fake_locks_reset();
	outer = spin_lock_irqsave(&fake_lock_a);
	inner = spin_lock_irqsave(&fake_lock_b);
	CHECK(!fake_irqs_on);
	CHECK(spin_is_held(&fake_lock_a));
	CHECK(spin_is_held(&fake_lock_b));
	spin_unlock_irqrestore(&fake_lock_b, inner);
	CHECK(!fake_irqs_on); /* the outer lock is still held */
	CHECK(!spin_is_held(&fake_lock_b));
	CHECK(spin_is_held(&fake_lock_a));
	spin_unlock_irqrestore(&fake_lock_a, outer);
	CHECK(fake_irqs_on);
	CHECK_EQ_INT(fake_panic_count(), 0);
}

TEST(spinlock_held_is_per_cpu)
{
	unsigned long flags;

	fake_locks_reset();
	flags = spin_lock_irqsave(&fake_lock_a);
	fake_cpu_id = 1;
	CHECK(!spin_is_held(&fake_lock_a)); /* held, but by CPU 0 */
	/* CPU 1 may not release CPU 0's lock. */
	EXPECT_PANIC(spin_unlock_irqrestore(&fake_lock_a, flags));
	CHECK(strstr(fake_panic_message(), "lock-a") != NULL);
	fake_cpu_id = 0;
	CHECK(spin_is_held(&fake_lock_a));
	spin_unlock_irqrestore(&fake_lock_a, flags);
	CHECK(fake_irqs_on);
}

TEST(spinlock_taken_twice_panics)
{
	unsigned long flags;

	fake_locks_reset();
	flags = spin_lock_irqsave(&fake_lock_a);
	EXPECT_PANIC(spin_lock_irqsave(&fake_lock_a));
	CHECK(strstr(fake_panic_message(), "lock-a") != NULL);
	CHECK(strstr(fake_panic_message(), "taken twice") != NULL);
	CHECK_EQ_INT(fake_panic_count(), 1);
	/* The panic came before the lock was touched: still held once. */
	CHECK(spin_is_held(&fake_lock_a));
	spin_unlock_irqrestore(&fake_lock_a, flags);
	CHECK(fake_irqs_on);
}

TEST(spinlock_unlock_not_held_panics)
{
	fake_locks_reset();
	fake_irqs_on = false;
	EXPECT_PANIC(spin_unlock_irqrestore(&fake_lock_b, 1));
	CHECK(strstr(fake_panic_message(), "lock-b") != NULL);
	CHECK(strstr(fake_panic_message(), "not held") != NULL);
	/* It panicked before restoring anything. */
	CHECK(!fake_irqs_on);
}

TEST(spinlock_unlock_with_interrupts_on_panics)
{
	unsigned long flags;

	fake_locks_reset();
	flags = spin_lock_irqsave(&fake_lock_a);
	fake_irqs_on = true; /* someone turned them on while it was held */
	EXPECT_PANIC(spin_unlock_irqrestore(&fake_lock_a, flags));
	CHECK(strstr(fake_panic_message(), "lock-a") != NULL);
	CHECK(strstr(fake_panic_message(), "interrupts on") != NULL);
	fake_locks_reset();
}

TEST(spinlock_trylock)
{
	unsigned long flags = 0, other = 0;

	fake_locks_reset();
	CHECK(spin_trylock_irqsave(&fake_lock_a, &flags));
	CHECK(flags != 0);
	CHECK(!fake_irqs_on);
	CHECK(spin_is_held(&fake_lock_a));
	CHECK_EQ_INT(spin_held_count(), 1);

	/* CPU 1, interrupts on: the lock is busy, its flag comes back on. */
	fake_cpu_id = 1;
	fake_irqs_on = true;
	CHECK(!spin_trylock_irqsave(&fake_lock_a, &other));
	CHECK(fake_irqs_on);
	CHECK_EQ_INT(spin_held_count(), 0);

	/* Trying a lock this CPU holds is the same bug as taking it. */
	fake_cpu_id = 0;
	fake_irqs_on = false;
	EXPECT_PANIC(spin_trylock_irqsave(&fake_lock_a, &other));
	CHECK(strstr(fake_panic_message(), "lock-a") != NULL);
	CHECK(strstr(fake_panic_message(), "taken twice") != NULL);
	fake_irqs_on = false;
	spin_unlock_irqrestore(&fake_lock_a, flags);
	CHECK(fake_irqs_on);
	CHECK(!spin_is_held(&fake_lock_a));
	CHECK_EQ_INT(spin_held_count(), 0);
}

TEST(spinlock_ticket_served_in_order_taken)
{
	struct ticket_lock t = {0, 0};
	unsigned int first, tickets[3];

	first = ticket_take(&t);
	ticket_wait(&t, first); /* served at once: it was free */
	CHECK(ticket_is_locked(&t));
	CHECK(!ticket_trylock(&t));
	/* Three waiters queue up behind the holder. */
	for (unsigned int i = 0; i < 3; i++) {
		tickets[i] = ticket_take(&t);
		CHECK_EQ_INT(tickets[i], first + 1 + i);
	}
	for (unsigned int i = 0; i < 3; i++) {
		CHECK_EQ_INT(t.owner, i == 0 ? first : tickets[i - 1]);
		ticket_unlock(&t);
		CHECK_EQ_INT(t.owner, tickets[i]); /* the next in line, only */
		CHECK(ticket_is_locked(&t));
		ticket_wait(&t, tickets[i]);
	}
	ticket_unlock(&t);
	CHECK(!ticket_is_locked(&t));
	CHECK(ticket_trylock(&t));
	CHECK(ticket_is_locked(&t));
	ticket_unlock(&t);
	CHECK(!ticket_is_locked(&t));
}

TEST(spinlock_ticket_counters_wrap)
{
	struct ticket_lock t = {UINT_MAX, UINT_MAX};
	unsigned int a, b;

	a = ticket_take(&t);
	b = ticket_take(&t);
	CHECK(a == UINT_MAX);
	CHECK(b == 0);
	ticket_wait(&t, a);
	ticket_unlock(&t);
	CHECK(t.owner == 0);
	ticket_wait(&t, b);
	CHECK(ticket_is_locked(&t));
	ticket_unlock(&t);
	CHECK(!ticket_is_locked(&t));
	CHECK(ticket_trylock(&t));
	ticket_unlock(&t);
	CHECK(!ticket_is_locked(&t));
}

/* --- with host threads as CPUs ------------------------------------------ */

#define WAIT_LIMIT_S 30

/*
 * Until *word == want (another thread's doing), giving the CPU away; false
 * after WAIT_LIMIT_S seconds, so a broken lock fails rather than hangs.
 */
static bool wait_for_word(const unsigned int *word, unsigned int want)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != want) {
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > WAIT_LIMIT_S) {
			return false;
		}
	}
	return true;
}

/*
 * The threads take the lock with interrupts off (the already-off path):
 * with them on, the last unlock asks the scheduler to preempt, and the
 * scheduler's host state belongs to the main thread.
 */
static void fake_thread_as_cpu(unsigned int cpu)
{
	fake_cpu_id = cpu;
	fake_irqs_on = false;
}

#define FIFO_WAITERS 4

static struct spinlock fifo_lock = SPINLOCK_INIT("fifo");
static unsigned int fifo_order[FIFO_WAITERS];
static unsigned int fifo_served;
static unsigned int fifo_held_counts[FIFO_WAITERS];

static void *fifo_waiter(void *arg)
{
	unsigned int cpu = (unsigned int)(uintptr_t)arg;
	unsigned long flags;

	fake_thread_as_cpu(cpu);
	flags = spin_lock_irqsave(&fifo_lock);
	fifo_held_counts[fifo_served] = spin_held_count();
	fifo_order[fifo_served++] = cpu;
	spin_unlock_irqrestore(&fifo_lock, flags);
	return NULL;
}

/* CPU 0 holds the lock; CPUs 1-4 line up one at a time (each waits until
 * the previous one's ticket is taken); released, they get it in turn. */
TEST(spinlock_waiters_served_in_arrival_order)
{
	pthread_t threads[FIFO_WAITERS];
	unsigned long flags;
	unsigned int started = 0;

	fake_locks_reset();
	spin_lock_init(&fifo_lock, "fifo");
	fifo_served = 0;
	flags = spin_lock_irqsave(&fifo_lock);
	for (; started < FIFO_WAITERS; started++) {
		if (pthread_create(&threads[started], NULL, fifo_waiter,
				   (void *)(uintptr_t)(started + 1)) != 0) {
			break;
		}
		if (!wait_for_word(&fifo_lock.ticket.next, started + 2)) {
			started++;
			break;
		}
	}
	CHECK_EQ_INT(started, FIFO_WAITERS);
	CHECK_EQ_INT(fifo_lock.ticket.next, FIFO_WAITERS + 1);
	CHECK_EQ_INT(fifo_served, 0); /* all of them still wait */
	spin_unlock_irqrestore(&fifo_lock, flags);
	for (unsigned int i = 0; i < started; i++) {
		pthread_join(threads[i], NULL);
	}
	REQUIRE_EQ_INT(fifo_served, FIFO_WAITERS);
	for (unsigned int i = 0; i < FIFO_WAITERS; i++) {
		CHECK_EQ_INT(fifo_order[i], i + 1);
		CHECK_EQ_INT(fifo_held_counts[i], 1); /* its own CPU's count */
	}
	CHECK(!spin_is_held(&fifo_lock));
	CHECK_EQ_INT(spin_held_count(), 0);
	CHECK_EQ_INT(fake_panic_count(), 0);
}

#define COUNT_THREADS 3
#define COUNT_ROUNDS  20000

static struct spinlock count_lock = SPINLOCK_INIT("count");
static unsigned long count_value;
static unsigned int count_inside;
static unsigned int count_overlaps;

/* Read, dawdle, write back: two holders at once would lose updates. */
static void *count_worker(void *arg)
{
	fake_thread_as_cpu((unsigned int)(uintptr_t)arg);
	for (unsigned int i = 0; i < COUNT_ROUNDS; i++) {
		unsigned long flags = spin_lock_irqsave(&count_lock);
		unsigned long v = count_value;

		if (__atomic_fetch_add(&count_inside, 1, __ATOMIC_RELAXED)) {
			__atomic_fetch_add(&count_overlaps, 1,
					   __ATOMIC_RELAXED);
		}
		for (volatile unsigned int spin = 0; spin < 20; spin++) {
		}
		count_value = v + 1;
		__atomic_fetch_sub(&count_inside, 1, __ATOMIC_RELAXED);
		spin_unlock_irqrestore(&count_lock, flags);
	}
	return NULL;
}

TEST(spinlock_counter_exact_across_threads)
{
	pthread_t threads[COUNT_THREADS];
	unsigned int started = 0;

	fake_locks_reset();
	spin_lock_init(&count_lock, "count");
	count_value = 0;
	count_overlaps = 0;
	for (; started < COUNT_THREADS; started++) {
		if (pthread_create(&threads[started], NULL, count_worker,
				   (void *)(uintptr_t)(started + 1)) != 0) {
			break;
		}
	}
	CHECK_EQ_INT(started, COUNT_THREADS);
	for (unsigned int i = 0; i < started; i++) {
		pthread_join(threads[i], NULL);
	}
	CHECK_EQ_INT(count_overlaps, 0);
	CHECK(count_value == (unsigned long)started * COUNT_ROUNDS);
	CHECK(!ticket_is_locked(&count_lock.ticket));
	CHECK_EQ_INT(count_lock.ticket.next, started * COUNT_ROUNDS);
	CHECK_EQ_INT(fake_panic_count(), 0);
}
