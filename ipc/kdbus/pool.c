// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - per-connection receive pool
 *
 * Every slice of a pool is on &kdbus_pool.slices, in offset order, so the
 * neighbours of a slice are found in O(1) when it is freed. A free slice
 * is also in &kdbus_pool.slices_free, ordered by size and then offset, for
 * best-fit allocation; a busy slice is in &kdbus_pool.slices_busy, ordered
 * by offset, for KDBUS_CMD_FREE. Adjacent free slices are always merged,
 * so a pool without busy slices is exactly one free slice.
 *
 * Data is written with generic_perform_write() on the shmem file under its
 * inode lock, which is what shmem's ->write_iter() does after
 * generic_write_checks(). The checks are skipped on purpose: they apply
 * RLIMIT_FSIZE of the writing task, which here is the sender of a message,
 * and would fail the write with -EFBIG and SIGXFSZ whenever the slice
 * lies beyond the sender's file-size limit. The pool file has a fixed
 * size and every write is checked against its slice before it starts.
 */

#include <linux/bvec.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/rbtree.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uio.h>

#include "pool.h"

/**
 * struct kdbus_pool - the receive pool of a connection
 * @lock:		Protects everything below except @f and @size
 * @f:			The shmem file
 * @size:		Size of the pool in bytes, a multiple of 8
 * @accounted:		Bytes in accounted slices holding the kernel reference
 * @slices:		All slices, in offset order
 * @slices_free:	Free slices, by size, then offset
 * @slices_busy:	Busy slices, by offset
 */
struct kdbus_pool {
	spinlock_t lock; /* protects the slice lists, trees and accounting */
	struct file *f;
	size_t size;
	size_t accounted;
	struct list_head slices;
	struct rb_root slices_free;
	struct rb_root slices_busy;
};

/**
 * struct kdbus_pool_slice - a range of a pool
 * @pool:	Pool the slice belongs to
 * @off:	Offset of the slice in the pool
 * @size:	Size of the slice, a multiple of 8
 * @entry:	Link in &kdbus_pool.slices
 * @rb_node:	Link in &kdbus_pool.slices_free or &kdbus_pool.slices_busy
 * @free:	Whether the slice is free
 * @ref_kernel:	Kernel reference held
 * @ref_user:	User reference held
 * @accounted:	The slice counts toward &kdbus_pool.accounted while the
 *		kernel reference is held
 *
 * @off and @size of a busy slice never change; those of a free slice change
 * under the pool lock when it is split or merged.
 */
struct kdbus_pool_slice {
	struct kdbus_pool *pool;
	size_t off;
	size_t size;
	struct list_head entry;
	struct rb_node rb_node;
	bool free;
	bool ref_kernel;
	bool ref_user;
	bool accounted;
};

static struct kdbus_pool_slice *kdbus_pool_slice_new(struct kdbus_pool *pool)
{
	struct kdbus_pool_slice *slice;

	slice = kzalloc(sizeof(*slice), GFP_KERNEL_ACCOUNT);
	if (slice) {
		slice->pool = pool;
		INIT_LIST_HEAD(&slice->entry);
		RB_CLEAR_NODE(&slice->rb_node);
	}
	return slice;
}

static void kdbus_pool_insert_free(struct kdbus_pool *pool,
				   struct kdbus_pool_slice *slice)
{
	struct rb_node **n = &pool->slices_free.rb_node, *parent = NULL;
	struct kdbus_pool_slice *s;

	lockdep_assert_held(&pool->lock);

	while (*n) {
		parent = *n;
		s = rb_entry(parent, struct kdbus_pool_slice, rb_node);
		if (slice->size < s->size ||
		    (slice->size == s->size && slice->off < s->off))
			n = &parent->rb_left;
		else
			n = &parent->rb_right;
	}
	rb_link_node(&slice->rb_node, parent, n);
	rb_insert_color(&slice->rb_node, &pool->slices_free);
	slice->free = true;
}

static void kdbus_pool_insert_busy(struct kdbus_pool *pool,
				   struct kdbus_pool_slice *slice)
{
	struct rb_node **n = &pool->slices_busy.rb_node, *parent = NULL;
	struct kdbus_pool_slice *s;

	lockdep_assert_held(&pool->lock);

