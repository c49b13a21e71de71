/*
 * Waiting and waking: wait queues, completions, counting semaphores and
 * mutexes. Every wait takes a timeout in nanoseconds (WAIT_FOREVER for
 * none) and returns 0 or -ETIMEDOUT. Waits may only be called where
 * might_sleep() allows; wakes may be called from anywhere, interrupt
 * handlers included.
 */
#ifndef KERN_WAIT_H
#define KERN_WAIT_H

#include "kern/compiler.h"
#include "kern/spinlock.h"

#define WAIT_FOREVER UINT64_MAX

struct thread;

struct wait_entry;
struct wait_queue {
	struct spinlock lock;
	struct wait_entry *head, *tail;
	const char *name; /* what `ps` says a waiter waits on */
};

#define WAIT_QUEUE_INIT(n)                                                     \
	{                                                                      \
		.lock = SPINLOCK_INIT(n), .head = NULL, .tail = NULL,          \
		.name = (n)                                                    \
	}

void wait_queue_init(struct wait_queue *wq, const char *name);

/*
 * Sleep until cond(arg) is true, checked under wq->lock before each sleep,
 * so a wake between the check and the sleep is not lost. The waker makes
 * the condition true, then calls wake_up_*.
 */
int wait_event_timeout(struct wait_queue *wq, bool (*cond)(void *arg),
		       void *arg, uint64_t timeout_ns);
void wake_up_one(struct wait_queue *wq);
void wake_up_all(struct wait_queue *wq);

struct completion {
	struct wait_queue wq;
	unsigned int done;
};
void completion_init(struct completion *c, const char *name);
void complete(struct completion *c);	 /* one waiter (or the next) */
void complete_all(struct completion *c); /* all, now and later */
int wait_for_completion_timeout(struct completion *c, uint64_t timeout_ns);
void completion_reinit(struct completion *c);

struct semaphore {
	struct wait_queue wq;
	int count;
};
void sem_init(struct semaphore *s, int count, const char *name);
int sem_down_timeout(struct semaphore *s, uint64_t timeout_ns);
bool sem_trydown(struct semaphore *s);
void sem_up(struct semaphore *s);

/*
 * A sleeping lock with an owner; priority inheritance: a waiter of higher
 * priority lends it to the owner until the owner unlocks (or the waiter
 * gives up). Chains are followed: if the owner itself waits for a mutex,
 * that one's owner is raised too, up to MUTEX_PI_DEPTH links.
 */
#define MUTEX_PI_DEPTH 8
struct mutex {
	struct wait_queue wq;
	struct thread *owner;
	struct mutex *held_next; /* the owner's other mutexes (PI) */
	bool handed;		 /* given by unlock to a waiter not yet run */
};
#define MUTEX_INIT(n)                                                          \
	{                                                                      \
		.wq = WAIT_QUEUE_INIT(n), .owner = NULL, .held_next = NULL,    \
		.handed = false                                                \
	}
void mutex_init(struct mutex *m, const char *name);
int mutex_lock_timeout(struct mutex *m, uint64_t timeout_ns);
void mutex_lock(struct mutex *m);
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m); /* panics if not the owner */
bool mutex_is_held(const struct mutex *m);

#endif
