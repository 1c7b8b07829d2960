// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - KUnit tests of metadata collection and rendering
 *
 * Included at the end of metadata.c when CONFIG_KDBUS_KUNIT_TEST is set,
 * so the tests reach its static functions. They run in a kernel thread:
 * no executable and no command line there, root credentials.
 */

#include <kunit/test.h>

/* the item order of the ABI, by KDBUS_ATTACH_* bit */
static const u64 kdbus_meta_test_order[] = {
	KDBUS_ITEM_CREDS, KDBUS_ITEM_PIDS, KDBUS_ITEM_AUXGROUPS,
	KDBUS_ITEM_TID_COMM, KDBUS_ITEM_PID_COMM, KDBUS_ITEM_EXE,
	KDBUS_ITEM_CMDLINE, KDBUS_ITEM_CGROUP, KDBUS_ITEM_CAPS,
	KDBUS_ITEM_SECLABEL, KDBUS_ITEM_AUDIT, KDBUS_ITEM_OWNED_NAME,
	KDBUS_ITEM_CONN_DESCRIPTION, KDBUS_ITEM_TIMESTAMP,
};

static unsigned int kdbus_meta_test_rank(u64 type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kdbus_meta_test_order); i++)
		if (kdbus_meta_test_order[i] == type)
			return i;
	return UINT_MAX;
}

/*
 * Walk the items in @buf[0..@len): each is 8-aligned, known and in ABI
 * order, zero-padded; returns the item of @type or NULL, and the number of
 * items in *@n.
 */
static const struct kdbus_item *
kdbus_meta_test_walk(struct kunit *test, const void *buf, size_t len,
		     u64 type, unsigned int *n)
{
	const struct kdbus_item *found = NULL;
	unsigned int rank = 0;
	size_t pos = 0;

	*n = 0;
	while (pos < len) {
		const struct kdbus_item *item = buf + pos;
		unsigned int r = kdbus_meta_test_rank(item->type);
		size_t i;

		KUNIT_ASSERT_LE(test, pos + ALIGN(item->size, 8), len);
		KUNIT_ASSERT_NE(test, r, UINT_MAX);
		KUNIT_EXPECT_GE(test, r, rank);
		for (i = item->size; i < ALIGN(item->size, 8); i++)
			KUNIT_EXPECT_EQ(test, 0, ((const u8 *)item)[i]);
		rank = r;
		if (item->type == type)
			found = item;
		(*n)++;
		pos += ALIGN(item->size, 8);
	}
	KUNIT_EXPECT_EQ(test, pos, len);
	return found;
}

static struct kdbus_meta_proc *kdbus_meta_test_collect(struct kunit *test,
						       u64 which)
{
	struct kdbus_meta_proc *mp = kdbus_meta_proc_new();

	KUNIT_ASSERT_NOT_NULL(test, mp);
	kdbus_meta_proc_collect(mp, which);
	return mp;
}

