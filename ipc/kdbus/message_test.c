// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - KUnit tests of message staging and validation
 *
 * Included at the end of message.c when CONFIG_KDBUS_KUNIT_TEST is set, so
 * the tests reach its static functions.
 */

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/fdtable.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/shmem_fs.h>

#define KDBUS_MSG_TEST_CONN_ID	42
#define KDBUS_MSG_TEST_BLOOM	64
#define KDBUS_MSG_TEST_BUF	SZ_16K
#define KDBUS_MSG_TEST_OFF	(KDBUS_ITEM_HEADER_SIZE + sizeof(struct kdbus_vec))

/* a message under construction, and the user memory it is sent from */
struct kdbus_msg_test {
	struct kunit *test;
	struct kdbus_bus *bus;
	struct kdbus_conn *conn;
	void __user *user;
	struct kdbus_msg *msg;
	size_t size;
};

KUNIT_DEFINE_ACTION_WRAPPER(kdbus_msg_test_free_action, kdbus_staging_free,
			    struct kdbus_staging *);
KUNIT_DEFINE_ACTION_WRAPPER(kdbus_msg_test_pool_action, kdbus_pool_free,
			    struct kdbus_pool *);
KUNIT_DEFINE_ACTION_WRAPPER(kdbus_msg_test_kvfree_action, kvfree,
			    const void *);

static void kdbus_msg_test_close_action(void *fd)
{
	close_fd((unsigned long)fd);
}

static int kdbus_msg_test_mmap(struct file *file, struct vm_area_struct *vma)
{
	return kdbus_pool_mmap(file->private_data, vma);
}

/* stands in for the connection file (pool mappings) and for passed files */
static const struct file_operations kdbus_msg_test_fops = {
	.mmap = kdbus_msg_test_mmap,
};

/* an anonymous user mapping in the test's own mm */
static void __user *kdbus_msg_test_user_mem(struct kunit *test, size_t len,
					    unsigned long prot)
{
	unsigned long addr;

	addr = kunit_vm_mmap(test, NULL, 0, len, prot,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, 0UL, addr, "no user memory");
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	return (void __user *)addr;
}

/* user memory holding the byte pattern kdbus_msg_test_byte() */
static u8 kdbus_msg_test_byte(size_t i)
{
	return i * 7 + (i >> 9) + 1;
}

static void __user *kdbus_msg_test_pattern(struct kunit *test, size_t len)
{
	void __user *user;
	u8 *buf;
	size_t i;

	user = kdbus_msg_test_user_mem(test, PAGE_ALIGN(len),
				       PROT_READ | PROT_WRITE);
	buf = kvmalloc(len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < len; i++)
		buf[i] = kdbus_msg_test_byte(i);
	i = copy_to_user(user, buf, len);
	kvfree(buf);
	KUNIT_ASSERT_EQ(test, 0UL, i);
	return user;
}

/* a byte buffer freed when the test ends */
static u8 *kdbus_msg_test_buf(struct kunit *test, size_t len)
{
	u8 *buf;

	buf = kvmalloc(len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test,
						  kdbus_msg_test_kvfree_action,
						  buf));
	return buf;
}

/*
 * Install @file as a new fd of the test thread (the file table of kernel
 * threads), closed when the test ends; takes over the reference.
 */
static int kdbus_msg_test_install(struct kunit *test, struct file *file)
{
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		fput(file);
	KUNIT_ASSERT_GE(test, fd, 0);
	fd_install(fd, file);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test,
						  kdbus_msg_test_close_action,
						  (void *)(unsigned long)fd));
	return fd;
}

/* an fd of a plain file (neither kdbus, nor a socket, nor a memfd) */
static int kdbus_msg_test_anon_fd(struct kunit *test, struct file **file)
{
	*file = anon_inode_getfile("[kdbus-msg-test]", &kdbus_msg_test_fops,
				   NULL, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, *file);
	return kdbus_msg_test_install(test, *file);
}

/* an fd of a shmem file of one page, with the seals of a fresh memfd */
static int kdbus_msg_test_shmem_fd(struct kunit *test, struct file **file)
{
	*file = shmem_file_setup("kdbus-msg-test", PAGE_SIZE, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, *file);
	return kdbus_msg_test_install(test, *file);
}

/* what memfd_create(MFD_ALLOW_SEALING) and F_ADD_SEALS do */
static void kdbus_msg_test_seal(struct kunit *test, struct file *file,
				unsigned int seals)
{
	struct inode *inode = file_inode(file);

	inode_lock(inode);
	SHMEM_I(inode)->seals &= ~F_SEAL_SEAL;
	inode_unlock(inode);
	KUNIT_ASSERT_EQ(test, 0L, memfd_fcntl(file, F_ADD_SEALS, seals));
	KUNIT_ASSERT_EQ(test, (int)seals, memfd_get_seals(file));
}

static struct kdbus_msg_test *kdbus_msg_test_new(struct kunit *test)
{
	struct kdbus_msg_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;

	/* message.c reads only bus->bloom.size and conn->id */
	t->bus = kunit_kzalloc(test, sizeof(*t->bus), GFP_KERNEL);
	t->conn = kunit_kzalloc(test, sizeof(*t->conn), GFP_KERNEL);
	t->msg = kunit_kzalloc(test, KDBUS_MSG_TEST_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->bus);
	KUNIT_ASSERT_NOT_NULL(test, t->conn);
	KUNIT_ASSERT_NOT_NULL(test, t->msg);
	t->bus->bloom.size = KDBUS_MSG_TEST_BLOOM;
	t->bus->bloom.n_hash = 1;
	t->conn->id = KDBUS_MSG_TEST_CONN_ID;

	t->user = kdbus_msg_test_user_mem(test, KDBUS_MSG_TEST_BUF,
					  PROT_READ | PROT_WRITE);
	return t;
}

static void kdbus_msg_test_init(struct kdbus_msg_test *t, u64 flags,
				u64 dst_id)
{
	memset(t->msg, 0, KDBUS_MSG_TEST_BUF);
	t->size = sizeof(struct kdbus_msg);
	t->msg->size = t->size;
	t->msg->flags = flags;
	t->msg->dst_id = dst_id;
	t->msg->payload_type = KDBUS_PAYLOAD_DBUS;
	t->msg->cookie = 1;
}

/* append an item with a payload of @len bytes; return it */
static struct kdbus_item *kdbus_msg_test_add(struct kdbus_msg_test *t,
					     u64 type, const void *payload,
					     size_t len)
{
	struct kdbus_item *item;

	t->size = ALIGN(t->size, 8);
	KUNIT_ASSERT_LE(t->test, t->size + KDBUS_ITEM_HEADER_SIZE + len,
			(size_t)KDBUS_MSG_TEST_BUF);
	item = (struct kdbus_item *)((u8 *)t->msg + t->size);
	item->size = KDBUS_ITEM_HEADER_SIZE + len;
	item->type = type;
	if (payload)
		memcpy(kdbus_item_payload(item), payload, len);
	t->size += item->size;
	t->msg->size = t->size;
	return item;
}

static void kdbus_msg_test_add_vec(struct kdbus_msg_test *t, u64 size,
				   u64 address)
{
	struct kdbus_vec vec = { .size = size, .address = address };

	kdbus_msg_test_add(t, KDBUS_ITEM_PAYLOAD_VEC, &vec, sizeof(vec));
}

static void kdbus_msg_test_add_uvec(struct kdbus_msg_test *t, u64 size,
				    const void __user *address)
{
	kdbus_msg_test_add_vec(t, size, (unsigned long)address);
}

