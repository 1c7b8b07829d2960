// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - KUnit tests of the receive pool slice allocator
 *
 * Included at the end of pool.c when CONFIG_KDBUS_KUNIT_TEST is set, so
 * the tests reach its static functions.
 */

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/mman.h>
#include <linux/resource.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/uaccess.h>

KUNIT_DEFINE_ACTION_WRAPPER(kdbus_pool_test_free_action, kdbus_pool_free,
			    struct kdbus_pool *);
KUNIT_DEFINE_ACTION_WRAPPER(kdbus_pool_test_fput_action, fput, struct file *);

/* a pool freed when the test ends, also after a failed assertion */
static struct kdbus_pool *kdbus_pool_test_new(struct kunit *test, size_t size)
{
	struct kdbus_pool *pool;

	pool = kdbus_pool_new("kdbus-conn:test", size);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test,
						  kdbus_pool_test_free_action,
						  pool));
	return pool;
}

static struct kdbus_pool_slice *kdbus_pool_test_alloc(struct kunit *test,
						      struct kdbus_pool *pool,
						      size_t size,
						      bool accounted)
{
	struct kdbus_pool_slice *slice;

	slice = kdbus_pool_slice_alloc(pool, size, accounted);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, slice);
	return slice;
}

/* what the slice list and trees of a pool look like */
struct kdbus_pool_test_stat {
	size_t n_free;
	size_t n_busy;
	size_t free_bytes;
	size_t largest_free;
	bool sane;
};

static void kdbus_pool_test_stat(struct kdbus_pool *pool,
				 struct kdbus_pool_test_stat *st)
{
	struct kdbus_pool_slice *s, *prev = NULL;
	size_t end = 0, acc = 0, n_tree = 0;
	struct rb_node *n;

	memset(st, 0, sizeof(*st));
	st->sane = true;

	spin_lock(&pool->lock);
	list_for_each_entry(s, &pool->slices, entry) {
		/* contiguous, aligned, non-empty, and no free neighbours */
		if (s->off != end || !s->size || !IS_ALIGNED(s->size, 8) ||
		    (prev && prev->free && s->free))
			st->sane = false;
		if (s->free) {
			if (s->ref_kernel || s->ref_user)
				st->sane = false;
			st->n_free++;
			st->free_bytes += s->size;
			st->largest_free = max(st->largest_free, s->size);
		} else {
			if (!s->ref_kernel && !s->ref_user)
				st->sane = false;
			st->n_busy++;
			if (s->accounted && s->ref_kernel)
				acc += s->size;
		}
		end = s->off + s->size;
		prev = s;
	}
	if (end != pool->size || acc != pool->accounted)
		st->sane = false;

	prev = NULL;
	for (n = rb_first(&pool->slices_free); n; n = rb_next(n), n_tree++) {
		s = rb_entry(n, struct kdbus_pool_slice, rb_node);
		if (!s->free || (prev && (prev->size > s->size ||
					  (prev->size == s->size &&
					   prev->off >= s->off))))
			st->sane = false;
		prev = s;
	}
	if (n_tree != st->n_free)
		st->sane = false;

	prev = NULL;
	n_tree = 0;
	for (n = rb_first(&pool->slices_busy); n; n = rb_next(n), n_tree++) {
		s = rb_entry(n, struct kdbus_pool_slice, rb_node);
		if (s->free || (prev && prev->off >= s->off))
			st->sane = false;
		prev = s;
	}
	if (n_tree != st->n_busy)
		st->sane = false;
	spin_unlock(&pool->lock);
}

static void kdbus_pool_test_expect(struct kunit *test, struct kdbus_pool *pool,
				   size_t n_free, size_t n_busy,
				   size_t free_bytes, int line)
{
	struct kdbus_pool_test_stat st;

	kdbus_pool_test_stat(pool, &st);
	KUNIT_EXPECT_TRUE_MSG(test, st.sane, "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, n_free, st.n_free, "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, n_busy, st.n_busy, "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, free_bytes, st.free_bytes, "line %d", line);
}

#define KDBUS_POOL_EXPECT(_test, _pool, _n_free, _n_busy, _free_bytes)	\
	kdbus_pool_test_expect(_test, _pool, _n_free, _n_busy,		\
			       _free_bytes, __LINE__)

/* the pool is one free slice again */
static void kdbus_pool_test_expect_empty(struct kunit *test,
					 struct kdbus_pool *pool, int line)
{
	kdbus_pool_test_expect(test, pool, 1, 0, pool->size, line);
}

#define KDBUS_POOL_EXPECT_EMPTY(_test, _pool)				\
	kdbus_pool_test_expect_empty(_test, _pool, __LINE__)

static void kdbus_pool_test_read(struct kunit *test, struct kdbus_pool *pool,
				 size_t off, void *buf, size_t len)
{
	loff_t pos = off;

	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			kernel_read(pool->f, buf, len, &pos));
}