/* everything a kernel thread has, in order, exactly as sized */
static void kdbus_meta_test_emit_all(struct kunit *test)
{
	struct kdbus_timestamp ts = { .seqnum = 7, .monotonic_ns = 8,
				      .realtime_ns = 9 };
	struct kdbus_meta_proc *mp;
	const struct kdbus_item *item;
	u64 expect, available;
	unsigned int n;
	size_t size, len;
	void *buf;

	mp = kdbus_meta_test_collect(test, _KDBUS_ATTACH_ALL);
	available = kdbus_meta_available(mp, NULL);

	expect = KDBUS_ATTACH_TIMESTAMP | KDBUS_ATTACH_CREDS |
		 KDBUS_ATTACH_PIDS | KDBUS_ATTACH_AUXGROUPS |
		 KDBUS_ATTACH_TID_COMM | KDBUS_ATTACH_PID_COMM |
		 KDBUS_ATTACH_CAPS;
	if (IS_ENABLED(CONFIG_AUDIT))
		expect |= KDBUS_ATTACH_AUDIT;
	if (IS_ENABLED(CONFIG_CGROUPS))
		expect |= KDBUS_ATTACH_CGROUP;
	/* a kernel thread has neither an executable nor arguments */
	KUNIT_EXPECT_EQ(test, 0ULL, available &
			(KDBUS_ATTACH_EXE | KDBUS_ATTACH_CMDLINE |
			 KDBUS_ATTACH_CONN_KINDS));
	KUNIT_EXPECT_EQ(test, expect, available & expect);

	size = kdbus_meta_size(mp, NULL, _KDBUS_ATTACH_ALL);
	KUNIT_EXPECT_EQ(test, 0UL, size % 8);
	buf = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	len = kdbus_meta_emit(buf, mp, NULL, &ts, _KDBUS_ATTACH_ALL);
	KUNIT_EXPECT_EQ(test, size, len);

	item = kdbus_meta_test_walk(test, buf, len, KDBUS_ITEM_CREDS, &n);
	KUNIT_EXPECT_EQ(test, hweight64(available), n);
	KUNIT_ASSERT_NOT_NULL(test, item);
	KUNIT_EXPECT_EQ(test, 16ULL + sizeof(struct kdbus_creds), item->size);
	KUNIT_EXPECT_EQ(test, 0ULL, item->creds.uid);
	KUNIT_EXPECT_EQ(test, 0ULL, item->creds.fsgid);

	item = kdbus_meta_test_walk(test, buf, len, KDBUS_ITEM_PIDS, &n);
	KUNIT_ASSERT_NOT_NULL(test, item);
	KUNIT_EXPECT_EQ(test, (u64)task_pid_nr(current), item->pids.tid);
	KUNIT_EXPECT_EQ(test, (u64)task_tgid_nr(current), item->pids.pid);

	item = kdbus_meta_test_walk(test, buf, len, KDBUS_ITEM_TID_COMM, &n);
	KUNIT_ASSERT_NOT_NULL(test, item);
	KUNIT_EXPECT_STREQ(test, current->comm, item->str);

	/* CAPS: 4 sets of 2 words, item size 52; a kthread has them all */
	item = kdbus_meta_test_walk(test, buf, len, KDBUS_ITEM_CAPS, &n);
	KUNIT_ASSERT_NOT_NULL(test, item);
	KUNIT_EXPECT_EQ(test, 52ULL, item->size);
	KUNIT_EXPECT_EQ(test, (u32)CAP_LAST_CAP, item->caps.last_cap);
	KUNIT_EXPECT_EQ(test, lower_32_bits(CAP_VALID_MASK),
			item->caps.caps[2 * KDBUS_META_CAP_WORDS]);
	KUNIT_EXPECT_EQ(test, upper_32_bits(CAP_VALID_MASK),
			item->caps.caps[2 * KDBUS_META_CAP_WORDS + 1]);

	item = kdbus_meta_test_walk(test, buf, len, KDBUS_ITEM_TIMESTAMP, &n);
	KUNIT_ASSERT_NOT_NULL(test, item);
	KUNIT_EXPECT_EQ(test, 7ULL, item->timestamp.seqnum);
	KUNIT_EXPECT_EQ(test, 8ULL, item->timestamp.monotonic_ns);
	KUNIT_EXPECT_EQ(test, 9ULL, item->timestamp.realtime_ns);

	kdbus_meta_proc_unref(mp);
}