static void kdbus_msg_test_add_memfd(struct kdbus_msg_test *t, u64 start,
				     u64 size, int fd)
{
	struct kdbus_memfd memfd = { .start = start, .size = size, .fd = fd };

	kdbus_msg_test_add(t, KDBUS_ITEM_PAYLOAD_MEMFD, &memfd, sizeof(memfd));
}

static void kdbus_msg_test_add_str(struct kdbus_msg_test *t, u64 type,
				   const char *str)
{
	kdbus_msg_test_add(t, type, str, strlen(str) + 1);
}

/* a bloom filter with @len bytes of data */
static void kdbus_msg_test_add_bloom(struct kdbus_msg_test *t, size_t len)
{
	struct kdbus_item *item;
	u8 *data;

	item = kdbus_msg_test_add(t, KDBUS_ITEM_BLOOM_FILTER, NULL,
				  sizeof(struct kdbus_bloom_filter) + len);
	data = (u8 *)kdbus_item_payload(item) +
	       sizeof(struct kdbus_bloom_filter);
	memset(data, 0x5a, len);
}

static void kdbus_msg_test_add_fds(struct kdbus_msg_test *t, const int *fds,
				   unsigned int n)
{
	kdbus_msg_test_add(t, KDBUS_ITEM_FDS, fds, n * sizeof(int));
}

/* copy the message into user memory at @user and stage it from there */
static struct kdbus_staging *kdbus_msg_test_send(struct kdbus_msg_test *t,
						 void __user *user)
{
	KUNIT_ASSERT_EQ(t->test, 0UL,
			copy_to_user(user, t->msg, ALIGN(t->size, 8)));
	return kdbus_staging_new_user(t->bus, t->conn, (unsigned long)user);
}

/* the message is refused with @err */
static void kdbus_msg_test_expect(struct kdbus_msg_test *t, int err, int line)
{
	struct kdbus_staging *staging;
	long ret;

	staging = kdbus_msg_test_send(t, t->user);
	ret = PTR_ERR_OR_ZERO(staging);
	if (!IS_ERR(staging))
		kdbus_staging_free(staging);
	KUNIT_EXPECT_EQ_MSG(t->test, (long)err, ret, "line %d", line);
}

#define KDBUS_MSG_EXPECT(_t, _err) kdbus_msg_test_expect(_t, _err, __LINE__)

/*
 * The message is accepted; the staging is freed when the test ends. What
 * holds for every staged message is checked here.
 */
static struct kdbus_staging *kdbus_msg_test_ok(struct kdbus_msg_test *t,
					       int line)
{
	struct kunit *test = t->test;
	struct kdbus_staging *staging;
	const struct kdbus_msg *hdr;

	staging = kdbus_msg_test_send(t, t->user);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_OR_NULL(staging),
			       "line %d: %ld", line, PTR_ERR(staging));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test,
						  kdbus_msg_test_free_action,
						  staging));

	hdr = kdbus_staging_header(staging);
	KUNIT_EXPECT_EQ_MSG(test, (u64)staging->render_size, hdr->size,
			    "line %d", line);
	KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED(staging->render_size, 8),
			      "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test,
			    ALIGN(staging->render_size + staging->payload_size,
				  8),
			    staging->slice_size, "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, 0,
			    kdbus_items_tile(hdr->items, staging->render_size -
					     sizeof(struct kdbus_msg)),
			    "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, (u64)KDBUS_MSG_TEST_CONN_ID, hdr->src_id,
			    "line %d", line);
	return staging;
}

#define KDBUS_MSG_OK(_t) kdbus_msg_test_ok(_t, __LINE__)

/* the item at offset @off of the rendered message */
static const struct kdbus_item *
kdbus_msg_test_item(const struct kdbus_staging *staging, size_t off)
{
	return (const struct kdbus_item *)((const u8 *)staging->render + off);
}

/* a PAYLOAD_OFF item in a rendered message or in a slice */
static void kdbus_msg_test_expect_off(struct kunit *test, const void *msg,
				      size_t off, u64 size, u64 offset,
				      int line)
{
	const struct kdbus_item *item = (const void *)((const u8 *)msg + off);

	KUNIT_EXPECT_EQ_MSG(test, (u64)KDBUS_ITEM_PAYLOAD_OFF, item->type,
			    "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, (u64)KDBUS_MSG_TEST_OFF, item->size,
			    "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, size, item->vec.size, "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, offset, item->vec.offset, "line %d", line);
}

#define KDBUS_MSG_EXPECT_OFF(_test, _msg, _off, _size, _offset)		\
	kdbus_msg_test_expect_off(_test, _msg, _off, _size, _offset, __LINE__)

static void kdbus_msg_test_size(struct kunit *test)
{
	struct kdbus_msg_test *t = kdbus_msg_test_new(test);
	struct kdbus_staging *staging;
	const struct kdbus_msg *hdr;

	/* the smallest message: a header, to a connection id */
	kdbus_msg_test_init(t, 0, 5);
	t->msg->priority = -3;
	t->msg->cookie = 0x1234;
	t->msg->cookie_reply = 0x77;
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 64UL, staging->render_size);
	KUNIT_EXPECT_EQ(test, 0UL, staging->payload_size);
	KUNIT_EXPECT_EQ(test, 64UL, staging->slice_size);
	KUNIT_EXPECT_EQ(test, 0U, staging->n_parts);
	KUNIT_EXPECT_EQ(test, 0U, staging->n_fds);
	KUNIT_EXPECT_NULL(test, staging->dst_name);
	KUNIT_EXPECT_NULL(test, staging->bloom);
	hdr = kdbus_staging_header(staging);
	KUNIT_EXPECT_EQ(test, 64ULL, hdr->size);
	KUNIT_EXPECT_EQ(test, 0ULL, hdr->flags);
	KUNIT_EXPECT_EQ(test, -3LL, hdr->priority);
	KUNIT_EXPECT_EQ(test, 5ULL, hdr->dst_id);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_PAYLOAD_DBUS, hdr->payload_type);
	KUNIT_EXPECT_EQ(test, 0x1234ULL, hdr->cookie);
	KUNIT_EXPECT_EQ(test, 0x77ULL, hdr->cookie_reply);

	/* size below the header, above 8 KiB, or truncated to 32 bits */
	t->msg->size = 63;
	KDBUS_MSG_EXPECT(t, -EINVAL);
	t->msg->size = 0;
	KDBUS_MSG_EXPECT(t, -EINVAL);
	t->msg->size = 8193;
	KDBUS_MSG_EXPECT(t, -EINVAL);
	t->msg->size = (1ULL << 32) + 64;
	KDBUS_MSG_EXPECT(t, -EINVAL);
	t->msg->size = U64_MAX;
	KDBUS_MSG_EXPECT(t, -EINVAL);

	/* exactly 8 KiB: a signal with a bloom filter of 8104 bytes */
	t->bus->bloom.size = 8104;
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, 5);
	kdbus_msg_test_add_bloom(t, 8104);
	KUNIT_ASSERT_EQ(test, 8192UL, t->size);
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 64UL, staging->render_size);
	KUNIT_EXPECT_EQ(test, 64UL, staging->slice_size);
	KUNIT_ASSERT_NOT_NULL(test, staging->bloom);
	KUNIT_EXPECT_EQ(test, 8128ULL, staging->bloom->size);
	t->msg->size = 8193;
	KDBUS_MSG_EXPECT(t, -EINVAL);
}

