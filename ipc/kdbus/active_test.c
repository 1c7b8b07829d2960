// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - KUnit tests of active references
 *
 * Included at the end of active.c when CONFIG_KDBUS_KUNIT_TEST is set.
 * The drain tests run drainers in kernel threads and make every step
 * observable (the drainer sleeping on the wait queue, a completion), so
 * they need no timing assumptions.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/spinlock.h>

#define KDBUS_ACTIVE_TEST_DRAINERS	2

struct kdbus_active_test_ctx;

/**
 * struct kdbus_active_test_drainer - a thread calling kdbus_active_drain()
 * @ctx:	Test state
 * @index:	Index of this drainer
 * @result:	What kdbus_active_drain() returned
 * @done:	Completed when the thread is about to exit
 */
struct kdbus_active_test_drainer {
	struct kdbus_active_test_ctx *ctx;
	int index;
	bool result;
	struct completion done;
};

/**
 * struct kdbus_active_test_ctx - state shared with the drainer threads
 * @active:	Count under test
 * @waitq:	Its wait queue
 * @won:	Completed by the drainer that won the teardown
 * @winner:	Index of that drainer
 * @teardown:	Completed by the test to let the winner finish
 * @d:		The drainers
 */
struct kdbus_active_test_ctx {
	struct kdbus_active active;
	wait_queue_head_t waitq;
	struct completion won;
	int winner;
	struct completion teardown;
	struct kdbus_active_test_drainer d[KDBUS_ACTIVE_TEST_DRAINERS];
};

static struct kdbus_active_test_ctx *kdbus_active_test_ctx(struct kunit *test)
{
	struct kdbus_active_test_ctx *ctx;
	int i;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);

	init_waitqueue_head(&ctx->waitq);
	kdbus_active_init(&ctx->active, &ctx->waitq);
	init_completion(&ctx->won);
	init_completion(&ctx->teardown);
	ctx->winner = -1;
	for (i = 0; i < KDBUS_ACTIVE_TEST_DRAINERS; i++) {
		ctx->d[i].ctx = ctx;
		ctx->d[i].index = i;
		init_completion(&ctx->d[i].done);
	}
	return ctx;
}

static int kdbus_active_test_count(struct kdbus_active_test_ctx *ctx)
{
	return atomic_read(&ctx->active.count);
}

static int kdbus_active_test_drainer_fn(void *data)
{
	struct kdbus_active_test_drainer *d = data;
	struct kdbus_active_test_ctx *ctx = d->ctx;

	d->result = kdbus_active_drain(&ctx->active);
	if (d->result) {
		ctx->winner = d->index;
		complete(&ctx->won);
		/* the teardown of the owner would happen here */
		wait_for_completion(&ctx->teardown);
		kdbus_active_drained(&ctx->active);
	}
	complete(&d->done);
	return 0;
}

/* start drainers 0..n-1; returns how many were started */
static int kdbus_active_test_start(struct kunit *test,
				   struct kdbus_active_test_ctx *ctx, int n)
{
	struct task_struct *t;
	int i;

	for (i = 0; i < n; i++) {
		t = kthread_run(kdbus_active_test_drainer_fn, &ctx->d[i],
				"kdbus-active-test/%d", i);
		if (IS_ERR(t)) {
			KUNIT_FAIL(test, "kthread_run: %ld", PTR_ERR(t));
			break;
		}
	}
	return i;
}

static unsigned int kdbus_active_test_sleepers(struct kdbus_active_test_ctx *ctx)
{
	unsigned int n;

	spin_lock_irq(&ctx->waitq.lock);
	n = list_count_nodes(&ctx->waitq.head);
	spin_unlock_irq(&ctx->waitq.lock);
	return n;
}

/* wait until @n threads sleep on the wait queue of @ctx */
static bool kdbus_active_test_wait_sleepers(struct kdbus_active_test_ctx *ctx,
					    unsigned int n)
{
	int i;

	for (i = 0; i < 20000; i++) {
		if (kdbus_active_test_sleepers(ctx) == n)
			return true;
		usleep_range(500, 1000);
	}
	return false;
}

