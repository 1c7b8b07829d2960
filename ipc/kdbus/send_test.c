// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - KUnit tests of sending: waiting for a cancel file
 *
 * Included at the end of send.c when CONFIG_KDBUS_KUNIT_TEST is set,
 * so the tests reach its static functions.
 */

#include <kunit/test.h>
#include <linux/anon_inodes.h>

/* a pollable file that registers two wait queues, readable on demand */
struct kdbus_conn_test_pollable {
	wait_queue_head_t q[2];
	bool readable;
};

static __poll_t kdbus_conn_test_poll(struct file *file, poll_table *pt)
{
	struct kdbus_conn_test_pollable *p = file->private_data;

	poll_wait(file, &p->q[0], pt);
	poll_wait(file, &p->q[1], pt);
	return READ_ONCE(p->readable) ? EPOLLIN : 0;
}

static const struct file_operations kdbus_conn_test_fops = {
	.poll = kdbus_conn_test_poll,
};

KUNIT_DEFINE_ACTION_WRAPPER(kdbus_conn_test_fput_action, fput, struct file *);

/* whether somebody waits on @q */
static bool kdbus_conn_test_watched(wait_queue_head_t *q)
{
	/* no wake-up can race: the test alone adds and removes waiters */
	return waitqueue_active(q);
}

/*
 * A cancel file is watched on every wait queue its ->poll() registers, so
 * a wake-up on any of them ends the wait of a synchronous call at once.
 */
static void kdbus_conn_test_cancel_queues(struct kunit *test)
{
	struct kdbus_conn_test_pollable *p;
	struct kdbus_cancel c;
	struct file *file;
	int i;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < ARRAY_SIZE(p->q); i++)
		init_waitqueue_head(&p->q[i]);

	file = anon_inode_getfile("kdbus-test-cancel", &kdbus_conn_test_fops,
				  p, O_RDWR);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test,
						  kdbus_conn_test_fput_action,
						  file));

	KUNIT_ASSERT_EQ(test, 0, kdbus_cancel_init(&c, file));
	KUNIT_EXPECT_TRUE(test, kdbus_conn_test_watched(&p->q[0]));
	KUNIT_EXPECT_TRUE(test, kdbus_conn_test_watched(&p->q[1]));
	KUNIT_EXPECT_FALSE(test, kdbus_cancel_pending(&c));

	/* readable, announced on the second queue: the waiter is woken */
	set_current_state(TASK_INTERRUPTIBLE);
	WRITE_ONCE(p->readable, true);
	wake_up(&p->q[1]);
	KUNIT_EXPECT_EQ(test, (unsigned int)TASK_RUNNING,
			READ_ONCE(current->__state));
	__set_current_state(TASK_RUNNING);
	KUNIT_EXPECT_TRUE(test, kdbus_cancel_pending(&c));

	kdbus_cancel_exit(&c);
	KUNIT_EXPECT_FALSE(test, kdbus_conn_test_watched(&p->q[0]));
	KUNIT_EXPECT_FALSE(test, kdbus_conn_test_watched(&p->q[1]));
}

/* no cancel file: nothing is registered, nothing is pending */
static void kdbus_conn_test_cancel_none(struct kunit *test)
{
	struct kdbus_cancel c;

	KUNIT_EXPECT_EQ(test, 0, kdbus_cancel_init(&c, NULL));
	KUNIT_EXPECT_FALSE(test, kdbus_cancel_pending(&c));
	KUNIT_EXPECT_TRUE(test, list_empty(&c.waits));
	kdbus_cancel_exit(&c);
}

static struct kunit_case kdbus_conn_test_cases[] = {
	KUNIT_CASE(kdbus_conn_test_cancel_queues),
	KUNIT_CASE(kdbus_conn_test_cancel_none),
	{}
};

static struct kunit_suite kdbus_send_test_suite = {
	.name = "kdbus_send",
	.test_cases = kdbus_conn_test_cases,
};

kunit_test_suite(kdbus_send_test_suite);