static void kdbus_msg_test_expect_at(struct kdbus_msg_test *t,
				     unsigned long address, int err, int line)
{
	struct kdbus_staging *staging;
	long ret;

	staging = kdbus_staging_new_user(t->bus, t->conn, address);
	ret = PTR_ERR_OR_ZERO(staging);
	if (!IS_ERR(staging))
		kdbus_staging_free(staging);
	KUNIT_EXPECT_EQ_MSG(t->test, (long)err, ret, "line %d", line);
}

#define KDBUS_MSG_EXPECT_AT(_t, _addr, _err)				\
	kdbus_msg_test_expect_at(_t, _addr, _err, __LINE__)

static void kdbus_msg_test_address(struct kunit *test)
{
	struct kdbus_msg_test *t = kdbus_msg_test_new(test);
	unsigned long user = (unsigned long)t->user;
	void __user *none, *two;

	/* the same message 8-byte aligned, and not */
	kdbus_msg_test_init(t, 0, 5);
	KUNIT_ASSERT_EQ(test, 0UL, copy_to_user(t->user, t->msg, 64));
	KUNIT_ASSERT_EQ(test, 0UL, copy_to_user(t->user + 260, t->msg, 64));
	KUNIT_ASSERT_EQ(test, 0UL, copy_to_user(t->user + 513, t->msg, 64));
	KDBUS_MSG_EXPECT_AT(t, user, 0);
	KDBUS_MSG_EXPECT_AT(t, user + 260, -EFAULT);
	KDBUS_MSG_EXPECT_AT(t, user + 513, -EFAULT);

	/* unreadable, no user address, NULL */
	none = kdbus_msg_test_user_mem(test, PAGE_SIZE, PROT_NONE);
	KDBUS_MSG_EXPECT_AT(t, (unsigned long)none, -EFAULT);
	KDBUS_MSG_EXPECT_AT(t, (unsigned long)t->msg, -EFAULT);
	KDBUS_MSG_EXPECT_AT(t, 0, -EFAULT);

	/* the size is readable, the rest of the message is not */
	two = kdbus_msg_test_user_mem(test, 2 * PAGE_SIZE,
				      PROT_READ | PROT_WRITE);
	KUNIT_ASSERT_EQ(test, 0,
			vm_munmap((unsigned long)two + PAGE_SIZE, PAGE_SIZE));
	kdbus_msg_test_add_vec(t, 8, 0);
	KUNIT_ASSERT_EQ(test, 96UL, t->size);
	KUNIT_ASSERT_EQ(test, 0UL,
			copy_to_user(two + PAGE_SIZE - 64, t->msg, 64));
	KDBUS_MSG_EXPECT_AT(t, (unsigned long)two + PAGE_SIZE - 64, -EFAULT);
	KUNIT_ASSERT_EQ(test, 0UL,
			copy_to_user(two + PAGE_SIZE - 96, t->msg, 96));
	KDBUS_MSG_EXPECT_AT(t, (unsigned long)two + PAGE_SIZE - 96, 0);
}

static void kdbus_msg_test_header(struct kunit *test)
{
	struct kdbus_msg_test *t = kdbus_msg_test_new(test);
	struct kdbus_staging *staging;

	/* flags */
	kdbus_msg_test_init(t, KDBUS_MSG_NO_AUTO_START, 5);
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_MSG_NO_AUTO_START,
			kdbus_staging_header(staging)->flags);
	kdbus_msg_test_init(t, 1ULL << 3, 5);
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 1ULL << 63, 5);
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, ~0ULL, 5);
	KDBUS_MSG_EXPECT(t, -EINVAL);

	/* payload type: anything but KDBUS_PAYLOAD_KERNEL */
	kdbus_msg_test_init(t, 0, 5);
	t->msg->payload_type = 0;
	KDBUS_MSG_EXPECT(t, -EINVAL);
	t->msg->payload_type = 1;
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 1ULL,
			kdbus_staging_header(staging)->payload_type);

	/* src_id: 0 or the sender's id; filled in either way */
	kdbus_msg_test_init(t, 0, 5);
	t->msg->src_id = KDBUS_MSG_TEST_CONN_ID;
	KDBUS_MSG_OK(t);
	t->msg->src_id = KDBUS_MSG_TEST_CONN_ID + 1;
	KDBUS_MSG_EXPECT(t, -EINVAL);
	t->msg->src_id = ~0ULL;
	KDBUS_MSG_EXPECT(t, -EINVAL);
	t->msg->src_id = 0;
	KDBUS_MSG_OK(t);
}

static void kdbus_msg_test_reply(struct kunit *test)
{
	struct kdbus_msg_test *t = kdbus_msg_test_new(test);
	struct kdbus_staging *staging;

	/* a call: a timeout and a cookie */
	kdbus_msg_test_init(t, KDBUS_MSG_EXPECT_REPLY, 5);
	t->msg->cookie = 9;
	t->msg->timeout_ns = 1000;
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 1000ULL,
			kdbus_staging_header(staging)->timeout_ns);
	KUNIT_EXPECT_EQ(test, 9ULL, kdbus_staging_header(staging)->cookie);

	t->msg->timeout_ns = 0;
	KDBUS_MSG_EXPECT(t, -EINVAL);
	t->msg->timeout_ns = 1000;
	t->msg->cookie = 0;
	KDBUS_MSG_EXPECT(t, -EINVAL);

	/* no reply to a signal */
	kdbus_msg_test_init(t, KDBUS_MSG_EXPECT_REPLY | KDBUS_MSG_SIGNAL, 5);
	t->msg->timeout_ns = 1000;
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM);
	KDBUS_MSG_EXPECT(t, -EINVAL);

	/* a reply, and a signal cannot be one */
	kdbus_msg_test_init(t, 0, 5);
	t->msg->cookie_reply = 7;
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 7ULL, kdbus_staging_header(staging)->cookie_reply);
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, 5);
	t->msg->cookie_reply = 7;
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM);
	KDBUS_MSG_EXPECT(t, -EINVAL);
	t->msg->cookie_reply = 0;
	KDBUS_MSG_OK(t);
}

static void kdbus_msg_test_broadcast(struct kunit *test)
{
	struct kdbus_msg_test *t = kdbus_msg_test_new(test);
	const u64 bcast = KDBUS_DST_ID_BROADCAST;
	struct kdbus_staging *staging;
	int fd = -1;

	/* a broadcast is a signal, with a bloom filter */
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, bcast);
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM);
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, bcast, kdbus_staging_header(staging)->dst_id);
	KUNIT_EXPECT_EQ(test, 64UL, staging->render_size);

	kdbus_msg_test_init(t, 0, bcast);
	KDBUS_MSG_EXPECT(t, -EBADMSG);
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM);
	KDBUS_MSG_EXPECT(t, -EBADMSG);
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, bcast);
	KDBUS_MSG_EXPECT(t, -EBADMSG);

	/* no name, no fds (not even an empty FDS item) */
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, bcast);
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM);
	kdbus_msg_test_add_str(t, KDBUS_ITEM_DST_NAME, "org.example.Foo");
	KDBUS_MSG_EXPECT(t, -EBADMSG);
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, bcast);
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM);
	kdbus_msg_test_add_fds(t, &fd, 1);
	KDBUS_MSG_EXPECT(t, -ENOTUNIQ);
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, bcast);
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM);
	kdbus_msg_test_add_fds(t, NULL, 0);
	KDBUS_MSG_EXPECT(t, -ENOTUNIQ);

	/* nobody can answer a broadcast: no call, no timeout, no reply */
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL | KDBUS_MSG_EXPECT_REPLY, bcast);
	t->msg->timeout_ns = 1000;
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM);
	KDBUS_MSG_EXPECT(t, -ENOTUNIQ);
	t->msg->flags = KDBUS_MSG_EXPECT_REPLY;
	KDBUS_MSG_EXPECT(t, -ENOTUNIQ);
	t->msg->flags = KDBUS_MSG_SIGNAL;
	KDBUS_MSG_EXPECT(t, -ENOTUNIQ);
	t->msg->flags = 0;
	KDBUS_MSG_EXPECT(t, -ENOTUNIQ);

	/* unicast signals are fine, with a bloom filter */
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, 5);
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM);
	KDBUS_MSG_OK(t);
}