	while (*n) {
		parent = *n;
		s = rb_entry(parent, struct kdbus_pool_slice, rb_node);
		if (slice->off < s->off)
			n = &parent->rb_left;
		else
			n = &parent->rb_right;
	}
	rb_link_node(&slice->rb_node, parent, n);
	rb_insert_color(&slice->rb_node, &pool->slices_busy);
	slice->free = false;
}

/* the smallest free slice of at least @size bytes, the lowest offset wins */
static struct kdbus_pool_slice *kdbus_pool_find_free(struct kdbus_pool *pool,
						     size_t size)
{
	struct rb_node *n = pool->slices_free.rb_node;
	struct kdbus_pool_slice *s, *found = NULL;

	lockdep_assert_held(&pool->lock);

	while (n) {
		s = rb_entry(n, struct kdbus_pool_slice, rb_node);
		if (s->size < size) {
			n = n->rb_right;
		} else {
			found = s;
			n = n->rb_left;
		}
	}
	return found;
}

static struct kdbus_pool_slice *kdbus_pool_find_busy(struct kdbus_pool *pool,
						     size_t off)
{
	struct rb_node *n = pool->slices_busy.rb_node;
	struct kdbus_pool_slice *s;

	lockdep_assert_held(&pool->lock);

	while (n) {
		s = rb_entry(n, struct kdbus_pool_slice, rb_node);
		if (off < s->off)
			n = n->rb_left;
		else if (off > s->off)
			n = n->rb_right;
		else
			return s;
	}
	return NULL;
}

/* turn a busy slice without references into a free one, merging it */
static void kdbus_pool_slice_free(struct kdbus_pool_slice *slice)
{
	struct kdbus_pool *pool = slice->pool;
	struct kdbus_pool_slice *s;

	lockdep_assert_held(&pool->lock);

	rb_erase(&slice->rb_node, &pool->slices_busy);
	RB_CLEAR_NODE(&slice->rb_node);

	if (!list_is_first(&slice->entry, &pool->slices)) {
		s = list_prev_entry(slice, entry);
		if (s->free) {
			rb_erase(&s->rb_node, &pool->slices_free);
			s->size += slice->size;
			list_del(&slice->entry);
			kfree(slice);
			slice = s;
		}
	}

	if (!list_is_last(&slice->entry, &pool->slices)) {
		s = list_next_entry(slice, entry);
		if (s->free) {
			rb_erase(&s->rb_node, &pool->slices_free);
			slice->size += s->size;
			list_del(&s->entry);
			kfree(s);
		}
	}

	kdbus_pool_insert_free(pool, slice);
}

/**
 * kdbus_pool_new() - create a pool
 * @name:	Name of the shmem file, "kdbus-conn" or
 *		"kdbus-conn:<description>"
 * @size:	Size of the pool in bytes, non-zero and a multiple of 8
 *		(HELLO requires a multiple of PAGE_SIZE)
 *
 * Memory is not reserved for the whole pool; shmem pages are allocated on
 * the first write and charged to the writer.
 *
 * Return: the new pool, which is one free slice, or an ERR_PTR().
 */
struct kdbus_pool *kdbus_pool_new(const char *name, size_t size)
{
	struct kdbus_pool_slice *slice;
	struct kdbus_pool *pool;
	struct file *f;
	int ret;

	if (!size || !IS_ALIGNED(size, 8))
		return ERR_PTR(-EINVAL);

	pool = kzalloc(sizeof(*pool), GFP_KERNEL_ACCOUNT);
	if (!pool)
		return ERR_PTR(-ENOMEM);

	spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->slices);
	pool->slices_free = RB_ROOT;
	pool->slices_busy = RB_ROOT;
	pool->size = size;

	slice = kdbus_pool_slice_new(pool);
	if (!slice) {
		ret = -ENOMEM;
		goto exit_free;
	}

	f = shmem_file_setup(name ?: "kdbus-conn", size, VM_NORESERVE);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		goto exit_free_slice;
	}
	pool->f = f;

	slice->off = 0;
	slice->size = size;
	spin_lock(&pool->lock);
	list_add(&slice->entry, &pool->slices);
	kdbus_pool_insert_free(pool, slice);
	spin_unlock(&pool->lock);

	return pool;

exit_free_slice:
	kfree(slice);
exit_free:
	kfree(pool);
	return ERR_PTR(ret);
}

