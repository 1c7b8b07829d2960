/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - per-connection receive pool
 *
 * A pool is a shmem file of a fixed size, written only by the kernel and
 * mapped read-only by its connection. It is cut into slices: contiguous,
 * non-overlapping byte ranges whose sizes are multiples of 8 and that
 * together always cover the whole file. A slice is free or busy.
 *
 * Ownership: the connection owns its pool (kdbus_pool_new() at HELLO,
 * kdbus_pool_free() when the connection is cleaned up). The pool owns all
 * its slices and the shmem file; a mapping of the pool holds its own
 * reference to the file and outlives the pool.
 *
 * References: a busy slice carries up to two references, both plain flags
 * under the pool lock, not counters:
 *  - the kernel reference, set by kdbus_pool_slice_alloc() and dropped by
 *    kdbus_pool_slice_release(). Whoever holds it (the queue entry of a
 *    message, an ioctl filling an owner result) owns the slice: only it
 *    may write into the slice, publish it or release it, and the slice
 *    stays valid until it does. Publish before releasing.
 *  - the user reference, set by kdbus_pool_slice_publish() (idempotent)
 *    and dropped by kdbus_pool_release_offset() (KDBUS_CMD_FREE).
 * A slice whose references are both gone is freed at once and merged with
 * its free neighbours. A caller must not touch a slice after dropping its
 * kernel reference: user space may free it at any time. kdbus_pool_free()
 * frees every slice, whatever references it still has, so all slice
 * pointers held by the caller die with the pool.
 *
 * Locking: &kdbus_pool.lock, a spinlock, protects the slice list, both
 * slice trees, the reference and free flags of every slice and the
 * accounting. It is a leaf lock, never held across a blocking call or a
 * copy. kdbus_pool_slice_release(), kdbus_pool_slice_publish(),
 * kdbus_pool_release_offset() and kdbus_pool_accounted() may be called in
 * atomic context; kdbus_pool_new(), kdbus_pool_free() and
 * kdbus_pool_slice_alloc() sleep. The copy helpers sleep (they fault in
 * user memory and allocate shmem pages); they take no lock but, for the
 * length of one atomic copy with page faults disabled, the lock of the
 * shmem folio being written, and fault in the source with no lock held.
 * They must be called without any lock another task may need: a sender's
 * memory may take forever to fault in. The caller guarantees, by holding
 * the kernel reference, that the slice is neither freed nor written by
 * anybody else meanwhile.
 * The offset and size of a busy slice never change.
 *
 * Content: the pool is never cleared. Fresh shmem pages read as zero, but
 * a slice reused after a FREE still holds the bytes of earlier messages.
 * Whoever publishes a slice must first write every byte of it, padding
 * included (kdbus_pool_slice_zero() writes padding), so that no stale
 * data of an earlier message reaches user space.
 */

#ifndef __KDBUS_POOL_H
#define __KDBUS_POOL_H

#include <linux/types.h>

struct iovec;
struct kvec;
struct kdbus_pool;
struct kdbus_pool_slice;
struct vm_area_struct;

struct kdbus_pool *kdbus_pool_new(const char *name, size_t size);
void kdbus_pool_free(struct kdbus_pool *pool);
size_t kdbus_pool_size(const struct kdbus_pool *pool);
void kdbus_pool_accounted(struct kdbus_pool *pool, size_t *size, size_t *acc);
int kdbus_pool_release_offset(struct kdbus_pool *pool, size_t off);
int kdbus_pool_mmap(const struct kdbus_pool *pool, struct vm_area_struct *vma);

struct kdbus_pool_slice *kdbus_pool_slice_alloc(struct kdbus_pool *pool,
						size_t size, bool accounted);
void kdbus_pool_slice_release(struct kdbus_pool_slice *slice);
void kdbus_pool_slice_publish(struct kdbus_pool_slice *slice,
			      u64 *out_offset, u64 *out_size);
size_t kdbus_pool_slice_offset(const struct kdbus_pool_slice *slice);
size_t kdbus_pool_slice_size(const struct kdbus_pool_slice *slice);

int kdbus_pool_slice_copy_iovec(const struct kdbus_pool_slice *slice,
				loff_t off, struct iovec *iov, size_t iov_len,
				size_t total_len);
int kdbus_pool_slice_copy_kvec(const struct kdbus_pool_slice *slice,
			       loff_t off, struct kvec *kvec,
			       size_t kvec_count, size_t total_len);
int kdbus_pool_slice_zero(const struct kdbus_pool_slice *slice, loff_t off,
			  size_t len);
int kdbus_pool_publish_kvec(struct kdbus_pool *pool, struct kvec *kvec,
			    size_t kvec_count, size_t size, u64 *offset,
			    u64 *out_size);
int kdbus_pool_slice_copy(const struct kdbus_pool_slice *dst,
			  const struct kdbus_pool_slice *src);

#endif /* __KDBUS_POOL_H */