static void kdbus_active_test_new(struct kunit *test)
{
	struct kdbus_active_test_ctx *ctx = kdbus_active_test_ctx(test);
	struct kdbus_active *a = &ctx->active;

	KUNIT_EXPECT_TRUE(test, kdbus_active_is_new(a));
	KUNIT_EXPECT_FALSE(test, kdbus_active_is_active(a));
	KUNIT_EXPECT_FALSE(test, kdbus_active_acquire(a));
	KUNIT_EXPECT_EQ(test, KDBUS_ACTIVE_NEW, kdbus_active_test_count(ctx));

	KUNIT_EXPECT_TRUE(test, kdbus_active_activate(a));
	KUNIT_EXPECT_FALSE(test, kdbus_active_is_new(a));
	KUNIT_EXPECT_TRUE(test, kdbus_active_is_active(a));
	KUNIT_EXPECT_EQ(test, 0, kdbus_active_test_count(ctx));
	/* activating twice does nothing */
	KUNIT_EXPECT_FALSE(test, kdbus_active_activate(a));
	KUNIT_EXPECT_EQ(test, 0, kdbus_active_test_count(ctx));

	KUNIT_ASSERT_TRUE(test, kdbus_active_acquire(a));
	KUNIT_ASSERT_TRUE(test, kdbus_active_acquire(a));
	KUNIT_EXPECT_EQ(test, 2, kdbus_active_test_count(ctx));
	kdbus_active_release(a);
	kdbus_active_release(a);
	KUNIT_EXPECT_EQ(test, 0, kdbus_active_test_count(ctx));
	KUNIT_EXPECT_TRUE(test, kdbus_active_is_active(a));
}

static void kdbus_active_test_deactivate(struct kunit *test)
{
	struct kdbus_active_test_ctx *ctx = kdbus_active_test_ctx(test);
	struct kdbus_active *a = &ctx->active;

	KUNIT_ASSERT_TRUE(test, kdbus_active_activate(a));
	KUNIT_ASSERT_TRUE(test, kdbus_active_acquire(a));

	KUNIT_EXPECT_TRUE(test, kdbus_active_deactivate(a));
	KUNIT_EXPECT_FALSE(test, kdbus_active_is_active(a));
	KUNIT_EXPECT_FALSE(test, kdbus_active_is_new(a));
	KUNIT_EXPECT_EQ(test, KDBUS_ACTIVE_BIAS + 1,
			kdbus_active_test_count(ctx));
	/* no new references, no second deactivation, no reactivation */
	KUNIT_EXPECT_FALSE(test, kdbus_active_acquire(a));
	KUNIT_EXPECT_FALSE(test, kdbus_active_deactivate(a));
	KUNIT_EXPECT_FALSE(test, kdbus_active_activate(a));
	KUNIT_EXPECT_EQ(test, KDBUS_ACTIVE_BIAS + 1,
			kdbus_active_test_count(ctx));

	/* the reference taken before stays valid until released */
	kdbus_active_release(a);
	KUNIT_EXPECT_EQ(test, KDBUS_ACTIVE_BIAS, kdbus_active_test_count(ctx));

	/* idle: the drain does not wait, and this caller tears down */
	KUNIT_EXPECT_TRUE(test, kdbus_active_drain(a));
	KUNIT_EXPECT_EQ(test, KDBUS_ACTIVE_RELEASE,
			kdbus_active_test_count(ctx));
	kdbus_active_drained(a);
	KUNIT_EXPECT_EQ(test, KDBUS_ACTIVE_DRAINED,
			kdbus_active_test_count(ctx));

	/* a later drain returns at once, without the teardown */
	KUNIT_EXPECT_FALSE(test, kdbus_active_drain(a));
	KUNIT_EXPECT_FALSE(test, kdbus_active_acquire(a));
	KUNIT_EXPECT_FALSE(test, kdbus_active_deactivate(a));
	KUNIT_EXPECT_FALSE(test, kdbus_active_activate(a));
	KUNIT_EXPECT_EQ(test, KDBUS_ACTIVE_DRAINED,
			kdbus_active_test_count(ctx));
}

static void kdbus_active_test_unborn(struct kunit *test)
{
	struct kdbus_active_test_ctx *ctx = kdbus_active_test_ctx(test);
	struct kdbus_active *a = &ctx->active;

	KUNIT_EXPECT_TRUE(test, kdbus_active_deactivate(a));
	KUNIT_EXPECT_EQ(test, KDBUS_ACTIVE_UNBORN, kdbus_active_test_count(ctx));
	KUNIT_EXPECT_FALSE(test, kdbus_active_is_new(a));
	KUNIT_EXPECT_FALSE(test, kdbus_active_is_active(a));
	/* it can never become live */
	KUNIT_EXPECT_FALSE(test, kdbus_active_activate(a));
	KUNIT_EXPECT_FALSE(test, kdbus_active_acquire(a));
	KUNIT_EXPECT_FALSE(test, kdbus_active_deactivate(a));
	KUNIT_EXPECT_EQ(test, KDBUS_ACTIVE_UNBORN, kdbus_active_test_count(ctx));

	KUNIT_EXPECT_TRUE(test, kdbus_active_drain(a));
	KUNIT_EXPECT_EQ(test, KDBUS_ACTIVE_RELEASE,
			kdbus_active_test_count(ctx));
	kdbus_active_drained(a);
	KUNIT_EXPECT_FALSE(test, kdbus_active_drain(a));
	KUNIT_EXPECT_EQ(test, KDBUS_ACTIVE_DRAINED,
			kdbus_active_test_count(ctx));
}