static void kdbus_msg_test_dst_name(struct kunit *test)
{
	struct kdbus_msg_test *t = kdbus_msg_test_new(test);
	const struct kdbus_item *item;
	struct kdbus_staging *staging;
	char *name;

	/* addressed by name: DST_NAME is required, and rendered first */
	kdbus_msg_test_init(t, 0, KDBUS_DST_ID_NAME);
	KDBUS_MSG_EXPECT(t, -EDESTADDRREQ);
	kdbus_msg_test_add_vec(t, 8, 0);
	KDBUS_MSG_EXPECT(t, -EDESTADDRREQ);
	kdbus_msg_test_add_str(t, KDBUS_ITEM_DST_NAME, "org.example.Foo");
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 64UL + 32 + 32, staging->render_size);
	KUNIT_EXPECT_EQ(test, 0ULL, kdbus_staging_header(staging)->dst_id);
	KUNIT_ASSERT_NOT_NULL(test, staging->dst_name);
	KUNIT_EXPECT_STREQ(test, "org.example.Foo", staging->dst_name);
	item = kdbus_msg_test_item(staging, 64);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_ITEM_DST_NAME, item->type);
	KUNIT_EXPECT_EQ(test, 32ULL, item->size);
	KUNIT_EXPECT_STREQ(test, "org.example.Foo",
			   (char *)kdbus_item_payload(item));
	KDBUS_MSG_EXPECT_OFF(test, staging->render, 96, 8, ~0ULL);

	/* one name only */
	kdbus_msg_test_add_str(t, KDBUS_ITEM_DST_NAME, "org.example.Bar");
	KDBUS_MSG_EXPECT(t, -EEXIST);

	/* a name together with an id */
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_str(t, KDBUS_ITEM_DST_NAME, "org.example.Foo");
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 5ULL, kdbus_staging_header(staging)->dst_id);
	KUNIT_EXPECT_EQ(test, 96UL, staging->render_size);

	/* the item ends unpadded at the end of the message */
	kdbus_msg_test_init(t, 0, KDBUS_DST_ID_NAME);
	kdbus_msg_test_add_str(t, KDBUS_ITEM_DST_NAME, "a.b");
	KUNIT_ASSERT_EQ(test, 84UL, t->size);
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 88UL, staging->render_size);
	KUNIT_EXPECT_EQ(test, 20ULL, kdbus_msg_test_item(staging, 64)->size);

	/* invalid names, and strings that are no strings */
	kdbus_msg_test_init(t, 0, KDBUS_DST_ID_NAME);
	kdbus_msg_test_add_str(t, KDBUS_ITEM_DST_NAME, "org");
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 0, KDBUS_DST_ID_NAME);
	kdbus_msg_test_add_str(t, KDBUS_ITEM_DST_NAME, "org.example.*");
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 0, KDBUS_DST_ID_NAME);
	kdbus_msg_test_add_str(t, KDBUS_ITEM_DST_NAME, "org.1example");
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 0, KDBUS_DST_ID_NAME);
	kdbus_msg_test_add_str(t, KDBUS_ITEM_DST_NAME, "org..example");
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 0, KDBUS_DST_ID_NAME);
	kdbus_msg_test_add(t, KDBUS_ITEM_DST_NAME, "org.example\0", 13);
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 0, KDBUS_DST_ID_NAME);
	kdbus_msg_test_add(t, KDBUS_ITEM_DST_NAME, "org.example", 11);
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 0, KDBUS_DST_ID_NAME);
	kdbus_msg_test_add(t, KDBUS_ITEM_DST_NAME, NULL, 0);
	KDBUS_MSG_EXPECT(t, -EINVAL);

	/* 255 characters are fine, 256 are not */
	name = kunit_kzalloc(test, 300, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, name);
	memset(name, 'a', 256);
	name[1] = '.';
	name[255] = '\0';
	kdbus_msg_test_init(t, 0, KDBUS_DST_ID_NAME);
	kdbus_msg_test_add_str(t, KDBUS_ITEM_DST_NAME, name);
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 64UL + 272, staging->render_size);
	name[255] = 'a';
	kdbus_msg_test_init(t, 0, KDBUS_DST_ID_NAME);
	kdbus_msg_test_add_str(t, KDBUS_ITEM_DST_NAME, name);
	KDBUS_MSG_EXPECT(t, -EINVAL);
}

static void kdbus_msg_test_bloom(struct kunit *test)
{
	struct kdbus_msg_test *t = kdbus_msg_test_new(test);
	struct kdbus_staging *staging;
	const u8 *data;

	/* SIGNAL and BLOOM_FILTER go together */
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, 5);
	KDBUS_MSG_EXPECT(t, -EBADMSG);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM);
	KDBUS_MSG_EXPECT(t, -EBADMSG);

	/* the filter is kept, and not rendered */
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, 5);
	kdbus_msg_test_add_vec(t, 8, 0);
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM);
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 64UL + 32, staging->render_size);
	KUNIT_ASSERT_NOT_NULL(test, staging->bloom);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_ITEM_BLOOM_FILTER,
			staging->bloom->type);
	KUNIT_EXPECT_EQ(test, 16ULL + 8 + KDBUS_MSG_TEST_BLOOM,
			staging->bloom->size);
	data = (const u8 *)kdbus_item_payload(staging->bloom) + 8;
	KUNIT_EXPECT_TRUE(test, !memchr_inv(data, 0x5a, KDBUS_MSG_TEST_BLOOM));
	KDBUS_MSG_EXPECT_OFF(test, staging->render, 64, 8, ~0ULL);

	/* one filter only */
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM);
	KDBUS_MSG_EXPECT(t, -EEXIST);

	/* the size of the bus, a multiple of 8 */
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, 5);
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM - 8);
	KDBUS_MSG_EXPECT(t, -EDOM);
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, 5);
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM + 8);
	KDBUS_MSG_EXPECT(t, -EDOM);
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, 5);
	kdbus_msg_test_add_bloom(t, 0);
	KDBUS_MSG_EXPECT(t, -EDOM);
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, 5);
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM - 4);
	KDBUS_MSG_EXPECT(t, -EFAULT);
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, 5);
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM + 1);
	KDBUS_MSG_EXPECT(t, -EFAULT);
	/* not even the generation */
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, 5);
	kdbus_msg_test_add(t, KDBUS_ITEM_BLOOM_FILTER, NULL, 7);
	KDBUS_MSG_EXPECT(t, -EINVAL);

	/* another bus, another size */
	t->bus->bloom.size = 8;
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, 5);
	kdbus_msg_test_add_bloom(t, 8);
	KDBUS_MSG_OK(t);
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, 5);
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM);
	KDBUS_MSG_EXPECT(t, -EDOM);
}