static int kdbus_pool_test_write(const struct kdbus_pool_slice *slice,
				 loff_t off, const void *buf, size_t len)
{
	struct kvec kvec = { .iov_base = (void *)buf, .iov_len = len };

	return kdbus_pool_slice_copy_kvec(slice, off, &kvec, 1, len);
}

static void kdbus_pool_test_new_free(struct kunit *test)
{
	struct kdbus_pool *pool;
	size_t size = 1, acc = 1;

	KUNIT_EXPECT_EQ(test, -EINVAL, PTR_ERR(kdbus_pool_new("kdbus-conn", 0)));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			PTR_ERR(kdbus_pool_new("kdbus-conn", 4100)));
	kdbus_pool_free(NULL);

	pool = kdbus_pool_test_new(test, 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, 4 * PAGE_SIZE, kdbus_pool_size(pool));
	KUNIT_EXPECT_EQ(test, (loff_t)(4 * PAGE_SIZE),
			i_size_read(file_inode(pool->f)));
	KUNIT_EXPECT_STREQ(test, "kdbus-conn:test",
			   (const char *)file_dentry(pool->f)->d_name.name);
	kdbus_pool_accounted(pool, &size, &acc);
	KUNIT_EXPECT_EQ(test, 4 * PAGE_SIZE, size);
	KUNIT_EXPECT_EQ(test, 0UL, acc);
	kdbus_pool_accounted(pool, NULL, NULL);
	KDBUS_POOL_EXPECT_EMPTY(test, pool);
}

static void kdbus_pool_test_alloc_merge(struct kunit *test)
{
	struct kdbus_pool_slice *a, *b, *c, *d;
	struct kdbus_pool *pool;

	pool = kdbus_pool_test_new(test, 4096);

	/* sizes are rounded up to 8, slices are handed out in order */
	a = kdbus_pool_test_alloc(test, pool, 1, false);
	b = kdbus_pool_test_alloc(test, pool, 100, false);
	c = kdbus_pool_test_alloc(test, pool, 256, false);
	KUNIT_EXPECT_EQ(test, 0UL, kdbus_pool_slice_offset(a));
	KUNIT_EXPECT_EQ(test, 8UL, kdbus_pool_slice_size(a));
	KUNIT_EXPECT_EQ(test, 8UL, kdbus_pool_slice_offset(b));
	KUNIT_EXPECT_EQ(test, 104UL, kdbus_pool_slice_size(b));
	KUNIT_EXPECT_EQ(test, 112UL, kdbus_pool_slice_offset(c));
	KUNIT_EXPECT_EQ(test, 256UL, kdbus_pool_slice_size(c));
	KDBUS_POOL_EXPECT(test, pool, 1, 3, 4096 - 368);

	/* a hole in the middle is reused for an exact fit, not split */
	kdbus_pool_slice_release(b);
	KDBUS_POOL_EXPECT(test, pool, 2, 2, 4096 - 264);
	d = kdbus_pool_test_alloc(test, pool, 97, false);
	KUNIT_EXPECT_EQ(test, 8UL, kdbus_pool_slice_offset(d));
	KUNIT_EXPECT_EQ(test, 104UL, kdbus_pool_slice_size(d));
	KDBUS_POOL_EXPECT(test, pool, 1, 3, 4096 - 368);
	kdbus_pool_slice_release(d);

	/* merge with the following free slice */
	kdbus_pool_slice_release(a);
	KDBUS_POOL_EXPECT(test, pool, 2, 1, 4096 - 256);
	a = kdbus_pool_test_alloc(test, pool, 112, false);
	KUNIT_EXPECT_EQ(test, 0UL, kdbus_pool_slice_offset(a));
	KDBUS_POOL_EXPECT(test, pool, 1, 2, 4096 - 368);

	/* merge with the preceding free slice */
	kdbus_pool_slice_release(c);
	KDBUS_POOL_EXPECT(test, pool, 1, 1, 4096 - 112);
	kdbus_pool_slice_release(a);
	KDBUS_POOL_EXPECT_EMPTY(test, pool);

	/* merge with both neighbours at once */
	a = kdbus_pool_test_alloc(test, pool, 64, false);
	b = kdbus_pool_test_alloc(test, pool, 64, false);
	c = kdbus_pool_test_alloc(test, pool, 64, false);
	d = kdbus_pool_test_alloc(test, pool, 4096 - 192, false);
	KDBUS_POOL_EXPECT(test, pool, 0, 4, 0);
	KUNIT_EXPECT_EQ(test, -EXFULL,
			PTR_ERR(kdbus_pool_slice_alloc(pool, 8, false)));
	kdbus_pool_slice_release(a);
	kdbus_pool_slice_release(c);
	KDBUS_POOL_EXPECT(test, pool, 2, 2, 128);
	kdbus_pool_slice_release(b);
	KDBUS_POOL_EXPECT(test, pool, 1, 1, 192);
	kdbus_pool_slice_release(d);
	KDBUS_POOL_EXPECT_EMPTY(test, pool);

	/* NULL is a no-op */
	kdbus_pool_slice_release(NULL);
}