/**
 * kdbus_pool_free() - destroy a pool
 * @pool:	Pool to destroy, or NULL
 *
 * Frees every slice, whatever references it still holds, and drops the
 * pool's reference to the shmem file; existing mappings keep the file
 * alive. Slice pointers of the pool are invalid afterwards.
 */
void kdbus_pool_free(struct kdbus_pool *pool)
{
	struct kdbus_pool_slice *slice, *tmp;

	if (!pool)
		return;

	list_for_each_entry_safe(slice, tmp, &pool->slices, entry) {
		list_del(&slice->entry);
		kfree(slice);
	}
	fput(pool->f);
	kfree(pool);
}

/**
 * kdbus_pool_size() - size of a pool
 * @pool:	Pool
 *
 * Return: the size of the pool in bytes.
 */
size_t kdbus_pool_size(const struct kdbus_pool *pool)
{
	return pool->size;
}

/**
 * kdbus_pool_accounted() - usage of a pool
 * @pool:	Pool
 * @size:	Output: size of the pool, may be NULL
 * @acc:	Output: bytes in accounted slices that still hold their
 *		kernel reference (queued messages), may be NULL
 */
void kdbus_pool_accounted(struct kdbus_pool *pool, size_t *size, size_t *acc)
{
	if (size)
		*size = pool->size;
	if (acc) {
		spin_lock(&pool->lock);
		*acc = pool->accounted;
		spin_unlock(&pool->lock);
	}
}

/**
 * kdbus_pool_slice_alloc() - allocate a slice
 * @pool:	Pool
 * @size:	Number of bytes needed, non-zero; rounded up to a multiple
 *		of 8
 * @accounted:	Whether the slice counts toward kdbus_pool_accounted()
 *		while its kernel reference is held (queued messages); false
 *		for owner results (HELLO, CONN_INFO, LIST)
 *
 * The smallest free slice that is large enough is split. The new slice
 * holds the kernel reference and no user reference. Its content is
 * whatever an earlier slice at that place left behind: the caller writes
 * every byte of it before publishing it.
 *
 * Context: process context, sleeps.
 * Return: the slice, ERR_PTR(-EXFULL) if no free slice is large enough,
 * ERR_PTR(-EINVAL) for a zero size, ERR_PTR(-ENOMEM).
 */
struct kdbus_pool_slice *kdbus_pool_slice_alloc(struct kdbus_pool *pool,
						size_t size, bool accounted)
{
	struct kdbus_pool_slice *slice, *rest;

	if (!size)
		return ERR_PTR(-EINVAL);
	if (size > pool->size)
		return ERR_PTR(-EXFULL);
	size = ALIGN(size, 8);

	/* the remainder of a split, allocated before taking the lock */
	rest = kdbus_pool_slice_new(pool);
	if (!rest)
		return ERR_PTR(-ENOMEM);

	spin_lock(&pool->lock);
	slice = kdbus_pool_find_free(pool, size);
	if (!slice) {
		spin_unlock(&pool->lock);
		kfree(rest);
		return ERR_PTR(-EXFULL);
	}

	rb_erase(&slice->rb_node, &pool->slices_free);
	if (slice->size > size) {
		rest->off = slice->off + size;
		rest->size = slice->size - size;
		list_add(&rest->entry, &slice->entry);
		kdbus_pool_insert_free(pool, rest);
		slice->size = size;
		rest = NULL;
	}

	slice->ref_kernel = true;
	slice->ref_user = false;
	slice->accounted = accounted;
	kdbus_pool_insert_busy(pool, slice);
	if (accounted)
		pool->accounted += size;
	spin_unlock(&pool->lock);

	kfree(rest);
	return slice;
}

/**
 * kdbus_pool_slice_release() - drop the kernel reference of a slice
 * @slice:	Slice, or NULL
 *
 * Called when a message was received, dropped or discarded, and on error
 * paths before publishing. Ends the accounting of an accounted slice. The
 * slice is freed if it has no user reference; either way the caller must
 * not use it any more.
 */
void kdbus_pool_slice_release(struct kdbus_pool_slice *slice)
{
	struct kdbus_pool *pool;

	if (!slice)
		return;

	pool = slice->pool;
	spin_lock(&pool->lock);
	if (!WARN_ON_ONCE(slice->free || !slice->ref_kernel)) {
		slice->ref_kernel = false;
		if (slice->accounted)
			pool->accounted -= slice->size;
		if (!slice->ref_user)
			kdbus_pool_slice_free(slice);
	}
	spin_unlock(&pool->lock);
}