static void kdbus_msg_test_items(struct kunit *test)
{
	struct kdbus_msg_test *t = kdbus_msg_test_new(test);
	struct kdbus_memfd memfd = { .size = 8, .fd = 0 };
	struct kdbus_vec vec = { .size = 8 };
	struct kdbus_staging *staging;
	struct kdbus_item *item;
	unsigned int i;
	u8 raw[32] = {};

	/* tiling: sizes below the header, beyond the end, stray bytes */
	kdbus_msg_test_init(t, 0, 5);
	item = kdbus_msg_test_add(t, KDBUS_ITEM_PAYLOAD_VEC, &vec, 16);
	item->size = 15;
	KDBUS_MSG_EXPECT(t, -EINVAL);
	item->size = 0;
	KDBUS_MSG_EXPECT(t, -EINVAL);
	item->size = 40;
	KDBUS_MSG_EXPECT(t, -EINVAL);
	item->size = U64_MAX;
	KDBUS_MSG_EXPECT(t, -EINVAL);
	item->size = 32;
	KDBUS_MSG_OK(t);
	t->size = 96 + 8;
	t->msg->size = t->size;
	KDBUS_MSG_EXPECT(t, -EINVAL);
	t->size = 96 + 15;
	t->msg->size = t->size;
	KDBUS_MSG_EXPECT(t, -EINVAL);
	t->size = 96;
	t->msg->size = t->size;
	KDBUS_MSG_OK(t);

	/* item types not allowed in a message */
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add(t, 0x7777, raw, 8);
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add(t, 0, NULL, 0);
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add(t, KDBUS_ITEM_PAYLOAD_OFF, &vec, sizeof(vec));
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add(t, KDBUS_ITEM_CANCEL_FD, raw, sizeof(int));
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add(t, KDBUS_ITEM_NEGOTIATE, NULL, 0);
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_str(t, KDBUS_ITEM_NAME, "org.example.Foo");
	KDBUS_MSG_EXPECT(t, -EINVAL);

	/* malformed payloads */
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_vec(t, 0, 0);
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add(t, KDBUS_ITEM_PAYLOAD_VEC, &vec, 8);
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add(t, KDBUS_ITEM_PAYLOAD_VEC, raw, 24);
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_memfd(t, 0, 8, -1);
	KDBUS_MSG_EXPECT(t, -EBADF);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_memfd(t, 0, 0, 0);
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add(t, KDBUS_ITEM_PAYLOAD_MEMFD, &memfd, 16);
	KDBUS_MSG_EXPECT(t, -EINVAL);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add(t, KDBUS_ITEM_FDS, raw, 6);
	KDBUS_MSG_EXPECT(t, -EINVAL);

	/* 128 items, not 129 */
	kdbus_msg_test_init(t, 0, 5);
	for (i = 0; i < 128; i++)
		kdbus_msg_test_add_vec(t, 8, 0);
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 128U, staging->n_parts);
	KUNIT_EXPECT_EQ(test, 64UL + 128 * 32, staging->render_size);
	KUNIT_EXPECT_EQ(test, 0UL, staging->payload_size);
	KDBUS_MSG_EXPECT_OFF(test, staging->render, 64 + 127 * 32, 8, ~0ULL);
	kdbus_msg_test_add_vec(t, 8, 0);
	KDBUS_MSG_EXPECT(t, -E2BIG);

	/* 17 memfds are too many, whatever they are */
	kdbus_msg_test_init(t, 0, 5);
	for (i = 0; i < 17; i++)
		kdbus_msg_test_add_memfd(t, 0, 8, 1000);
	KDBUS_MSG_EXPECT(t, -E2BIG);
}

static void kdbus_msg_test_vecs(struct kunit *test)
{
	struct kdbus_msg_test *t = kdbus_msg_test_new(test);
	struct kdbus_staging *staging;
	void __user *big;
	unsigned int i;

	/* 2 MiB of vectors in all, null vectors included */
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_vec(t, SZ_1M, 0);
	kdbus_msg_test_add_vec(t, SZ_1M, 0);
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 0UL, staging->payload_size);
	KDBUS_MSG_EXPECT_OFF(test, staging->render, 64, SZ_1M, ~0ULL);
	KDBUS_MSG_EXPECT_OFF(test, staging->render, 96, SZ_1M, ~0ULL);
	kdbus_msg_test_add_vec(t, 8, 0);
	KDBUS_MSG_EXPECT(t, -EMSGSIZE);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_vec(t, SZ_2M + 1, 0);
	KDBUS_MSG_EXPECT(t, -EMSGSIZE);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_vec(t, U64_MAX, 0);
	KDBUS_MSG_EXPECT(t, -EMSGSIZE);
	/* the sum wraps around to 4 */
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_vec(t, 8, 0);
	kdbus_msg_test_add_vec(t, U64_MAX - 3, 0);
	KDBUS_MSG_EXPECT(t, -EMSGSIZE);

	/* user addresses only; the memory itself is read later */
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_vec(t, 8, TASK_SIZE_MAX - PAGE_SIZE);
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 8UL, staging->payload_size);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_vec(t, 8, TASK_SIZE_MAX);
	KDBUS_MSG_EXPECT(t, -EFAULT);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_vec(t, 8, TASK_SIZE_MAX - 4);
	KDBUS_MSG_EXPECT(t, -EFAULT);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_vec(t, 8, (unsigned long)t->msg);
	KDBUS_MSG_EXPECT(t, -EFAULT);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_vec(t, 8, ~0ULL - 3);
	KDBUS_MSG_EXPECT(t, -EFAULT);

	/* null vectors: size % 8 zero bytes inline, offset ~0 */
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_vec(t, 16, 0);
	kdbus_msg_test_add_vec(t, 13, 0);
	kdbus_msg_test_add_vec(t, 3, 0);
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 64UL + 3 * 32, staging->render_size);
	KUNIT_EXPECT_EQ(test, 8UL, staging->payload_size);
	KUNIT_EXPECT_EQ(test, 168UL, staging->slice_size);
	KDBUS_MSG_EXPECT_OFF(test, staging->render, 64, 16, ~0ULL);
	KDBUS_MSG_EXPECT_OFF(test, staging->render, 96, 13, ~0ULL);
	KDBUS_MSG_EXPECT_OFF(test, staging->render, 128, 3, ~0ULL);

	/*
	 * The example of the contract (§5.10): vectors of 131075 and 13
	 * bytes around a null vector of 5.
	 */
	big = kdbus_msg_test_user_mem(test, 33 * PAGE_SIZE, PROT_READ);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_uvec(t, 131075, big);
	kdbus_msg_test_add_vec(t, 5, 0);
	kdbus_msg_test_add_uvec(t, 13, big + 131075);
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 160ULL, kdbus_staging_header(staging)->size);
	KUNIT_EXPECT_EQ(test, 160UL, staging->render_size);
	KUNIT_EXPECT_EQ(test, 131093UL, staging->payload_size);
	KUNIT_EXPECT_EQ(test, 131256UL, staging->slice_size);
	KDBUS_MSG_EXPECT_OFF(test, staging->render, 64, 131075, 160);
	KDBUS_MSG_EXPECT_OFF(test, staging->render, 96, 5, ~0ULL);
	KDBUS_MSG_EXPECT_OFF(test, staging->render, 128, 13, 131240);
	KUNIT_ASSERT_EQ(test, 3U, staging->n_parts);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, 64UL + i * 32,
				staging->parts[i].item_off);
	KUNIT_EXPECT_EQ(test, 0UL, staging->parts[0].stream_off);
	KUNIT_EXPECT_EQ(test, 131075UL, staging->parts[1].stream_off);
	KUNIT_EXPECT_EQ(test, 131080UL, staging->parts[2].stream_off);
	KUNIT_EXPECT_EQ(test, 5UL, staging->parts[1].inline_size);
}