static void kdbus_pool_test_best_fit(struct kunit *test)
{
	struct kdbus_pool_slice *h1, *h2, *h3, *s1, *s2, *s3, *x[5];
	struct kdbus_pool *pool;
	unsigned int i;

	pool = kdbus_pool_test_new(test, 4096);

	/* holes of 64 at 0, 32 at 72 and 128 at 112; the tail is 3848 */
	h1 = kdbus_pool_test_alloc(test, pool, 64, false);
	s1 = kdbus_pool_test_alloc(test, pool, 8, false);
	h2 = kdbus_pool_test_alloc(test, pool, 32, false);
	s2 = kdbus_pool_test_alloc(test, pool, 8, false);
	h3 = kdbus_pool_test_alloc(test, pool, 128, false);
	s3 = kdbus_pool_test_alloc(test, pool, 8, false);
	KUNIT_EXPECT_EQ(test, 240UL, kdbus_pool_slice_offset(s3));
	kdbus_pool_slice_release(h1);
	kdbus_pool_slice_release(h2);
	kdbus_pool_slice_release(h3);
	KDBUS_POOL_EXPECT(test, pool, 4, 3, 4096 - 24);

	/* 24 fits best into the 32-byte hole, leaving 8 bytes at 96 */
	x[0] = kdbus_pool_test_alloc(test, pool, 24, false);
	KUNIT_EXPECT_EQ(test, 72UL, kdbus_pool_slice_offset(x[0]));
	/* 60 -> 64: the 64-byte hole */
	x[1] = kdbus_pool_test_alloc(test, pool, 60, false);
	KUNIT_EXPECT_EQ(test, 0UL, kdbus_pool_slice_offset(x[1]));
	KUNIT_EXPECT_EQ(test, 64UL, kdbus_pool_slice_size(x[1]));
	/* 100 -> 104: the 128-byte hole, not the tail */
	x[2] = kdbus_pool_test_alloc(test, pool, 100, false);
	KUNIT_EXPECT_EQ(test, 112UL, kdbus_pool_slice_offset(x[2]));
	/* 8: the 8-byte rest at 96, not the 24-byte rest at 216 */
	x[3] = kdbus_pool_test_alloc(test, pool, 8, false);
	KUNIT_EXPECT_EQ(test, 96UL, kdbus_pool_slice_offset(x[3]));
	/* 200: only the tail is large enough */
	x[4] = kdbus_pool_test_alloc(test, pool, 200, false);
	KUNIT_EXPECT_EQ(test, 248UL, kdbus_pool_slice_offset(x[4]));
	KDBUS_POOL_EXPECT(test, pool, 2, 8, 24 + 4096 - 448);

	for (i = 0; i < ARRAY_SIZE(x); i++)
		kdbus_pool_slice_release(x[i]);
	kdbus_pool_slice_release(s1);
	kdbus_pool_slice_release(s3);
	kdbus_pool_slice_release(s2);
	KDBUS_POOL_EXPECT_EMPTY(test, pool);
}

static void kdbus_pool_test_exfull(struct kunit *test)
{
	struct kdbus_pool_slice *a, *s[8];
	struct kdbus_pool *pool;
	unsigned int i;

	pool = kdbus_pool_test_new(test, 4096);

	KUNIT_EXPECT_EQ(test, -EINVAL,
			PTR_ERR(kdbus_pool_slice_alloc(pool, 0, false)));
	KUNIT_EXPECT_EQ(test, -EXFULL,
			PTR_ERR(kdbus_pool_slice_alloc(pool, 4097, false)));
	KUNIT_EXPECT_EQ(test, -EXFULL,
			PTR_ERR(kdbus_pool_slice_alloc(pool, SIZE_MAX, true)));
	/* would wrap around to 0 when rounded up */
	KUNIT_EXPECT_EQ(test, -EXFULL,
			PTR_ERR(kdbus_pool_slice_alloc(pool, SIZE_MAX - 3,
						       false)));
	KDBUS_POOL_EXPECT_EMPTY(test, pool);

	/* full */
	a = kdbus_pool_test_alloc(test, pool, 4096, true);
	KUNIT_EXPECT_EQ(test, 0UL, kdbus_pool_slice_offset(a));
	KUNIT_EXPECT_EQ(test, 4096UL, kdbus_pool_slice_size(a));
	KDBUS_POOL_EXPECT(test, pool, 0, 1, 0);
	KUNIT_EXPECT_EQ(test, -EXFULL,
			PTR_ERR(kdbus_pool_slice_alloc(pool, 8, false)));
	kdbus_pool_slice_release(a);
	KDBUS_POOL_EXPECT_EMPTY(test, pool);

	/* half free, but in holes of 512 bytes */
	for (i = 0; i < ARRAY_SIZE(s); i++)
		s[i] = kdbus_pool_test_alloc(test, pool, 512, false);
	for (i = 0; i < ARRAY_SIZE(s); i += 2)
		kdbus_pool_slice_release(s[i]);
	KDBUS_POOL_EXPECT(test, pool, 4, 4, 2048);
	KUNIT_EXPECT_EQ(test, -EXFULL,
			PTR_ERR(kdbus_pool_slice_alloc(pool, 513, false)));
	KUNIT_EXPECT_EQ(test, -EXFULL,
			PTR_ERR(kdbus_pool_slice_alloc(pool, 1024, false)));
	s[0] = kdbus_pool_test_alloc(test, pool, 512, false);
	KUNIT_EXPECT_EQ(test, 0UL, kdbus_pool_slice_offset(s[0]));
	KDBUS_POOL_EXPECT(test, pool, 3, 5, 1536);

	for (i = 0; i < ARRAY_SIZE(s); i++)
		if (i == 0 || i % 2)
			kdbus_pool_slice_release(s[i]);
	KDBUS_POOL_EXPECT_EMPTY(test, pool);
}

