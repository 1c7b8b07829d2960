/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - the name registry of a bus
 */

#ifndef __KDBUS_NAMES_H
#define __KDBUS_NAMES_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/rwsem.h>
#include <linux/types.h>

struct kdbus_conn;
struct list_head;

/**
 * DOC: name registry
 *
 * Every bus has one registry of well-known names, a resizable hash table
 * (rhashtable) keyed by the name string, so that finding a name costs the
 * same whatever the number of names. A registered name is a struct
 * kdbus_name_entry. The connections interested in a name are linked to
 * it by struct kdbus_name_owner, one per claim: the primary owner, each
 * waiting connection in the FIFO queue, and the activator. A claim is
 * also linked into the list of claims of its connection, so that a
 * connection finds its names without searching the registry.
 *
 * Ownership and references:
 *  - The registry owns its entries and claims. An entry is reference
 *    counted (kref): the registry holds one reference while the entry is
 *    in the table, and a sender addressing a message by name holds one
 *    from the lookup until the message is queued. Entries are freed by
 *    RCU, so a lookup needs no lock.
 *  - A claim belongs to its entry and to its connection; it holds no
 *    reference to either: a connection gives up all its claims before it
 *    is freed (kdbus_name_release_all()), and an entry is removed when its
 *    last claim goes.
 *
 * Locking:
 *  - &kdbus_name_registry.rwlock protects the table, every entry's
 *    @queue, @primary, @activator and flags, and the claim lists of all
 *    connections of the bus. Lookups for sending take no lock at all:
 *    they search the table under rcu_read_lock() and read @owner with
 *    READ_ONCE(); the registry writes it with WRITE_ONCE().
 *  - The registry lock is taken before any connection lock. It is held
 *    while the messages of an activator move to the new owner of its name
 *    and back (the pools of both connections are locked then, the
 *    ordinary connection's first): that copy reads only kernel memory,
 *    the source pool, never the memory of a user task.
 *  - A message addressed by name is checked, under the receiver's lock at
 *    the moment it is queued, to still go to the current owner of the
 *    name; a hand-over changes the owner before it locks the previous
 *    owner's queue, so a message is either moved with the queue or sent
 *    again to the new owner, never left behind.
 */

/**
 * struct kdbus_name_registry - the names of a bus
 * @rwlock:	Protects the registry (see above)
 * @ht:		Entries by name
 * @name_seq:	Last registration sequence number
 */
struct kdbus_name_registry {
	struct rw_semaphore rwlock;
	struct rhashtable ht;
	u64 name_seq;
};

/**
 * struct kdbus_name_entry - a registered well-known name
 * @kref:	Reference count
 * @rhash:	Link in &kdbus_name_registry.ht
 * @name_id:	Sequence number of this registration; messages queued for
 *		the name carry it, so that a hand-over moves exactly them
 * @flags:	Flags of the primary owner (KDBUS_NAME_ACTIVATOR for an
 *		activator)
 * @owner:	Connection of the primary owner; read locklessly
 * @primary:	Claim of the primary owner
 * @activator:	Claim of the activator, or NULL
 * @queue:	Claims of waiting connections, in FIFO order
 * @rcu:	Deferred free
 * @name:	The name
 */
struct kdbus_name_entry {
	struct kref kref;
	struct rhash_head rhash;
	u64 name_id;
	u64 flags;
	struct kdbus_conn *owner;
	struct kdbus_name_owner *primary;
	struct kdbus_name_owner *activator;
	struct list_head queue;
	struct rcu_head rcu;
	char name[];
};

/**
 * struct kdbus_name_owner - a connection's claim on a name
 * @conn_entry:	Link in &kdbus_conn.names_list
 * @name_entry:	Link in &kdbus_name_entry.queue while waiting
 * @conn:	The connection
 * @name:	The name
 * @flags:	KDBUS_NAME_* flags the connection asked for
 *		(KDBUS_NAME_ACTIVATOR for the activator)
 */
struct kdbus_name_owner {
	struct list_head conn_entry;
	struct list_head name_entry;
	struct kdbus_conn *conn;
	struct kdbus_name_entry *name;
	u64 flags;
};

int kdbus_name_registry_init(struct kdbus_name_registry *r);
void kdbus_name_registry_exit(struct kdbus_name_registry *r);

struct kdbus_name_entry *kdbus_name_lookup(struct kdbus_name_registry *r,
					   const char *name);
struct kdbus_name_entry *kdbus_name_ref(struct kdbus_name_entry *e);
struct kdbus_name_entry *kdbus_name_unref(struct kdbus_name_entry *e);
struct kdbus_conn *kdbus_name_get_owner(struct kdbus_name_entry *e);
bool kdbus_name_is_owned_by(struct kdbus_name_registry *r, const char *name,
			    const struct kdbus_conn *conn);

int kdbus_name_acquire(struct kdbus_name_registry *r, struct kdbus_conn *conn,
		       const char *name, u64 flags, u64 *return_flags,
		       struct list_head *notify);
int kdbus_name_release_all(struct kdbus_name_registry *r,
			   struct kdbus_conn *conn, struct list_head *notify);
bool kdbus_name_any_owned(struct kdbus_name_registry *r,
			  const struct kdbus_conn *conn,
			  bool (*fn)(const char *name, void *data), void *data);
void *kdbus_name_owned_items(struct kdbus_name_registry *r,
			     const struct kdbus_conn *conn, size_t *size);
int kdbus_name_list(struct kdbus_name_registry *r, struct kdbus_conn *conn,
		    u64 flags, void **buf, size_t *size);

int kdbus_cmd_name_acquire(struct kdbus_conn *conn, void __user *argp);
int kdbus_cmd_name_release(struct kdbus_conn *conn, void __user *argp);
int kdbus_cmd_list(struct kdbus_conn *conn, void __user *argp);

#endif /* __KDBUS_NAMES_H */