static void kdbus_msg_test_fds(struct kunit *test)
{
	struct kdbus_msg_test *t = kdbus_msg_test_new(test);
	const struct kdbus_item *item;
	struct kdbus_staging *staging;
	int fds[17], fd, closed;
	struct file *file;
	unsigned int i;
	long count;

	/* more than 16 fds, whatever they are */
	for (i = 0; i < ARRAY_SIZE(fds); i++)
		fds[i] = -1;
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_fds(t, fds, 17);
	KDBUS_MSG_EXPECT(t, -EMFILE);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_fds(t, fds, 16);
	KDBUS_MSG_EXPECT(t, -EBADF);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_fds(t, fds, 1);
	KDBUS_MSG_EXPECT(t, -EBADF);

	/* one FDS item, even an empty one; an empty one is not rendered */
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_fds(t, NULL, 0);
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 0U, staging->n_fds);
	KUNIT_EXPECT_EQ(test, 0UL, staging->fds_item_off);
	KUNIT_EXPECT_EQ(test, 64UL, staging->render_size);
	kdbus_msg_test_add_fds(t, NULL, 0);
	KDBUS_MSG_EXPECT(t, -EEXIST);

	/* the files are referenced, their numbers rendered as -1, last */
	fd = kdbus_msg_test_anon_fd(test, &file);
	count = file_count(file);
	fds[0] = fd;
	fds[1] = fd;
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_fds(t, fds, 2);
	kdbus_msg_test_add_vec(t, 8, 0);
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, count + 2, file_count(file));
	KUNIT_ASSERT_EQ(test, 2U, staging->n_fds);
	KUNIT_EXPECT_PTR_EQ(test, file, staging->fds[0]);
	KUNIT_EXPECT_PTR_EQ(test, file, staging->fds[1]);
	KUNIT_EXPECT_EQ(test, 96UL, staging->fds_item_off);
	KUNIT_EXPECT_EQ(test, 96UL + 24, staging->render_size);
	KDBUS_MSG_EXPECT_OFF(test, staging->render, 64, 8, ~0ULL);
	item = kdbus_msg_test_item(staging, 96);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_ITEM_FDS, item->type);
	KUNIT_EXPECT_EQ(test, 24ULL, item->size);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(kdbus_item_payload(item), 0xff,
					    2 * sizeof(int)));
	kunit_release_action(test, kdbus_msg_test_free_action, staging);
	KUNIT_EXPECT_EQ(test, count, file_count(file));

	/* a bad fd after a good one; the reference taken is dropped */
	closed = get_unused_fd_flags(0);
	KUNIT_ASSERT_GE(test, closed, 0);
	put_unused_fd(closed);
	fds[1] = closed;
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_fds(t, fds, 2);
	KDBUS_MSG_EXPECT(t, -EBADF);
	fds[1] = -1;
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_fds(t, fds, 2);
	KDBUS_MSG_EXPECT(t, -EBADF);
	KUNIT_EXPECT_EQ(test, count, file_count(file));

	/* no AF_UNIX sockets */
	if (IS_ENABLED(CONFIG_UNIX)) {
		struct socket *sock;

		KUNIT_ASSERT_EQ(test, 0,
				sock_create_kern(&init_net, AF_UNIX,
						 SOCK_STREAM, 0, &sock));
		file = sock_alloc_file(sock, 0, NULL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
		fds[1] = kdbus_msg_test_install(test, file);
		kdbus_msg_test_init(t, 0, 5);
		kdbus_msg_test_add_fds(t, fds, 2);
		KDBUS_MSG_EXPECT(t, -EOPNOTSUPP);
	}
}

static void kdbus_msg_test_memfd(struct kunit *test)
{
	struct kdbus_msg_test *t = kdbus_msg_test_new(test);
	const struct kdbus_item *item;
	struct kdbus_staging *staging;
	struct file *plain, *shm;
	long count, plain_count;
	void __user *data;
	int pfd, sfd;

	if (!IS_ENABLED(CONFIG_MEMFD_CREATE))
		kunit_skip(test, "needs CONFIG_MEMFD_CREATE");

	/* not a file that can be sealed */
	pfd = kdbus_msg_test_anon_fd(test, &plain);
	plain_count = file_count(plain);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_memfd(t, 0, 8, pfd);
	KDBUS_MSG_EXPECT(t, -EMEDIUMTYPE);

	/* without all of SHRINK, GROW, WRITE and SEAL */
	sfd = kdbus_msg_test_shmem_fd(test, &shm);
	count = file_count(shm);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_memfd(t, 0, 8, sfd);
	KDBUS_MSG_EXPECT(t, -ETXTBSY);
	kdbus_msg_test_seal(test, shm, F_SEAL_SHRINK | F_SEAL_GROW);
	KDBUS_MSG_EXPECT(t, -ETXTBSY);
	KUNIT_ASSERT_EQ(test, 0L, memfd_fcntl(shm, F_ADD_SEALS,
					      F_SEAL_WRITE | F_SEAL_SEAL));
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, count + 1, file_count(shm));
	kunit_release_action(test, kdbus_msg_test_free_action, staging);
	KUNIT_EXPECT_EQ(test, count, file_count(shm));

	/* sealed: passed by reference, size % 8 zero bytes inline */
	data = kdbus_msg_test_pattern(test, PAGE_SIZE);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_uvec(t, 3, data);
	kdbus_msg_test_add_memfd(t, 16, 13, sfd);
	kdbus_msg_test_add_uvec(t, 5, data + 8);
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, count + 1, file_count(shm));
	KUNIT_EXPECT_EQ(test, 168UL, staging->render_size);
	KUNIT_EXPECT_EQ(test, 13UL, staging->payload_size);
	KUNIT_EXPECT_EQ(test, 184UL, staging->slice_size);
	KUNIT_ASSERT_EQ(test, 3U, staging->n_parts);
	KUNIT_EXPECT_EQ(test, 1U, staging->n_memfds);
	KUNIT_EXPECT_PTR_EQ(test, shm, staging->parts[1].file);
	KUNIT_EXPECT_EQ(test, 16ULL, staging->parts[1].address);
	KUNIT_EXPECT_EQ(test, 13ULL, staging->parts[1].size);
	KUNIT_EXPECT_EQ(test, 3UL, staging->parts[1].stream_off);
	KUNIT_EXPECT_EQ(test, 5UL, staging->parts[1].inline_size);
	KUNIT_EXPECT_EQ(test, 96UL, staging->parts[1].item_off);
	KDBUS_MSG_EXPECT_OFF(test, staging->render, 64, 3, 168);
	item = kdbus_msg_test_item(staging, 96);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_ITEM_PAYLOAD_MEMFD, item->type);
	KUNIT_EXPECT_EQ(test, 40ULL, item->size);
	KUNIT_EXPECT_EQ(test, 16ULL, item->memfd.start);
	KUNIT_EXPECT_EQ(test, 13ULL, item->memfd.size);
	KUNIT_EXPECT_EQ(test, -1, item->memfd.fd);
	KUNIT_EXPECT_EQ(test, 0U, item->memfd.__pad);
	KDBUS_MSG_EXPECT_OFF(test, staging->render, 136, 5, 176);
	kunit_release_action(test, kdbus_msg_test_free_action, staging);
	KUNIT_EXPECT_EQ(test, count, file_count(shm));

	/* the range lies inside the file */
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_memfd(t, 0, PAGE_SIZE, sfd);
	staging = KDBUS_MSG_OK(t);
	KUNIT_EXPECT_EQ(test, 0UL, staging->payload_size);
	kunit_release_action(test, kdbus_msg_test_free_action, staging);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_memfd(t, 8, PAGE_SIZE, sfd);
	KDBUS_MSG_EXPECT(t, -EBADF);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_memfd(t, U64_MAX, 2, sfd);
	KDBUS_MSG_EXPECT(t, -EMSGSIZE);

	/* a bad memfd after a good one; the references are dropped */
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_memfd(t, 0, 8, sfd);
	kdbus_msg_test_add_memfd(t, 0, 8, pfd);
	KDBUS_MSG_EXPECT(t, -EMEDIUMTYPE);
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_memfd(t, 0, 8, sfd);
	kdbus_msg_test_add_memfd(t, 0, 8, 1000);
	KDBUS_MSG_EXPECT(t, -EBADF);
	KUNIT_EXPECT_EQ(test, plain_count, file_count(plain));
	KUNIT_EXPECT_EQ(test, count, file_count(shm));
}