static void kdbus_pool_test_free_offset(struct kunit *test)
{
	struct kdbus_pool_slice *a, *b, *c;
	struct kdbus_pool *pool;
	u64 off = 1, size = 1;

	pool = kdbus_pool_test_new(test, 4096);
	a = kdbus_pool_test_alloc(test, pool, 64, false);
	b = kdbus_pool_test_alloc(test, pool, 64, true);

	/* never published */
	KUNIT_EXPECT_EQ(test, -ENXIO, kdbus_pool_release_offset(pool, 0));
	KUNIT_EXPECT_EQ(test, -ENXIO, kdbus_pool_release_offset(pool, 64));

	kdbus_pool_slice_publish(a, &off, &size);
	KUNIT_EXPECT_EQ(test, 0ULL, off);
	KUNIT_EXPECT_EQ(test, 64ULL, size);
	kdbus_pool_slice_publish(a, NULL, NULL);
	kdbus_pool_slice_publish(b, &off, NULL);
	KUNIT_EXPECT_EQ(test, 64ULL, off);

	/* middle of a slice, a free slice, beyond the pool */
	KUNIT_EXPECT_EQ(test, -ENXIO, kdbus_pool_release_offset(pool, 8));
	KUNIT_EXPECT_EQ(test, -ENXIO, kdbus_pool_release_offset(pool, 127));
	KUNIT_EXPECT_EQ(test, -ENXIO, kdbus_pool_release_offset(pool, 128));
	KUNIT_EXPECT_EQ(test, -ENXIO, kdbus_pool_release_offset(pool, 4104));
	KUNIT_EXPECT_EQ(test, -ENXIO,
			kdbus_pool_release_offset(pool, SIZE_MAX));
	/* the empty slice at the end of the pool */
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_release_offset(pool, 4096));
	KDBUS_POOL_EXPECT(test, pool, 1, 2, 4096 - 128);

	/* received: the kernel reference is gone, FREE frees */
	kdbus_pool_slice_release(a);
	KDBUS_POOL_EXPECT(test, pool, 1, 2, 4096 - 128);
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_release_offset(pool, 0));
	KDBUS_POOL_EXPECT(test, pool, 2, 1, 4096 - 64);
	/* double free */
	KUNIT_EXPECT_EQ(test, -ENXIO, kdbus_pool_release_offset(pool, 0));

	kdbus_pool_slice_release(b);
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_release_offset(pool, 64));
	KUNIT_EXPECT_EQ(test, -ENXIO, kdbus_pool_release_offset(pool, 64));
	KDBUS_POOL_EXPECT_EMPTY(test, pool);

	/* published twice (PEEK, RECV), freed once */
	c = kdbus_pool_test_alloc(test, pool, 24, true);
	kdbus_pool_slice_publish(c, &off, &size);
	kdbus_pool_slice_publish(c, &off, &size);
	KUNIT_EXPECT_EQ(test, 0ULL, off);
	KUNIT_EXPECT_EQ(test, 24ULL, size);
	kdbus_pool_slice_release(c);
	KDBUS_POOL_EXPECT(test, pool, 1, 1, 4096 - 24);
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_release_offset(pool, 0));
	KUNIT_EXPECT_EQ(test, -ENXIO, kdbus_pool_release_offset(pool, 0));
	KDBUS_POOL_EXPECT_EMPTY(test, pool);
}

