// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - active references
 *
 * The state machine is described in active.h.
 */

#include <linux/atomic.h>
#include <linux/lockdep.h>
#include <linux/sched.h>
#include <linux/wait.h>

#include "active.h"

/**
 * __kdbus_active_init() - initialise an active-reference count
 * @active:	Count to initialise
 * @waitq:	Initialised wait queue of the owner, woken by the count
 * @name:	Name of the lockdep class
 * @key:	Lockdep class key, a static object
 *
 * Use kdbus_active_init(), which gives every call site its own class,
 * unless the owner picks the class itself. The count starts NEW: no
 * active reference can be taken until kdbus_active_activate().
 */
void __kdbus_active_init(struct kdbus_active *active,
			 wait_queue_head_t *waitq, const char *name,
			 struct lock_class_key *key)
{
	atomic_set(&active->count, KDBUS_ACTIVE_NEW);
	active->waitq = waitq;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_init_map(&active->dep_map, name, key, 0);
#endif
}

/**
 * kdbus_active_activate() - make an object live
 * @active:	Count
 *
 * Moves the count from NEW to active, with no active reference held.
 *
 * Return: true if the count was NEW and is now active, false if it was
 * not NEW (already activated, or deactivated before).
 */
bool kdbus_active_activate(struct kdbus_active *active)
{
	return atomic_cmpxchg(&active->count, KDBUS_ACTIVE_NEW, 0) ==
	       KDBUS_ACTIVE_NEW;
}

/**
 * kdbus_active_deactivate() - refuse new active references
 * @active:	Count, in any state
 *
 * Active references already held stay valid until they are released. A
 * count that was never activated becomes UNBORN.
 *
 * Return: true if this call deactivated the count, false if it was
 * deactivated already.
 */
bool kdbus_active_deactivate(struct kdbus_active *active)
{
	int v = atomic_read(&active->count);
	int new;

	do {
		if (v == KDBUS_ACTIVE_NEW)
			new = KDBUS_ACTIVE_UNBORN;
		else if (v >= 0)
			new = v + KDBUS_ACTIVE_BIAS;
		else
			return false;
	} while (!atomic_try_cmpxchg(&active->count, &v, new));

	return true;
}

/**
 * kdbus_active_drain() - wait until a deactivated object is idle
 * @active:	Deactivated count
 *
 * Waits until all active references are dropped. The first caller to see
 * the object idle wins the teardown: it gets true and must call
 * kdbus_active_drained() once it has torn the object down. Every other
 * caller waits until then and gets false.
 *
 * The caller must not hold an active reference to this object, nor any
 * lock that a holder of an active reference may wait for; lockdep checks
 * both. It may sleep.
 *
 * Return: true if the caller tears the object down, false if another
 * caller did.
 */
bool kdbus_active_drain(struct kdbus_active *active)
{
	int v = atomic_read(&active->count);

#ifdef CONFIG_DEBUG_LOCK_ALLOC
	/* a count that was never active cannot have references to wait for */
	if (v != KDBUS_ACTIVE_UNBORN) {
		lock_map_acquire(&active->dep_map);
		lock_map_release(&active->dep_map);
	}
#endif

	wait_event(*active->waitq,
		   atomic_read(&active->count) <= KDBUS_ACTIVE_BIAS);

	v = atomic_read(&active->count);
	do {
		if (v != KDBUS_ACTIVE_BIAS && v != KDBUS_ACTIVE_UNBORN) {
			/* another drainer tears the object down */
			wait_event(*active->waitq,
				   atomic_read(&active->count) ==
				   KDBUS_ACTIVE_DRAINED);
			return false;
		}
	} while (!atomic_try_cmpxchg(&active->count, &v,
				     KDBUS_ACTIVE_RELEASE));

	return true;
}

/**
 * kdbus_active_drained() - mark an object as torn down
 * @active:	Count on which kdbus_active_drain() returned true
 *
 * Wakes the other drainers, and everybody else waiting on the owner's
 * wait queue.
 */
void kdbus_active_drained(struct kdbus_active *active)
{
	atomic_set_release(&active->count, KDBUS_ACTIVE_DRAINED);
	wake_up_all(active->waitq);
}

#if IS_ENABLED(CONFIG_KDBUS_KUNIT_TEST)
#include "active_test.c"
#endif