static void kdbus_msg_test_kernel(struct kunit *test)
{
	struct kdbus_notify_id_change id = { .id = 9, .flags = 3 };
	const struct kdbus_item *item;
	struct kdbus_staging *staging;
	const struct kdbus_msg *hdr;

	staging = kdbus_staging_new_kernel(5, 77, KDBUS_ITEM_ID_ADD, &id,
					   sizeof(id));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, staging);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test,
						  kdbus_msg_test_free_action,
						  staging));
	KUNIT_EXPECT_EQ(test, 96UL, staging->render_size);
	KUNIT_EXPECT_EQ(test, 0UL, staging->payload_size);
	KUNIT_EXPECT_EQ(test, 96UL, staging->slice_size);
	KUNIT_EXPECT_NULL(test, staging->msg);
	hdr = kdbus_staging_header(staging);
	KUNIT_EXPECT_EQ(test, 96ULL, hdr->size);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_MSG_SIGNAL, hdr->flags);
	KUNIT_EXPECT_EQ(test, 5ULL, hdr->dst_id);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_SRC_ID_KERNEL, hdr->src_id);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_PAYLOAD_KERNEL, hdr->payload_type);
	KUNIT_EXPECT_EQ(test, 0ULL, hdr->cookie);
	KUNIT_EXPECT_EQ(test, 77ULL, hdr->cookie_reply);
	item = kdbus_msg_test_item(staging, 64);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_ITEM_ID_ADD, item->type);
	KUNIT_EXPECT_EQ(test, 32ULL, item->size);
	KUNIT_EXPECT_MEMEQ(test, kdbus_item_payload(item), &id, sizeof(id));

	staging = kdbus_staging_new_kernel(KDBUS_DST_ID_BROADCAST, 0,
					   KDBUS_ITEM_REPLY_TIMEOUT, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, staging);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test,
						  kdbus_msg_test_free_action,
						  staging));
	KUNIT_EXPECT_EQ(test, 80UL, staging->render_size);
	KUNIT_EXPECT_EQ(test, 80UL, staging->slice_size);
	item = kdbus_msg_test_item(staging, 64);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_ITEM_REPLY_TIMEOUT, item->type);
	KUNIT_EXPECT_EQ(test, 16ULL, item->size);
}

static struct kdbus_pool *kdbus_msg_test_pool(struct kunit *test, size_t size)
{
	struct kdbus_pool *pool;

	pool = kdbus_pool_new("kdbus-conn:test", size);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test,
						  kdbus_msg_test_pool_action,
						  pool));
	return pool;
}

/* a slice holding stale bytes, as after an earlier message */
static struct kdbus_pool_slice *
kdbus_msg_test_slice(struct kunit *test, struct kdbus_pool *pool, size_t size)
{
	struct kdbus_pool_slice *slice;
	struct kvec kvec;
	u8 *junk;
	int ret;

	slice = kdbus_pool_slice_alloc(pool, size, false);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, slice);
	KUNIT_ASSERT_EQ(test, size, kdbus_pool_slice_size(slice));
	junk = kvmalloc(size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, junk);
	memset(junk, 0xaa, size);
	kvec.iov_base = junk;
	kvec.iov_len = size;
	ret = kdbus_pool_slice_copy_kvec(slice, 0, &kvec, 1, size);
	kvfree(junk);
	KUNIT_ASSERT_EQ(test, 0, ret);
	return slice;
}

/* the bytes of a slice, through a read-only mapping of its pool */
static void kdbus_msg_test_read(struct kunit *test, struct kdbus_pool *pool,
				const struct kdbus_pool_slice *slice, void *buf)
{
	size_t size = kdbus_pool_size(pool);
	unsigned long addr, left;
	struct file *file;

	file = anon_inode_getfile("[kdbus-msg-test]", &kdbus_msg_test_fops,
				  pool, O_RDONLY);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	addr = vm_mmap(file, 0, size, PROT_READ, MAP_SHARED, 0);
	fput(file);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	left = copy_from_user(buf, (void __user *)addr +
			      kdbus_pool_slice_offset(slice),
			      kdbus_pool_slice_size(slice));
	vm_munmap(addr, size);
	KUNIT_ASSERT_EQ(test, 0UL, left);
}