/**
 * kdbus_pool_slice_publish() - hand a slice to user space
 * @slice:	Slice whose kernel reference the caller holds
 * @out_offset:	Output: offset of the slice in the pool, may be NULL
 * @out_size:	Output: size of the slice, may be NULL
 *
 * Sets the user reference, which only KDBUS_CMD_FREE drops. Publishing a
 * slice again (RECV_PEEK, then RECV) changes nothing: one FREE suffices.
 * Publish before releasing the kernel reference.
 */
void kdbus_pool_slice_publish(struct kdbus_pool_slice *slice,
			      u64 *out_offset, u64 *out_size)
{
	struct kdbus_pool *pool = slice->pool;

	spin_lock(&pool->lock);
	WARN_ON_ONCE(slice->free || !slice->ref_kernel);
	slice->ref_user = true;
	spin_unlock(&pool->lock);

	if (out_offset)
		*out_offset = slice->off;
	if (out_size)
		*out_size = slice->size;
}

/**
 * kdbus_pool_release_offset() - drop the user reference of a slice
 * @pool:	Pool
 * @off:	Offset of the slice, as given to KDBUS_CMD_FREE
 *
 * The slice is freed if the kernel reference is gone too. @off equal to
 * the pool size denotes the empty slice and is accepted as a no-op.
 *
 * Return: 0 on success, -ENXIO if no slice that currently holds the user
 * reference starts at @off.
 */
int kdbus_pool_release_offset(struct kdbus_pool *pool, size_t off)
{
	struct kdbus_pool_slice *slice;
	int ret = 0;

	if (off == pool->size)
		return 0;

	spin_lock(&pool->lock);
	slice = kdbus_pool_find_busy(pool, off);
	if (!slice || !slice->ref_user) {
		ret = -ENXIO;
	} else {
		slice->ref_user = false;
		if (!slice->ref_kernel)
			kdbus_pool_slice_free(slice);
	}
	spin_unlock(&pool->lock);

	return ret;
}

/**
 * kdbus_pool_slice_offset() - offset of a slice in its pool
 * @slice:	Slice whose kernel reference the caller holds
 *
 * Return: the offset in bytes.
 */
size_t kdbus_pool_slice_offset(const struct kdbus_pool_slice *slice)
{
	return slice->off;
}

/**
 * kdbus_pool_slice_size() - size of a slice
 * @slice:	Slice whose kernel reference the caller holds
 *
 * Return: the size in bytes, a multiple of 8.
 */
size_t kdbus_pool_slice_size(const struct kdbus_pool_slice *slice)
{
	return slice->size;
}

/* whether [@off, @off + @len) lies inside the slice */
static bool kdbus_pool_slice_in(const struct kdbus_pool_slice *slice,
				loff_t off, size_t len)
{
	return off >= 0 && (u64)off <= slice->size &&
	       len <= slice->size - (size_t)off;
}

/*
 * Write all of @iter at byte @off of the slice: -EFAULT, with nothing
 * written, if the range exceeds the slice or the @buf_len bytes of the
 * buffers behind @iter.
 */
static int kdbus_pool_write(const struct kdbus_pool_slice *slice, loff_t off,
			    struct iov_iter *iter, size_t buf_len)
{
	struct file *f = slice->pool->f;
	struct inode *inode = file_inode(f);
	struct kiocb kiocb;
	ssize_t n;
	int ret = 0;

	if (!kdbus_pool_slice_in(slice, off, iov_iter_count(iter)) ||
	    buf_len < iov_iter_count(iter))
		return -EFAULT;

	init_sync_kiocb(&kiocb, f);
	kiocb.ki_pos = slice->off + off;

	file_start_write(f);
	inode_lock(inode);
	while (iov_iter_count(iter)) {
		n = generic_perform_write(&kiocb, iter);
		if (n <= 0) {
			ret = n ?: -EFAULT;
			break;
		}
	}
	inode_unlock(inode);
	file_end_write(f);

	return ret;
}