static void kdbus_pool_test_refs(struct kunit *test)
{
	struct kdbus_pool_slice *a;
	struct kdbus_pool *pool;

	pool = kdbus_pool_test_new(test, 4096);

	/* kernel reference dropped first (RECV, then FREE) */
	a = kdbus_pool_test_alloc(test, pool, 40, true);
	kdbus_pool_slice_publish(a, NULL, NULL);
	kdbus_pool_slice_release(a);
	KDBUS_POOL_EXPECT(test, pool, 1, 1, 4096 - 40);
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_release_offset(pool, 0));
	KDBUS_POOL_EXPECT_EMPTY(test, pool);

	/* user reference dropped first (PEEK, FREE, then RECV_DROP) */
	a = kdbus_pool_test_alloc(test, pool, 40, true);
	kdbus_pool_slice_publish(a, NULL, NULL);
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_release_offset(pool, 0));
	KDBUS_POOL_EXPECT(test, pool, 1, 1, 4096 - 40);
	KUNIT_EXPECT_EQ(test, -ENXIO, kdbus_pool_release_offset(pool, 0));
	kdbus_pool_slice_release(a);
	KDBUS_POOL_EXPECT_EMPTY(test, pool);

	/* PEEK, FREE, RECV, FREE */
	a = kdbus_pool_test_alloc(test, pool, 40, true);
	kdbus_pool_slice_publish(a, NULL, NULL);
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_release_offset(pool, 0));
	kdbus_pool_slice_publish(a, NULL, NULL);
	kdbus_pool_slice_release(a);
	KDBUS_POOL_EXPECT(test, pool, 1, 1, 4096 - 40);
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_release_offset(pool, 0));
	KDBUS_POOL_EXPECT_EMPTY(test, pool);

	/* never published (RECV_DROP, error path): freed at once */
	a = kdbus_pool_test_alloc(test, pool, 40, true);
	kdbus_pool_slice_release(a);
	KDBUS_POOL_EXPECT_EMPTY(test, pool);
}

static void kdbus_pool_test_accounting(struct kunit *test)
{
	struct kdbus_pool_slice *a, *b, *c;
	struct kdbus_pool *pool;
	size_t size = 0, acc = 1;

	pool = kdbus_pool_test_new(test, 8192);

	a = kdbus_pool_test_alloc(test, pool, 100, true);
	b = kdbus_pool_test_alloc(test, pool, 64, false);
	c = kdbus_pool_test_alloc(test, pool, 9, true);
	kdbus_pool_accounted(pool, &size, &acc);
	KUNIT_EXPECT_EQ(test, 8192UL, size);
	KUNIT_EXPECT_EQ(test, 104UL + 16, acc);

	/* received: no longer accounted, though user space still holds it */
	kdbus_pool_slice_publish(a, NULL, NULL);
	kdbus_pool_slice_release(a);
	kdbus_pool_accounted(pool, NULL, &acc);
	KUNIT_EXPECT_EQ(test, 16UL, acc);
	KDBUS_POOL_EXPECT(test, pool, 1, 3, 8192 - 184);

	/* PEEK does not end the accounting */
	kdbus_pool_slice_publish(c, NULL, NULL);
	kdbus_pool_accounted(pool, NULL, &acc);
	KUNIT_EXPECT_EQ(test, 16UL, acc);
	/* neither does a FREE after the PEEK */
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_release_offset(pool, 168));
	kdbus_pool_accounted(pool, NULL, &acc);
	KUNIT_EXPECT_EQ(test, 16UL, acc);
	/* RECV_DROP does */
	kdbus_pool_slice_release(c);
	kdbus_pool_accounted(pool, NULL, &acc);
	KUNIT_EXPECT_EQ(test, 0UL, acc);

	/* an owner slice is never accounted */
	kdbus_pool_slice_publish(b, NULL, NULL);
	kdbus_pool_slice_release(b);
	kdbus_pool_accounted(pool, NULL, &acc);
	KUNIT_EXPECT_EQ(test, 0UL, acc);
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_release_offset(pool, 104));
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_release_offset(pool, 0));
	kdbus_pool_accounted(pool, &size, &acc);
	KUNIT_EXPECT_EQ(test, 8192UL, size);
	KUNIT_EXPECT_EQ(test, 0UL, acc);
	KDBUS_POOL_EXPECT_EMPTY(test, pool);
}