/* only the selected kinds, and only those collected */
static void kdbus_meta_test_selection(struct kunit *test)
{
	struct kdbus_timestamp ts = { };
	struct kdbus_meta_proc *mp;
	u8 buf[256];
	unsigned int n;
	size_t len;

	mp = kdbus_meta_test_collect(test, KDBUS_ATTACH_CREDS |
				     KDBUS_ATTACH_PID_COMM);
	KUNIT_EXPECT_EQ(test, KDBUS_ATTACH_TIMESTAMP | KDBUS_ATTACH_CREDS |
			KDBUS_ATTACH_PID_COMM, kdbus_meta_available(mp, NULL));

	/* PIDS is asked for but was not collected */
	KUNIT_ASSERT_LE(test, kdbus_meta_size(mp, NULL, _KDBUS_ATTACH_ALL),
			sizeof(buf));
	len = kdbus_meta_emit(buf, mp, NULL, &ts, KDBUS_ATTACH_CREDS |
			      KDBUS_ATTACH_PIDS);
	KUNIT_EXPECT_EQ(test, 80UL, len);
	KUNIT_EXPECT_NOT_NULL(test, kdbus_meta_test_walk(test, buf, len,
							 KDBUS_ITEM_CREDS,
							 &n));
	KUNIT_EXPECT_EQ(test, 1U, n);

	KUNIT_EXPECT_EQ(test, 0UL, kdbus_meta_emit(buf, mp, NULL, &ts, 0));
	KUNIT_EXPECT_EQ(test, 0UL, kdbus_meta_size(NULL, NULL,
						   KDBUS_ATTACH_PROC_KINDS));
	KUNIT_EXPECT_EQ(test, 40UL, kdbus_meta_emit(buf, NULL, NULL, &ts,
						    _KDBUS_ATTACH_ALL));

	/* collecting again adds the missing kinds only */
	kdbus_meta_proc_collect(mp, KDBUS_ATTACH_PIDS | KDBUS_ATTACH_CREDS);
	KUNIT_EXPECT_TRUE(test, kdbus_meta_available(mp, NULL) &
			  KDBUS_ATTACH_PIDS);
	kdbus_meta_proc_unref(mp);
}

/* the result of faking an identity into a fresh snapshot */
static int kdbus_meta_test_fake_one(struct kunit *test,
				    const struct kdbus_creds *creds,
				    const struct kdbus_pids *pids)
{
	struct kdbus_meta_proc *mp = kdbus_meta_proc_new();
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, mp);
	ret = kdbus_meta_proc_fake(mp, creds, pids, NULL);
	kdbus_meta_proc_unref(mp);
	return ret;
}

/* a faked identity: exactly the given items, ids checked */
static void kdbus_meta_test_fake(struct kunit *test)
{
	struct kdbus_creds creds = {
		.uid = 1000, .euid = 1001, .suid = 1002, .fsuid = (u32)-1,
		.gid = 2000, .egid = 2001, .sgid = 2002, .fsgid = 2003,
	};
	struct kdbus_pids pids = { .pid = task_tgid_vnr(current) };
	struct kdbus_meta_proc *mp;
	const struct kdbus_item *item;
	u8 buf[256];
	unsigned int n;
	size_t len;

	mp = kdbus_meta_proc_new();
	KUNIT_ASSERT_NOT_NULL(test, mp);
	KUNIT_ASSERT_EQ(test, 0, kdbus_meta_proc_fake(mp, &creds, &pids,
						      "label"));
	KUNIT_EXPECT_EQ(test, KDBUS_ATTACH_TIMESTAMP | KDBUS_ATTACH_CREDS |
			KDBUS_ATTACH_PIDS | KDBUS_ATTACH_SECLABEL,
			kdbus_meta_available(mp, NULL));

	KUNIT_ASSERT_LE(test, kdbus_meta_size(mp, NULL, _KDBUS_ATTACH_ALL),
			sizeof(buf));
	len = kdbus_meta_emit(buf, mp, NULL, NULL,
			      _KDBUS_ATTACH_ALL & ~KDBUS_ATTACH_TIMESTAMP);
	KUNIT_EXPECT_EQ(test, len,
			kdbus_meta_size(mp, NULL, _KDBUS_ATTACH_ALL) - 40);

	item = kdbus_meta_test_walk(test, buf, len, KDBUS_ITEM_CREDS, &n);
	KUNIT_EXPECT_EQ(test, 3U, n);
	KUNIT_ASSERT_NOT_NULL(test, item);
	KUNIT_EXPECT_EQ(test, 1001ULL, item->creds.euid);
	KUNIT_EXPECT_EQ(test, 0xffffffffULL, item->creds.fsuid);
	KUNIT_EXPECT_EQ(test, 2003ULL, item->creds.fsgid);

	/* 0 is "none" */
	item = kdbus_meta_test_walk(test, buf, len, KDBUS_ITEM_PIDS, &n);
	KUNIT_ASSERT_NOT_NULL(test, item);
	KUNIT_EXPECT_EQ(test, pids.pid, item->pids.pid);
	KUNIT_EXPECT_EQ(test, 0ULL, item->pids.tid);
	KUNIT_EXPECT_EQ(test, 0ULL, item->pids.ppid);

	item = kdbus_meta_test_walk(test, buf, len, KDBUS_ITEM_SECLABEL, &n);
	KUNIT_ASSERT_NOT_NULL(test, item);
	KUNIT_EXPECT_STREQ(test, "label", item->str);
	kdbus_meta_proc_unref(mp);

	/* ids beyond 32 bits, pids that do not exist */
	creds.gid = 1ULL << 32;
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_meta_test_fake_one(test, &creds,
								NULL));
	pids.tid = INT_MAX;
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_meta_test_fake_one(test, NULL,
								&pids));
	pids.tid = 1ULL << 40;
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_meta_test_fake_one(test, NULL,
								&pids));
}