static void kdbus_msg_test_emit(struct kunit *test)
{
	struct kdbus_msg_test *t = kdbus_msg_test_new(test);
	struct kdbus_pool_slice *pre, *slice;
	struct kdbus_staging *staging;
	const struct kdbus_item *item;
	const struct kdbus_msg *msg;
	struct kdbus_pool *pool;
	struct file *shm, *file;
	unsigned long gone;
	void __user *data;
	int mfd, fd;
	u8 *buf;

	if (!IS_ENABLED(CONFIG_MEMFD_CREATE))
		kunit_skip(test, "needs CONFIG_MEMFD_CREATE");

	data = kdbus_msg_test_pattern(test, PAGE_SIZE);
	mfd = kdbus_msg_test_shmem_fd(test, &shm);
	kdbus_msg_test_seal(test, shm, KDBUS_MEMFD_SEALS);
	fd = kdbus_msg_test_anon_fd(test, &file);

	/* a bit of everything, in an order receivers do not see */
	kdbus_msg_test_init(t, KDBUS_MSG_SIGNAL, KDBUS_DST_ID_NAME);
	t->msg->cookie = 0xc00c1e;
	kdbus_msg_test_add_uvec(t, 13, data + 1);
	kdbus_msg_test_add_str(t, KDBUS_ITEM_DST_NAME, "org.example.Test");
	kdbus_msg_test_add_vec(t, 5, 0);
	kdbus_msg_test_add_bloom(t, KDBUS_MSG_TEST_BLOOM);
	kdbus_msg_test_add_memfd(t, 16, 13, mfd);
	kdbus_msg_test_add_fds(t, &fd, 1);
	kdbus_msg_test_add_uvec(t, 3, data + 100);
	staging = KDBUS_MSG_OK(t);
	KUNIT_ASSERT_EQ(test, 264UL, staging->render_size);
	KUNIT_ASSERT_EQ(test, 26UL, staging->payload_size);
	KUNIT_ASSERT_EQ(test, 296UL, staging->slice_size);

	/* a slice at an offset that is no page boundary */
	pool = kdbus_msg_test_pool(test, 4 * PAGE_SIZE);
	pre = kdbus_pool_slice_alloc(pool, 40, false);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pre);
	slice = kdbus_msg_test_slice(test, pool, staging->slice_size);
	KUNIT_EXPECT_EQ(test, 40UL, kdbus_pool_slice_offset(slice));

	KUNIT_ASSERT_EQ(test, 0, kdbus_staging_emit(staging, slice, 0));
	buf = kdbus_msg_test_buf(test, 296);
	memset(buf, 0x55, 296);
	kdbus_msg_test_read(test, pool, slice, buf);

	/* header and items as rendered */
	KUNIT_EXPECT_MEMEQ(test, buf, staging->render, 264);
	msg = (const struct kdbus_msg *)buf;
	KUNIT_EXPECT_EQ(test, 264ULL, msg->size);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_MSG_SIGNAL, msg->flags);
	KUNIT_EXPECT_EQ(test, 0ULL, msg->dst_id);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_MSG_TEST_CONN_ID, msg->src_id);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_PAYLOAD_DBUS, msg->payload_type);
	KUNIT_EXPECT_EQ(test, 0xc00c1eULL, msg->cookie);

	item = (const struct kdbus_item *)(buf + 64);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_ITEM_DST_NAME, item->type);
	KUNIT_EXPECT_EQ(test, 33ULL, item->size);
	KUNIT_EXPECT_MEMEQ(test, buf + 80, "org.example.Test", 17);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 97, 0, 7));
	KDBUS_MSG_EXPECT_OFF(test, buf, 104, 13, 264);
	KDBUS_MSG_EXPECT_OFF(test, buf, 136, 5, ~0ULL);
	item = (const struct kdbus_item *)(buf + 168);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_ITEM_PAYLOAD_MEMFD, item->type);
	KUNIT_EXPECT_EQ(test, 40ULL, item->size);
	KUNIT_EXPECT_EQ(test, 16ULL, item->memfd.start);
	KUNIT_EXPECT_EQ(test, 13ULL, item->memfd.size);
	KUNIT_EXPECT_EQ(test, -1, item->memfd.fd);
	KUNIT_EXPECT_EQ(test, 0U, item->memfd.__pad);
	KDBUS_MSG_EXPECT_OFF(test, buf, 208, 3, 287);
	item = (const struct kdbus_item *)(buf + 240);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_ITEM_FDS, item->type);
	KUNIT_EXPECT_EQ(test, 20ULL, item->size);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 256, 0xff, 4));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 260, 0, 4));

	/* payload: vector, 5 + 5 zero bytes, vector, zero padding */
	KUNIT_EXPECT_EQ(test, kdbus_msg_test_byte(1), buf[264]);
	KUNIT_EXPECT_EQ(test, kdbus_msg_test_byte(13), buf[276]);
	KUNIT_EXPECT_EQ(test, kdbus_msg_test_byte(12), buf[275]);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 277, 0, 10));
	KUNIT_EXPECT_EQ(test, kdbus_msg_test_byte(100), buf[287]);
	KUNIT_EXPECT_EQ(test, kdbus_msg_test_byte(101), buf[288]);
	KUNIT_EXPECT_EQ(test, kdbus_msg_test_byte(102), buf[289]);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 290, 0, 6));
	kdbus_pool_slice_release(slice);

	/* the sender's memory is gone by the time the message is queued */
	gone = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(gone));
	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_vec(t, 8, gone);
	staging = KDBUS_MSG_OK(t);
	KUNIT_ASSERT_EQ(test, 0, vm_munmap(gone, PAGE_SIZE));
	slice = kdbus_msg_test_slice(test, pool, staging->slice_size);
	KUNIT_EXPECT_EQ(test, -EFAULT, kdbus_staging_emit(staging, slice, 0));
	kdbus_pool_slice_release(slice);
	kdbus_pool_slice_release(pre);
}

/* the example of the contract (§5.10), emitted */
static void kdbus_msg_test_emit_large(struct kunit *test)
{
	struct kdbus_msg_test *t = kdbus_msg_test_new(test);
	const size_t len = 131075 + 13;
	struct kdbus_pool_slice *slice;
	struct kdbus_staging *staging;
	struct kdbus_pool *pool;
	void __user *big;
	u8 *buf, *expect;
	size_t i;

	big = kdbus_msg_test_pattern(test, len);
	expect = kdbus_msg_test_buf(test, len);
	for (i = 0; i < len; i++)
		expect[i] = kdbus_msg_test_byte(i);

	kdbus_msg_test_init(t, 0, 5);
	kdbus_msg_test_add_uvec(t, 131075, big);
	kdbus_msg_test_add_vec(t, 5, 0);
	kdbus_msg_test_add_uvec(t, 13, big + 131075);
	staging = KDBUS_MSG_OK(t);
	KUNIT_ASSERT_EQ(test, 131256UL, staging->slice_size);

	pool = kdbus_msg_test_pool(test, 64 * PAGE_SIZE);
	slice = kdbus_msg_test_slice(test, pool, staging->slice_size);
	KUNIT_ASSERT_EQ(test, 0, kdbus_staging_emit(staging, slice, 0));
	buf = kdbus_msg_test_buf(test, 131256);
	memset(buf, 0x55, 131256);
	kdbus_msg_test_read(test, pool, slice, buf);
	kdbus_pool_slice_release(slice);

	KUNIT_EXPECT_MEMEQ(test, buf, staging->render, 160);
	KUNIT_EXPECT_EQ(test, 160ULL, ((struct kdbus_msg *)buf)->size);
	KDBUS_MSG_EXPECT_OFF(test, buf, 64, 131075, 160);
	KDBUS_MSG_EXPECT_OFF(test, buf, 96, 5, ~0ULL);
	KDBUS_MSG_EXPECT_OFF(test, buf, 128, 13, 131240);
	KUNIT_EXPECT_TRUE(test, !memcmp(buf + 160, expect, 131075));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 131235, 0, 5));
	KUNIT_EXPECT_TRUE(test, !memcmp(buf + 131240, expect + 131075, 13));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 131253, 0, 3));
}

static struct kunit_case kdbus_msg_test_cases[] = {
	KUNIT_CASE(kdbus_msg_test_size),
	KUNIT_CASE(kdbus_msg_test_address),
	KUNIT_CASE(kdbus_msg_test_header),
	KUNIT_CASE(kdbus_msg_test_reply),
	KUNIT_CASE(kdbus_msg_test_broadcast),
	KUNIT_CASE(kdbus_msg_test_dst_name),
	KUNIT_CASE(kdbus_msg_test_bloom),
	KUNIT_CASE(kdbus_msg_test_items),
	KUNIT_CASE(kdbus_msg_test_vecs),
	KUNIT_CASE(kdbus_msg_test_fds),
	KUNIT_CASE(kdbus_msg_test_memfd),
	KUNIT_CASE(kdbus_msg_test_kernel),
	KUNIT_CASE(kdbus_msg_test_emit),
	KUNIT_CASE(kdbus_msg_test_emit_large),
	{}
};

static struct kunit_suite kdbus_msg_test_suite = {
	.name = "kdbus_message",
	.test_cases = kdbus_msg_test_cases,
};

kunit_test_suite(kdbus_msg_test_suite);