static void kdbus_pool_test_copy_kvec(struct kunit *test)
{
	static const char hdr[16] = "0123456789abcdef";
	static const char tail[24] = "ABCDEFGHIJKLMNOPQRSTUVW";
	struct kvec kvec[2] = {
		{ .iov_base = (void *)hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)tail, .iov_len = sizeof(tail) },
	};
	struct kdbus_pool_slice *a, *b, *c, *d;
	struct kdbus_pool *pool;
	size_t i;
	u8 *buf;

	buf = kunit_kzalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	pool = kdbus_pool_test_new(test, 4 * PAGE_SIZE);

	/* two vectors, the second one only partly */
	a = kdbus_pool_test_alloc(test, pool, 100, false);
	memset(buf, 0xff, 104);
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_test_write(a, 0, buf, 104));
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_slice_copy_kvec(a, 8, kvec, 2, 36));
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_slice_zero(a, 0, 8));
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_slice_zero(a, 44, 60));
	memset(buf, 0xee, 104);
	kdbus_pool_test_read(test, pool, 0, buf, 104);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf, 0, 8));
	KUNIT_EXPECT_MEMEQ(test, buf + 8, hdr, 16);
	KUNIT_EXPECT_MEMEQ(test, buf + 24, tail, 20);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 44, 0, 60));

	/* a slice across a page boundary */
	b = kdbus_pool_test_alloc(test, pool, PAGE_SIZE - 104 - 8, false);
	c = kdbus_pool_test_alloc(test, pool, 64, false);
	KUNIT_EXPECT_EQ(test, PAGE_SIZE - 8, kdbus_pool_slice_offset(c));
	for (i = 0; i < 64; i++)
		buf[i] = i + 1;
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_test_write(c, 0, buf, 64));
	memset(buf + 64, 0, 64);
	kdbus_pool_test_read(test, pool, PAGE_SIZE - 8, buf + 64, 64);
	KUNIT_EXPECT_MEMEQ(test, buf, buf + 64, 64);

	/* zeroing more than a page */
	d = kdbus_pool_test_alloc(test, pool, PAGE_SIZE + 16, false);
	memset(buf, 0xaa, PAGE_SIZE + 16);
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_pool_test_write(d, 0, buf, PAGE_SIZE + 16));
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_slice_zero(d, 8, PAGE_SIZE));
	memset(buf, 0x55, PAGE_SIZE + 16);
	kdbus_pool_test_read(test, pool, kdbus_pool_slice_offset(d), buf,
			     PAGE_SIZE + 16);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf, 0xaa, 8));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 8, 0, PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 8 + PAGE_SIZE, 0xaa, 8));

	/* the preceding slice was not touched */
	kdbus_pool_test_read(test, pool, PAGE_SIZE - 8, buf, 64);
	for (i = 0; i < 64; i++)
		KUNIT_EXPECT_EQ(test, i + 1, (size_t)buf[i]);

	kdbus_pool_slice_release(a);
	kdbus_pool_slice_release(b);
	kdbus_pool_slice_release(c);
	kdbus_pool_slice_release(d);
	KDBUS_POOL_EXPECT_EMPTY(test, pool);
}

static void kdbus_pool_test_copy_bounds(struct kunit *test)
{
	struct kdbus_pool_slice *a, *b;
	struct kdbus_pool *pool;
	struct iovec iov = {};
	u8 buf[72];

	pool = kdbus_pool_test_new(test, 4096);
	a = kdbus_pool_test_alloc(test, pool, 64, false);
	b = kdbus_pool_test_alloc(test, pool, 64, false);
	memset(buf, 0x5a, sizeof(buf));
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_test_write(b, 0, buf, 64));

	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_test_write(a, 0, buf, 64));
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_test_write(a, 56, buf, 8));
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_test_write(a, 64, buf, 0));
	KUNIT_EXPECT_EQ(test, -EFAULT, kdbus_pool_test_write(a, 0, buf, 65));
	KUNIT_EXPECT_EQ(test, -EFAULT, kdbus_pool_test_write(a, 60, buf, 8));
	KUNIT_EXPECT_EQ(test, -EFAULT, kdbus_pool_test_write(a, 65, buf, 0));
	KUNIT_EXPECT_EQ(test, -EFAULT, kdbus_pool_test_write(a, -1, buf, 1));
	KUNIT_EXPECT_EQ(test, -EFAULT,
			kdbus_pool_test_write(a, LLONG_MAX, buf, 1));
	KUNIT_EXPECT_EQ(test, -EFAULT,
			kdbus_pool_slice_copy_kvec(a, 0, NULL, 0, SIZE_MAX));
	/* more than the vectors hold */
	KUNIT_EXPECT_EQ(test, -EFAULT,
			kdbus_pool_slice_copy_kvec(a, 0,
						   &(struct kvec){ buf, 8 },
						   1, 9));
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_slice_zero(a, 64, 0));
	KUNIT_EXPECT_EQ(test, -EFAULT, kdbus_pool_slice_zero(a, 56, 9));
	KUNIT_EXPECT_EQ(test, -EFAULT, kdbus_pool_slice_zero(a, -8, 8));
	/* user memory is not even looked at */
	KUNIT_EXPECT_EQ(test, -EFAULT,
			kdbus_pool_slice_copy_iovec(a, 60, &iov, 1, 8));
	KUNIT_EXPECT_EQ(test, -EFAULT,
			kdbus_pool_slice_copy_iovec(a, 0, &iov, 1, 8));

	/* the next slice is intact */
	memset(buf, 0, sizeof(buf));
	kdbus_pool_test_read(test, pool, 64, buf, 72);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf, 0x5a, 64));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 64, 0, 8));

	kdbus_pool_slice_release(b);
	kdbus_pool_slice_release(a);
	KDBUS_POOL_EXPECT_EMPTY(test, pool);
}

/* an anonymous user mapping in the test's own mm */
static void __user *kdbus_pool_test_user_mem(struct kunit *test, size_t len,
					     unsigned long prot)
{
	unsigned long addr;

	addr = kunit_vm_mmap(test, NULL, 0, len, prot,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, 0UL, addr, "no user memory");
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	return (void __user *)addr;
}

