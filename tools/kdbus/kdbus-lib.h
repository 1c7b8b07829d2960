/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus-lib - raw kdbus ABI helpers shared by kdbus-proxy and
 * kdbus-monitor: open + HELLO + pool mapping, SEND, RECV, FREE, names,
 * LIST, CONN_INFO, matches and item iteration.
 *
 * All functions returning int return 0 (or a positive value where noted)
 * on success and a negative errno on failure; they never print.
 */

#ifndef KDBUS_LIB_H
#define KDBUS_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kdbus.h>

#define KDBUS_ALIGN8(n)		(((n) + 7) & ~(__typeof__(n))7)
#define KDBUS_ITEM_HEADER_SIZE	16
#define KDBUS_ITEM_SIZE(n)	KDBUS_ALIGN8((n) + KDBUS_ITEM_HEADER_SIZE)
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

static inline struct kdbus_item *kdbus_item_next(const struct kdbus_item *i)
{
	return (struct kdbus_item *)((uint8_t *)i + KDBUS_ALIGN8(i->size));
}

#define KDBUS_ITEM_NEXT(item)	kdbus_item_next(item)

/* true if @item lies completely inside [@start, @start + @len) */
static inline bool kdbus_item_valid(const struct kdbus_item *item,
				    const void *start, uint64_t len)
{
	const uint8_t *end = (const uint8_t *)start + len;
	const uint8_t *p = (const uint8_t *)item;

	return p + KDBUS_ITEM_HEADER_SIZE <= end &&
	       item->size >= KDBUS_ITEM_HEADER_SIZE &&
	       item->size <= (uint64_t)(end - p);
}

#define KDBUS_ITEM_VALID(item, start, len) kdbus_item_valid(item, start, len)

/* iterate over an item region of @len bytes starting at @first */
#define KDBUS_ITEM_FOREACH(item, first, len)				\
	for ((item) = (first); kdbus_item_valid(item, first, len);	\
	     (item) = kdbus_item_next(item))

#define KDBUS_MSG_ITEMS_SIZE(msg) \
	((msg)->size - offsetof(struct kdbus_msg, items))
#define KDBUS_INFO_ITEMS_SIZE(info) \
	((info)->size - offsetof(struct kdbus_info, items))

/* The kernel's limit for a message header plus items */
#define KDBUS_LIB_MSG_MAX	8192

/* Pool size used by the tools: enough for many queued messages */
#define KDBUS_LIB_POOL_SIZE	(16ULL * 1024 * 1024)

struct kdbus_conn {
	int fd;
	uint8_t *pool;
	size_t pool_size;
	uint64_t id;
	uint64_t hello_flags;
	uint8_t id128[16];
	uint64_t bloom_size;
	uint64_t bloom_n_hash;
};

struct kdbus_hello_opts {
	uint64_t flags;			/* KDBUS_HELLO_* */
	uint64_t attach_send;		/* KDBUS_ATTACH_* */
	uint64_t attach_recv;		/* KDBUS_ATTACH_* */
	size_t pool_size;		/* 0: KDBUS_LIB_POOL_SIZE */
	const char *description;	/* KDBUS_ITEM_CONN_DESCRIPTION or NULL */
	/* KDBUS_ITEM_NAME for an activator or policy holder, or NULL */
	const char *name;
	const struct kdbus_creds *creds;	/* impersonation, or NULL */
	const struct kdbus_pids *pids;		/* impersonation, or NULL */
	const char *seclabel;			/* impersonation, or NULL */
};

/* message under construction, 8-byte aligned, at most KDBUS_LIB_MSG_MAX */
struct kdbus_msg_builder {
	union {
		struct kdbus_msg msg;
		uint64_t buf[KDBUS_LIB_MSG_MAX / 8];
	};
};

int kdbus_lib_bus_make(const char *control, const char *name,
		       uint64_t bloom_size, uint64_t n_hash);
int kdbus_lib_hello(struct kdbus_conn *conn, const char *path,
		    const struct kdbus_hello_opts *opts);
void kdbus_lib_close(struct kdbus_conn *conn);

uint64_t kdbus_lib_offset(const struct kdbus_conn *conn, const void *ptr);
int kdbus_lib_free(struct kdbus_conn *conn, uint64_t offset);
int kdbus_lib_free_ptr(struct kdbus_conn *conn, const void *ptr);

int kdbus_lib_send(struct kdbus_conn *conn, const struct kdbus_msg *msg);
int kdbus_lib_recv(struct kdbus_conn *conn, struct kdbus_msg **msg,
		   uint64_t *dropped);
void kdbus_lib_msg_close_fds(struct kdbus_msg *msg);
int kdbus_lib_msg_payload(const struct kdbus_conn *conn,
			  const struct kdbus_msg *msg, size_t max_size,
			  uint8_t **data, size_t *size);
const struct kdbus_item *kdbus_lib_msg_item(const struct kdbus_msg *msg,
					    uint64_t type);

void kdbus_lib_msg_init(struct kdbus_msg_builder *b);
struct kdbus_item *kdbus_lib_msg_add(struct kdbus_msg_builder *b,
				     uint64_t type, size_t payload);
struct kdbus_item *kdbus_lib_msg_add_str(struct kdbus_msg_builder *b,
					 uint64_t type, const char *str);

int kdbus_lib_name_acquire(struct kdbus_conn *conn, const char *name,
			   uint64_t flags, uint64_t *return_flags);
int kdbus_lib_name_release(struct kdbus_conn *conn, const char *name);
int kdbus_lib_list(struct kdbus_conn *conn, uint64_t flags,
		   struct kdbus_info **list, uint64_t *size);
int kdbus_lib_conn_info(struct kdbus_conn *conn, uint64_t id,
			const char *name, uint64_t attach,
			struct kdbus_info **info);
int kdbus_lib_match_add(struct kdbus_conn *conn, uint64_t cookie,
			uint64_t flags, const void *items, size_t items_size);
int kdbus_lib_match_remove(struct kdbus_conn *conn, uint64_t cookie);

int kdbus_lib_parse_unique(const char *name, uint64_t *id);
const char *kdbus_lib_item_name(uint64_t type);

#endif /* KDBUS_LIB_H */
