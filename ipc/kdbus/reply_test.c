// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - KUnit tests of the reply trackers
 *
 * Included at the end of reply.c when CONFIG_KDBUS_KUNIT_TEST is set, so
 * the tests reach its static functions.
 */

#include <kunit/test.h>

/* an unlinked tracker on @list, allocated for the test */
static struct kdbus_reply *kdbus_reply_test_add(struct kunit *test,
						struct list_head *list,
						u64 deadline_ns, bool sync,
						bool interrupted)
{
	struct kdbus_reply *r;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->deadline_ns = deadline_ns;
	r->sync = sync;
	r->waiting = sync;
	r->interrupted = interrupted;
	list_add_tail(&r->entry, list);
	return r;
}

static void kdbus_reply_test_timed_by_work(struct kunit *test)
{
	LIST_HEAD(list);
	struct kdbus_reply *async, *waiting, *interrupted;

	async = kdbus_reply_test_add(test, &list, 300, false, false);
	waiting = kdbus_reply_test_add(test, &list, 100, true, false);
	interrupted = kdbus_reply_test_add(test, &list, 200, true, true);

	KUNIT_EXPECT_TRUE(test, kdbus_reply_timed_by_work(async));
	KUNIT_EXPECT_FALSE(test, kdbus_reply_timed_by_work(waiting));
	KUNIT_EXPECT_TRUE(test, kdbus_reply_timed_by_work(interrupted));
}

/*
 * The deadline of a synchronous caller that is waiting does not arm the
 * timeout work: the work would skip it and re-arm itself at zero delay
 * until the caller ran.
 */
static void kdbus_reply_test_next_deadline(struct kunit *test)
{
	LIST_HEAD(list);

	KUNIT_EXPECT_EQ(test, U64_MAX, kdbus_reply_next_deadline(&list));

	kdbus_reply_test_add(test, &list, 100, true, false);
	KUNIT_EXPECT_EQ(test, U64_MAX, kdbus_reply_next_deadline(&list));

	kdbus_reply_test_add(test, &list, 300, false, false);
	KUNIT_EXPECT_EQ(test, 300ULL, kdbus_reply_next_deadline(&list));

	kdbus_reply_test_add(test, &list, 200, true, true);
	KUNIT_EXPECT_EQ(test, 200ULL, kdbus_reply_next_deadline(&list));

	kdbus_reply_test_add(test, &list, 50, true, false);
	KUNIT_EXPECT_EQ(test, 200ULL, kdbus_reply_next_deadline(&list));

	kdbus_reply_test_add(test, &list, 150, false, false);
	KUNIT_EXPECT_EQ(test, 150ULL, kdbus_reply_next_deadline(&list));
}

static struct kunit_case kdbus_reply_test_cases[] = {
	KUNIT_CASE(kdbus_reply_test_timed_by_work),
	KUNIT_CASE(kdbus_reply_test_next_deadline),
	{}
};

static struct kunit_suite kdbus_reply_test_suite = {
	.name = "kdbus_reply",
	.test_cases = kdbus_reply_test_cases,
};

kunit_test_suite(kdbus_reply_test_suite);