static void kdbus_pool_test_copy_iovec(struct kunit *test)
{
	struct kdbus_pool_slice *a;
	struct kdbus_pool *pool;
	void __user *user, *none;
	struct iovec iov[2];
	u8 *pattern, *buf;
	size_t i;

	pattern = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pattern);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < PAGE_SIZE; i++)
		pattern[i] = i * 7 + 3;
	user = kdbus_pool_test_user_mem(test, PAGE_SIZE,
					PROT_READ | PROT_WRITE);
	none = kdbus_pool_test_user_mem(test, PAGE_SIZE, PROT_NONE);
	KUNIT_ASSERT_EQ(test, 0UL, copy_to_user(user, pattern, PAGE_SIZE));

	pool = kdbus_pool_test_new(test, 4096);
	a = kdbus_pool_test_alloc(test, pool, 64, false);

	iov[0].iov_base = user + 3;
	iov[0].iov_len = 5;
	iov[1].iov_base = user + 100;
	iov[1].iov_len = 20;
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_slice_copy_iovec(a, 8, iov, 2, 25));
	/* fewer bytes than the vectors hold */
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_slice_copy_iovec(a, 40, iov, 2, 7));
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_slice_zero(a, 0, 8));
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_slice_zero(a, 33, 7));
	KUNIT_EXPECT_EQ(test, 0, kdbus_pool_slice_zero(a, 47, 17));
	kdbus_pool_test_read(test, pool, 0, buf, 64);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf, 0, 8));
	KUNIT_EXPECT_MEMEQ(test, buf + 8, pattern + 3, 5);
	KUNIT_EXPECT_MEMEQ(test, buf + 13, pattern + 100, 20);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 33, 0, 7));
	KUNIT_EXPECT_MEMEQ(test, buf + 40, pattern + 3, 5);
	KUNIT_EXPECT_MEMEQ(test, buf + 45, pattern + 100, 2);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 47, 0, 17));

	/* unreadable user memory, alone or after a good vector */
	iov[0].iov_base = none;
	iov[0].iov_len = 8;
	KUNIT_EXPECT_EQ(test, -EFAULT,
			kdbus_pool_slice_copy_iovec(a, 0, iov, 1, 8));
	iov[0].iov_base = user;
	iov[1].iov_base = none;
	KUNIT_EXPECT_EQ(test, -EFAULT,
			kdbus_pool_slice_copy_iovec(a, 0, iov, 2, 28));
	/* a kernel address */
	iov[0].iov_base = (void __user *)pattern;
	KUNIT_EXPECT_EQ(test, -EFAULT,
			kdbus_pool_slice_copy_iovec(a, 0, iov, 1, 8));

	kdbus_pool_slice_release(a);
	KDBUS_POOL_EXPECT_EMPTY(test, pool);
}

/* the file-size limit of the writing task (the sender) does not apply */
static void kdbus_pool_test_rlimit(struct kunit *test)
{
	struct rlimit *rlim = &current->signal->rlim[RLIMIT_FSIZE];
	struct kdbus_pool_slice *a, *b;
	static const char data[8] = "rlimit!";
	struct kdbus_pool *pool;
	unsigned long old;
	char buf[8] = {};
	int ret;

	pool = kdbus_pool_test_new(test, 2 * PAGE_SIZE);
	a = kdbus_pool_test_alloc(test, pool, PAGE_SIZE + 8, false);
	b = kdbus_pool_test_alloc(test, pool, 8, false);

	task_lock(current->group_leader);
	old = rlim->rlim_cur;
	rlim->rlim_cur = PAGE_SIZE;
	task_unlock(current->group_leader);

	ret = kdbus_pool_test_write(b, 0, data, 8);

	task_lock(current->group_leader);
	rlim->rlim_cur = old;
	task_unlock(current->group_leader);

	KUNIT_EXPECT_EQ(test, 0, ret);
	kdbus_pool_test_read(test, pool, PAGE_SIZE + 8, buf, 8);
	KUNIT_EXPECT_MEMEQ(test, buf, data, 8);

	kdbus_pool_slice_release(a);
	kdbus_pool_slice_release(b);
	KDBUS_POOL_EXPECT_EMPTY(test, pool);
}

static int kdbus_pool_test_mmap_fop(struct file *file,
				    struct vm_area_struct *vma)
{
	return kdbus_pool_mmap(file->private_data, vma);
}

static const struct file_operations kdbus_pool_test_fops = {
	.mmap = kdbus_pool_test_mmap_fop,
};

static void kdbus_pool_test_vma(struct kunit *test, unsigned long addr,
				struct file *f)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	vm_flags_t flags = 0;
	struct file *vm_file = NULL;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (vma) {
		flags = vma->vm_flags;
		vm_file = vma->vm_file;
	}
	mmap_read_unlock(mm);

	KUNIT_EXPECT_PTR_EQ(test, f, vm_file);
	KUNIT_EXPECT_FALSE(test, flags & (VM_WRITE | VM_MAYWRITE));
	KUNIT_EXPECT_TRUE(test, flags & VM_READ);
}