/* a drain returns only after the last active reference was dropped */
static void kdbus_active_test_drain_waits(struct kunit *test)
{
	struct kdbus_active_test_ctx *ctx = kdbus_active_test_ctx(test);
	struct kdbus_active *a = &ctx->active;
	int started;

	KUNIT_ASSERT_TRUE(test, kdbus_active_activate(a));
	KUNIT_ASSERT_TRUE(test, kdbus_active_acquire(a));
	KUNIT_ASSERT_TRUE(test, kdbus_active_acquire(a));
	KUNIT_ASSERT_TRUE(test, kdbus_active_deactivate(a));

	started = kdbus_active_test_start(test, ctx, 1);
	if (started) {
		KUNIT_EXPECT_TRUE(test,
				  kdbus_active_test_wait_sleepers(ctx, 1));
		/* one reference left: the drainer keeps sleeping */
		kdbus_active_release(a);
		KUNIT_EXPECT_EQ(test, 1U, kdbus_active_test_sleepers(ctx));
		KUNIT_EXPECT_FALSE(test, completion_done(&ctx->won));
		KUNIT_EXPECT_FALSE(test, completion_done(&ctx->d[0].done));
	} else {
		kdbus_active_release(a);
	}

	/* the last one wakes it, and it wins the teardown */
	kdbus_active_release(a);
	if (started) {
		wait_for_completion(&ctx->won);
		KUNIT_EXPECT_EQ(test, 0, ctx->winner);
		KUNIT_EXPECT_EQ(test, KDBUS_ACTIVE_RELEASE,
				kdbus_active_test_count(ctx));
		complete(&ctx->teardown);
		wait_for_completion(&ctx->d[0].done);
		KUNIT_EXPECT_TRUE(test, ctx->d[0].result);
		KUNIT_EXPECT_EQ(test, KDBUS_ACTIVE_DRAINED,
				kdbus_active_test_count(ctx));
	}
}

/*
 * Of two concurrent drainers exactly one tears down; the other returns
 * only after the teardown finished.
 */
static void kdbus_active_test_drain_once(struct kunit *test)
{
	struct kdbus_active_test_ctx *ctx = kdbus_active_test_ctx(test);
	struct kdbus_active *a = &ctx->active;
	int i, started, winners = 0, loser;

	KUNIT_ASSERT_TRUE(test, kdbus_active_activate(a));
	KUNIT_ASSERT_TRUE(test, kdbus_active_acquire(a));
	KUNIT_ASSERT_TRUE(test, kdbus_active_deactivate(a));

	started = kdbus_active_test_start(test, ctx,
					  KDBUS_ACTIVE_TEST_DRAINERS);
	if (started == KDBUS_ACTIVE_TEST_DRAINERS)
		KUNIT_EXPECT_TRUE(test,
				  kdbus_active_test_wait_sleepers(ctx,
								  started));
	kdbus_active_release(a);

	if (started == KDBUS_ACTIVE_TEST_DRAINERS) {
		wait_for_completion(&ctx->won);
		loser = ctx->winner == 0 ? 1 : 0;
		KUNIT_EXPECT_TRUE(test, ctx->winner == 0 || ctx->winner == 1);
		/* torn down only once the winner says so */
		KUNIT_EXPECT_EQ(test, KDBUS_ACTIVE_RELEASE,
				kdbus_active_test_count(ctx));
		KUNIT_EXPECT_FALSE(test, completion_done(&ctx->d[loser].done));
	}

	complete(&ctx->teardown);
	for (i = 0; i < started; i++) {
		wait_for_completion(&ctx->d[i].done);
		winners += ctx->d[i].result;
	}
	if (started == KDBUS_ACTIVE_TEST_DRAINERS) {
		KUNIT_EXPECT_EQ(test, 1, winners);
		KUNIT_EXPECT_EQ(test, KDBUS_ACTIVE_DRAINED,
				kdbus_active_test_count(ctx));
	}
}

static struct kunit_case kdbus_active_test_cases[] = {
	KUNIT_CASE(kdbus_active_test_new),
	KUNIT_CASE(kdbus_active_test_deactivate),
	KUNIT_CASE(kdbus_active_test_unborn),
	KUNIT_CASE(kdbus_active_test_drain_waits),
	KUNIT_CASE(kdbus_active_test_drain_once),
	{}
};

static struct kunit_suite kdbus_active_test_suite = {
	.name = "kdbus_active",
	.test_cases = kdbus_active_test_cases,
};

kunit_test_suite(kdbus_active_test_suite);
