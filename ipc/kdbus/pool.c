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
 * Data is written into the folios of the shmem file directly, never
 * through its ->write_iter() and never under its inode lock (see
 * kdbus_pool_write()). The pool file has a fixed size and every write is
 * checked against its slice before it starts; RLIMIT_FSIZE of the writing
 * task, the sender of a message, does not apply.
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
 *
 * The data goes straight into the page cache of the shmem file, one folio
 * at a time, without the inode lock: the caller's kernel reference gives
 * it the slice to itself, and writers of neighbouring slices that share a
 * folio only ever hold its folio lock for an atomic copy. The copy runs
 * with page faults disabled (kmap_atomic()); when the source is not
 * resident, the folio is unlocked and released, the source is faulted in
 * with no lock held at all, and the copy is retried. A sender whose
 * memory takes forever to fault in (userfaultfd, FUSE) so stalls only
 * itself.
 */
static int kdbus_pool_write(const struct kdbus_pool_slice *slice, loff_t off,
			    struct iov_iter *iter, size_t buf_len)
{
	struct inode *inode = file_inode(slice->pool->f);
	loff_t pos = slice->off + off;
	int ret;

	if (!kdbus_pool_slice_in(slice, off, iov_iter_count(iter)) ||
	    buf_len < iov_iter_count(iter))
		return -EFAULT;

	while (iov_iter_count(iter)) {
		struct folio *folio;
		size_t offset, bytes, copied;

		ret = shmem_get_folio(inode, pos >> PAGE_SHIFT, 0, &folio,
				      SGP_CACHE);
		if (ret)
			return ret;

		offset = offset_in_folio(folio, pos);
		bytes = min_t(size_t, folio_size(folio) - offset,
			      iov_iter_count(iter));
		copied = copy_folio_from_iter_atomic(folio, offset, bytes,
						     iter);
		flush_dcache_folio(folio);
		if (copied)
			folio_mark_dirty(folio);
		folio_unlock(folio);
		folio_put(folio);

		pos += copied;
		if (copied < bytes &&
		    fault_in_iov_iter_readable(iter, bytes - copied) ==
		    bytes - copied)
			return -EFAULT;
		cond_resched();
	}

	return 0;
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
 * kdbus_pool_publish_kvec() - hand a result of the kernel to the owner
 * @pool:	Pool
 * @kvec:	Array of kernel buffers
 * @kvec_count:	Number of entries in @kvec
 * @size:	Size of the slice; the bytes after the buffers are zeroed
 * @offset:	The offset of the new slice is returned here
 * @out_size:	Its size is returned here
 *
 * Allocates an owner slice (not accounted to any sender) of @size bytes,
 * writes the buffers and zero padding into it and publishes it: the
 * results of HELLO, CONN_INFO, BUS_CREATOR_INFO and LIST. The caller holds
 * no lock another task may need.
 *
 * Context: process context, sleeps.
 * Return: 0 on success, -EXFULL if the pool has no room, -EFAULT if the
 * buffers do not fit, another negative error code if pool memory cannot
 * be allocated.
 */
int kdbus_pool_publish_kvec(struct kdbus_pool *pool, struct kvec *kvec,
			    size_t kvec_count, size_t size, u64 *offset,
			    u64 *out_size)
{
	struct kdbus_pool_slice *slice;
	size_t i, total = 0;
	int ret;

	for (i = 0; i < kvec_count; i++)
		total = size_add(total, kvec[i].iov_len);

	slice = kdbus_pool_slice_alloc(pool, size, false);
	if (IS_ERR(slice))
		return PTR_ERR(slice);

	ret = kdbus_pool_slice_copy_kvec(slice, 0, kvec, kvec_count, total);
	if (!ret && total < size)
		ret = kdbus_pool_slice_zero(slice, total, size - total);
	if (!ret)
		kdbus_pool_slice_publish(slice, offset, out_size);
	kdbus_pool_slice_release(slice);
	return ret;
}

/**
 * kdbus_pool_slice_copy() - copy one slice into another, of another pool
 * @dst:	Slice whose kernel reference the caller holds, at least as
 *		large as @src
 * @src:	Slice whose kernel reference the caller holds
 *
 * Copies the whole content of @src to the start of @dst, a page at a
 * time, straight from the shmem folios of the source pool (a page never
 * written reads as zero). Only kernel memory is read: the copy cannot
 * stall on a fault of user memory, so it may run with connection locks
 * held.
 *
 * Context: process context, sleeps.
 * Return: 0 on success, -EFAULT if @dst is too small, another negative
 * error code if pool memory cannot be read or allocated.
 */
int kdbus_pool_slice_copy(const struct kdbus_pool_slice *dst,
			  const struct kdbus_pool_slice *src)
{
	struct inode *inode = file_inode(src->pool->f);
	loff_t pos = src->off, off = 0;
	size_t len = src->size;
	int ret;

	if (!kdbus_pool_slice_in(dst, 0, len))
		return -EFAULT;

	while (len) {
		struct folio *folio = NULL;
		struct iov_iter iter;
		struct bio_vec bvec;
		size_t foff, n;

		ret = shmem_get_folio(inode, pos >> PAGE_SHIFT, 0, &folio,
				      SGP_READ);
		if (ret)
			return ret;

		if (folio) {
			folio_unlock(folio);
			foff = offset_in_folio(folio, pos);
			n = min_t(size_t, len, folio_size(folio) - foff);
			bvec_set_folio(&bvec, folio, n, foff);
		} else {
			n = min_t(size_t, len, PAGE_SIZE - offset_in_page(pos));
			bvec_set_page(&bvec, ZERO_PAGE(0), n, 0);
		}
		iov_iter_bvec(&iter, ITER_SOURCE, &bvec, 1, n);
		ret = kdbus_pool_write(dst, off, &iter, n);
		if (folio)
			folio_put(folio);
		if (ret)
			return ret;

		pos += n;
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
#include "pool_test.c"
#endif