static void kdbus_pool_test_mmap(struct kunit *test)
{
	const size_t size = 4 * PAGE_SIZE;
	unsigned long addr, priv;
	struct kdbus_pool_slice *a;
	struct kdbus_pool *pool;
	struct file *file, *f;
	u8 *pattern, *buf;
	size_t i;

	pattern = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	buf = kunit_kzalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pattern);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < 2 * PAGE_SIZE; i++)
		pattern[i] = i * 13 + (i >> 8);

	/* a user address space for the test */
	kdbus_pool_test_user_mem(test, PAGE_SIZE, PROT_READ);

	pool = kdbus_pool_test_new(test, size);
	f = pool->f;
	a = kdbus_pool_test_alloc(test, pool, 2 * PAGE_SIZE, false);
	KUNIT_ASSERT_EQ(test, 0,
			kdbus_pool_test_write(a, 0, pattern, 2 * PAGE_SIZE));

	/* stands in for the connection file */
	file = anon_inode_getfile("[kdbus-pool-test]", &kdbus_pool_test_fops,
				  pool, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test,
						  kdbus_pool_test_fput_action,
						  file));

	addr = vm_mmap(file, 0, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	KUNIT_EXPECT_EQ(test, (long)-EPERM, (long)addr);
	addr = vm_mmap(file, 0, size, PROT_WRITE, MAP_PRIVATE, 0);
	KUNIT_EXPECT_EQ(test, (long)-EPERM, (long)addr);
	addr = vm_mmap(file, 0, size + PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	KUNIT_EXPECT_EQ(test, (long)-EFAULT, (long)addr);
	addr = vm_mmap(file, 0, size, PROT_READ, MAP_SHARED, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, (long)-EFAULT, (long)addr);
	addr = vm_mmap(file, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, size);
	KUNIT_EXPECT_EQ(test, (long)-EFAULT, (long)addr);

	/* the whole pool, shared */
	addr = vm_mmap(file, 0, size, PROT_READ, MAP_SHARED, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	kdbus_pool_test_vma(test, addr, f);
	KUNIT_EXPECT_EQ(test, 0UL,
			copy_from_user(buf, (void __user *)addr,
				       2 * PAGE_SIZE));
	KUNIT_EXPECT_MEMEQ(test, buf, pattern, 2 * PAGE_SIZE);
	/* never written: zero */
	KUNIT_EXPECT_EQ(test, 0UL,
			copy_from_user(buf,
				       (void __user *)(addr + 2 * PAGE_SIZE),
				       PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf, 0, PAGE_SIZE));

	/* the second page, private */
	priv = vm_mmap(file, 0, PAGE_SIZE, PROT_READ, MAP_PRIVATE, PAGE_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(priv));
	kdbus_pool_test_vma(test, priv, f);
	KUNIT_EXPECT_EQ(test, 0UL,
			copy_from_user(buf, (void __user *)priv, PAGE_SIZE));
	KUNIT_EXPECT_MEMEQ(test, buf, pattern + PAGE_SIZE, PAGE_SIZE);

	/* the mappings outlive the pool */
	kdbus_pool_slice_release(a);
	KDBUS_POOL_EXPECT_EMPTY(test, pool);
	kunit_release_action(test, kdbus_pool_test_free_action, pool);
	memset(buf, 0, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, 0UL,
			copy_from_user(buf, (void __user *)addr,
				       2 * PAGE_SIZE));
	KUNIT_EXPECT_MEMEQ(test, buf, pattern, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, 0UL,
			copy_from_user(buf, (void __user *)priv, 8));
	KUNIT_EXPECT_MEMEQ(test, buf, pattern + PAGE_SIZE, 8);

	KUNIT_EXPECT_EQ(test, 0, vm_munmap(priv, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0, vm_munmap(addr, size));
}

static struct kunit_case kdbus_pool_test_cases[] = {
	KUNIT_CASE(kdbus_pool_test_new_free),
	KUNIT_CASE(kdbus_pool_test_alloc_merge),
	KUNIT_CASE(kdbus_pool_test_best_fit),
	KUNIT_CASE(kdbus_pool_test_exfull),
	KUNIT_CASE(kdbus_pool_test_free_offset),
	KUNIT_CASE(kdbus_pool_test_refs),
	KUNIT_CASE(kdbus_pool_test_accounting),
	KUNIT_CASE(kdbus_pool_test_copy_kvec),
	KUNIT_CASE(kdbus_pool_test_copy_bounds),
	KUNIT_CASE(kdbus_pool_test_copy_iovec),
	KUNIT_CASE(kdbus_pool_test_rlimit),
	KUNIT_CASE(kdbus_pool_test_mmap),
	{}
};

static struct kunit_suite kdbus_pool_test_suite = {
	.name = "kdbus_pool",
	.test_cases = kdbus_pool_test_cases,
};

kunit_test_suite(kdbus_pool_test_suite);
