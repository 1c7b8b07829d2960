// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - KUnit tests of the receive queue
 *
 * Included at the end of queue.c when CONFIG_KDBUS_KUNIT_TEST is set, so
 * the tests reach its static functions.
 */

#include <kunit/test.h>

static struct kdbus_queue_entry *kdbus_queue_test_entry(struct kunit *test,
							u64 seq, s64 priority)
{
	struct kdbus_queue_entry *e = kunit_kzalloc(test, sizeof(*e),
						    GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, e);
	INIT_LIST_HEAD(&e->entry);
	RB_CLEAR_NODE(&e->prio_node);
	e->seq = seq;
	e->priority = priority;
	return e;
}

/* take the entries off @q in RECV order and compare their sequence */
static void kdbus_queue_test_expect(struct kunit *test, struct kdbus_queue *q,
				    bool use_priority, const u64 *seqs,
				    unsigned int n)
{
	struct kdbus_queue_entry *e;
	unsigned int i;

	for (i = 0; i < n; i++) {
		e = kdbus_queue_peek(q, S64_MAX, use_priority);
		KUNIT_ASSERT_NOT_NULL(test, e);
		KUNIT_EXPECT_EQ(test, seqs[i], e->seq);
		kdbus_queue_unlink(q, e);
	}
	KUNIT_EXPECT_EQ(test, 0U, q->count);
	KUNIT_EXPECT_NULL(test, kdbus_queue_peek(q, S64_MAX, use_priority));
}

/* linking keeps the order of linking, priorities aside */
static void kdbus_queue_test_fifo(struct kunit *test)
{
	static const u64 fifo[] = { 5, 3, 4 }, prio[] = { 4, 5, 3 };
	struct kdbus_queue q;
	unsigned int pass;

	for (pass = 0; pass < 2; pass++) {
		kdbus_queue_init(&q);
		kdbus_queue_link(&q, kdbus_queue_test_entry(test, 5, 0));
		kdbus_queue_link(&q, kdbus_queue_test_entry(test, 3, 0));
		kdbus_queue_link(&q, kdbus_queue_test_entry(test, 4, -1));
		KUNIT_EXPECT_EQ(test, 3U, q.count);
		kdbus_queue_test_expect(test, &q, pass, pass ? prio : fifo, 3);
	}
}

/*
 * A message moved at a name hand-over goes before what its sender sent
 * after it straight to the new owner, in both orders of receiving.
 */
static void kdbus_queue_test_ordered(struct kunit *test)
{
	static const u64 fifo[] = { 1, 2, 3, 4, 6 }, prio[] = { 2, 6, 1, 3, 4 };
	struct kdbus_queue q;
	unsigned int pass;

	for (pass = 0; pass < 2; pass++) {
		kdbus_queue_init(&q);
		kdbus_queue_link(&q, kdbus_queue_test_entry(test, 1, 0));
		kdbus_queue_link(&q, kdbus_queue_test_entry(test, 4, 0));
		kdbus_queue_link(&q, kdbus_queue_test_entry(test, 6, -1));
		/* moved: 2 (urgent) and 3, older than 4 and 6 */
		kdbus_queue_link_ordered(&q, kdbus_queue_test_entry(test, 2,
								    -1));
		kdbus_queue_link_ordered(&q, kdbus_queue_test_entry(test, 3,
								    0));
		KUNIT_EXPECT_EQ(test, 5U, q.count);
		kdbus_queue_test_expect(test, &q, pass, pass ? prio : fifo, 5);
	}
}

static struct kunit_case kdbus_queue_test_cases[] = {
	KUNIT_CASE(kdbus_queue_test_fifo),
	KUNIT_CASE(kdbus_queue_test_ordered),
	{}
};

static struct kunit_suite kdbus_queue_test_suite = {
	.name = "kdbus_queue",
	.test_cases = kdbus_queue_test_cases,
};

kunit_test_suite(kdbus_queue_test_suite);
