/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - active references
 */

/**
 * DOC: Active references
 *
 * A kref pins the memory of an object; an active reference pins its
 * liveness. Code that operates on a live object (an ioctl, open()) takes
 * an active reference for as long as it does so. Shutting the object
 * down first deactivates it, so that no new active reference can be
 * taken, then drains it: waits until the remaining active references are
 * gone. Only then is the object torn down, exactly once. Nodes and
 * connections embed a struct kdbus_active; its owner decides what the
 * teardown is.
 *
 * States of &kdbus_active.count:
 *
 * ==================== ==================================================
 * KDBUS_ACTIVE_NEW     initialised, not yet activated
 * >= 0                 active; the value is the number of active
 *                      references
 * BIAS + n             deactivated, n active references still held
 * KDBUS_ACTIVE_UNBORN  deactivated before it was ever activated
 * KDBUS_ACTIVE_RELEASE a drainer is tearing the object down
 * KDBUS_ACTIVE_DRAINED torn down
 * ==================== ==================================================
 *
 * Every value below zero refuses new active references. Exactly one
 * kdbus_active_drain() call returns true, once the object is deactivated
 * and idle; its caller tears the object down and then calls
 * kdbus_active_drained(). Every other drainer waits until that happened,
 * so returning from kdbus_active_drain() always means "torn down".
 *
 * Lockdep: an active reference is a read lock of &kdbus_active.dep_map,
 * taken with trylock semantics (acquiring can fail, it never waits);
 * draining is a write lock, taken and released at once before the wait.
 * So lockdep reports draining an object while holding an active
 * reference to it, and every cycle through an active reference: drain
 * while holding lock L, where an active reference holder takes L. Each
 * kdbus_active_init() call site is its own lock class. An object that
 * was never activated cannot have been referenced; draining it is not
 * annotated.
 *
 * The count is changed with atomic operations only; no lock protects it.
 * &kdbus_active.waitq belongs to the owner and is woken when the last
 * active reference of a deactivated object is dropped and when the
 * object was drained.
 */

#ifndef __KDBUS_ACTIVE_H
#define __KDBUS_ACTIVE_H

#include <linux/atomic.h>
#include <linux/limits.h>
#include <linux/lockdep.h>
#include <linux/wait.h>

#define KDBUS_ACTIVE_BIAS	(INT_MIN / 2)
#define KDBUS_ACTIVE_NEW	(KDBUS_ACTIVE_BIAS - 1)
#define KDBUS_ACTIVE_UNBORN	(KDBUS_ACTIVE_BIAS - 2)
#define KDBUS_ACTIVE_RELEASE	(KDBUS_ACTIVE_BIAS - 3)
#define KDBUS_ACTIVE_DRAINED	(KDBUS_ACTIVE_BIAS - 4)

/**
 * struct kdbus_active - an active-reference count
 * @count:	State and number of active references, see above
 * @waitq:	Wait queue of the owner, woken when draining can progress
 * @dep_map:	Lockdep map (CONFIG_DEBUG_LOCK_ALLOC only)
 */
struct kdbus_active {
	atomic_t count;
	wait_queue_head_t *waitq;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	struct lockdep_map dep_map;
#endif
};

void __kdbus_active_init(struct kdbus_active *active,
			 wait_queue_head_t *waitq, const char *name,
			 struct lock_class_key *key);

/**
 * kdbus_active_init() - initialise an active-reference count
 * @_active:	Count to initialise, in state NEW
 * @_waitq:	Initialised wait queue of the owner; must live as long as
 *		@_active
 *
 * Every call site gets its own lockdep class, like mutex_init().
 */
#define kdbus_active_init(_active, _waitq)				\
	do {								\
		static struct lock_class_key __key;			\
									\
		__kdbus_active_init((_active), (_waitq), #_active,	\
				    &__key);				\
	} while (0)

bool kdbus_active_activate(struct kdbus_active *active);
bool kdbus_active_deactivate(struct kdbus_active *active);
bool kdbus_active_drain(struct kdbus_active *active);
void kdbus_active_drained(struct kdbus_active *active);

/**
 * kdbus_active_is_new() - whether a count was never activated
 * @active:	Count
 *
 * Return: true in state NEW (neither activated nor deactivated).
 */
static inline bool kdbus_active_is_new(const struct kdbus_active *active)
{
	return atomic_read(&active->count) == KDBUS_ACTIVE_NEW;
}

/**
 * kdbus_active_is_active() - whether an object is live
 * @active:	Count
 *
 * Return: true if activated and not deactivated.
 */
static inline bool kdbus_active_is_active(const struct kdbus_active *active)
{
	return atomic_read(&active->count) >= 0;
}

/**
 * kdbus_active_acquire() - take an active reference
 * @active:	Count
 *
 * Inline, so that lockdep records the caller of the owner's wrapper.
 *
 * Return: true on success, false if the object is not live (never
 * activated, or deactivated).
 */
static inline bool kdbus_active_acquire(struct kdbus_active *active)
{
	if (!atomic_inc_unless_negative(&active->count))
		return false;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	rwsem_acquire_read(&active->dep_map, 0, 1, _RET_IP_);
#endif
	return true;
}

/**
 * kdbus_active_release() - drop an active reference
 * @active:	Count on which kdbus_active_acquire() succeeded
 *
 * Dropping the last active reference of a deactivated object wakes its
 * drainer.
 */
static inline void kdbus_active_release(struct kdbus_active *active)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	rwsem_release(&active->dep_map, _RET_IP_);
#endif
	if (atomic_dec_return(&active->count) == KDBUS_ACTIVE_BIAS)
		wake_up_all(active->waitq);
}

#endif /* __KDBUS_ACTIVE_H */