/**
 * kdbus_pool_slice_copy_iovec() - copy user memory into a slice
 * @slice:	Slice whose kernel reference the caller holds
 * @off:	Offset inside the slice
 * @iov:	Kernel array of user buffers
 * @iov_len:	Number of entries in @iov
 * @total_len:	Number of bytes to copy, at most the sum of the buffer
 *		lengths
 *
 * The data goes straight from the user buffers into the shmem file, with
 * no intermediate kernel buffer.
 *
 * Context: process context of the task owning the user buffers, sleeps.
 * Return: 0 on success, -EFAULT if the range exceeds the slice or the
 * buffers or a buffer cannot be read, another negative error code if the
 * pool memory cannot be allocated.
 */
int kdbus_pool_slice_copy_iovec(const struct kdbus_pool_slice *slice,
				loff_t off, struct iovec *iov, size_t iov_len,
				size_t total_len)
{
	struct iov_iter iter;
	size_t i, sum = 0;

	for (i = 0; i < iov_len; i++)
		sum = size_add(sum, iov[i].iov_len);
	iov_iter_init(&iter, ITER_SOURCE, iov, iov_len, total_len);
	return kdbus_pool_write(slice, off, &iter, sum);
}

/**
 * kdbus_pool_slice_copy_kvec() - copy kernel memory into a slice
 * @slice:	Slice whose kernel reference the caller holds
 * @off:	Offset inside the slice
 * @kvec:	Array of kernel buffers
 * @kvec_count:	Number of entries in @kvec
 * @total_len:	Number of bytes to copy, at most the sum of the buffer
 *		lengths
 *
 * Context: process context, sleeps.
 * Return: 0 on success, -EFAULT if the range exceeds the slice or the
 * buffers, another negative error code if the pool memory cannot be
 * allocated.
 */
int kdbus_pool_slice_copy_kvec(const struct kdbus_pool_slice *slice,
			       loff_t off, struct kvec *kvec,
			       size_t kvec_count, size_t total_len)
{
	struct iov_iter iter;
	size_t i, sum = 0;

	for (i = 0; i < kvec_count; i++)
		sum = size_add(sum, kvec[i].iov_len);
	iov_iter_kvec(&iter, ITER_SOURCE, kvec, kvec_count, total_len);
	return kdbus_pool_write(slice, off, &iter, sum);
}

/**
 * kdbus_pool_slice_zero() - write zero bytes into a slice
 * @slice:	Slice whose kernel reference the caller holds
 * @off:	Offset inside the slice
 * @len:	Number of zero bytes
 *
 * Context: process context, sleeps.
 * Return: 0 on success, -EFAULT if the range exceeds the slice, another
 * negative error code if the pool memory cannot be allocated.
 */
int kdbus_pool_slice_zero(const struct kdbus_pool_slice *slice, loff_t off,
			  size_t len)
{
	struct iov_iter iter;
	struct bio_vec bvec;
	size_t n;
	int ret;

	if (!kdbus_pool_slice_in(slice, off, len))
		return -EFAULT;

	while (len) {
		n = min_t(size_t, len, PAGE_SIZE);
		bvec_set_page(&bvec, ZERO_PAGE(0), n, 0);
		iov_iter_bvec(&iter, ITER_SOURCE, &bvec, 1, n);
		ret = kdbus_pool_write(slice, off, &iter, n);
		if (ret)
			return ret;
		off += n;
		len -= n;
	}
	return 0;
}

/**
 * kdbus_pool_mmap() - map a pool
 * @pool:	Pool
 * @vma:	The mapping being set up by mmap() of the connection file
 *
 * Mappings are read-only and can never become writable; they map the
 * shmem file itself and hold a reference to it, so they stay valid after
 * the pool is freed. MAP_SHARED and MAP_PRIVATE both work.
 *
 * Return: 0 on success, -EPERM if write access was requested, -EFAULT if
 * the mapping reaches beyond the end of the pool, or the error of the
 * shmem mmap.
 */
int kdbus_pool_mmap(const struct kdbus_pool *pool, struct vm_area_struct *vma)
{
	unsigned long len = vma->vm_end - vma->vm_start;

	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	vm_flags_clear(vma, VM_MAYWRITE);

	if (vma->vm_pgoff > (pool->size >> PAGE_SHIFT) ||
	    len > pool->size - (vma->vm_pgoff << PAGE_SHIFT))
		return -EFAULT;

	vma_set_file(vma, pool->f);
	return call_mmap(pool->f, vma);
}

#if IS_ENABLED(CONFIG_KDBUS_KUNIT_TEST)

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

#endif /* CONFIG_KDBUS_KUNIT_TEST */