/*
 * A message stage collects per receiver only what is missing, and never
 * changes a snapshot it has handed out.
 */
static void kdbus_meta_test_stage(struct kunit *test)
{
	u64 module = kdbus_meta_module_mask();
	struct kdbus_meta_stage st;
	struct kdbus_meta_proc *first;

	/* a notification: TIMESTAMP at most */
	kdbus_meta_stage_init(&st, NULL, 42);
	KUNIT_EXPECT_EQ(test, 42ULL, st.ts.seqnum);
	KUNIT_EXPECT_NE(test, 0ULL, st.ts.monotonic_ns);
	KUNIT_EXPECT_EQ(test, module & KDBUS_ATTACH_TIMESTAMP,
			kdbus_meta_stage_collect(&st, _KDBUS_ATTACH_ALL));
	KUNIT_EXPECT_NULL(test, st.proc);
	kdbus_meta_stage_exit(&st);

	/* a sender allowing CREDS and PIDS (no connection kinds needed) */
	kdbus_meta_stage_init(&st, NULL, 1);
	st.mask = KDBUS_ATTACH_CREDS | KDBUS_ATTACH_PIDS;
	KUNIT_EXPECT_EQ(test, 0ULL, kdbus_meta_stage_collect(&st, 0));
	KUNIT_EXPECT_NULL(test, st.proc);

	KUNIT_EXPECT_EQ(test, module & KDBUS_ATTACH_CREDS,
			kdbus_meta_stage_collect(&st, KDBUS_ATTACH_CREDS |
						 KDBUS_ATTACH_CAPS));
	first = kdbus_meta_proc_ref(st.proc);

	/* nothing new: the same snapshot */
	kdbus_meta_stage_collect(&st, KDBUS_ATTACH_CREDS);
	KUNIT_EXPECT_PTR_EQ(test, first, st.proc);

	/* a new kind: a new snapshot with both, the first one unchanged */
	KUNIT_EXPECT_EQ(test, module & (KDBUS_ATTACH_CREDS | KDBUS_ATTACH_PIDS),
			kdbus_meta_stage_collect(&st, _KDBUS_ATTACH_ALL));
	if (module & KDBUS_ATTACH_PIDS) {
		KUNIT_EXPECT_PTR_NE(test, first, st.proc);
		KUNIT_EXPECT_FALSE(test, first->collected & KDBUS_ATTACH_PIDS);
	}
	kdbus_meta_proc_unref(first);
	kdbus_meta_stage_exit(&st);
	KUNIT_EXPECT_NULL(test, st.proc);
}

static struct kunit_case kdbus_meta_test_cases[] = {
	KUNIT_CASE(kdbus_meta_test_emit_all),
	KUNIT_CASE(kdbus_meta_test_selection),
	KUNIT_CASE(kdbus_meta_test_fake),
	KUNIT_CASE(kdbus_meta_test_stage),
	{}
};

static struct kunit_suite kdbus_meta_test_suite = {
	.name = "kdbus_metadata",
	.test_cases = kdbus_meta_test_cases,
};

kunit_test_suite(kdbus_meta_test_suite);
