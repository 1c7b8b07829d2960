/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - policy databases
 *
 * A policy database maps well-known names (optionally wildcards ending in
 * ".*", covering one more element) to lists of access records: who may
 * see (SEE), talk to (TALK) or own (OWN) a name. Each bus has one,
 * filled by activators and policy holders, each custom endpoint another,
 * replaced as a whole by KDBUS_CMD_ENDPOINT_UPDATE.
 *
 * Ownership: a struct kdbus_policy_db is embedded in its bus or endpoint
 * and emptied with kdbus_policy_db_clear() when that is freed. Entries
 * are owned by the database; each records its installer (@owner), whose
 * entries are replaced or removed together.
 *
 * Locking: kdbus_policy_db.lock; lookups take it shared, changes
 * exclusively. It is taken inside the name registry lock (a TALK check
 * looks up each name a peer owns) and nothing is taken inside it.
 */

#ifndef __KDBUS_POLICY_H
#define __KDBUS_POLICY_H

#include <linux/list.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/uidgid.h>

struct cred;
struct kdbus_conn;
struct kdbus_item;

/**
 * struct kdbus_policy_record - one access record of a policy entry
 * @type:	KDBUS_POLICY_ACCESS_USER, _GROUP or _WORLD
 * @access:	KDBUS_POLICY_SEE, _TALK or _OWN
 * @uid:	For KDBUS_POLICY_ACCESS_USER: the uid
 * @gid:	For KDBUS_POLICY_ACCESS_GROUP: the gid
 */
struct kdbus_policy_record {
	unsigned int type;
	unsigned int access;
	union {
		kuid_t uid;
		kgid_t gid;
	};
};

/**
 * struct kdbus_policy_entry - a name and its access records
 * @hentry:	Link in the database's index
 * @list:	Link in kdbus_policy_db.entries, or in a list being parsed
 * @owner:	Installer the entry belongs to (a connection of the bus
 *		database; the database itself for an endpoint's)
 * @hash:	Hash of @name
 * @name:	The name, including a trailing ".*" for wildcards
 * @wildcard:	Whether @name ends in ".*"
 * @n_access:	Number of entries in @access
 * @access:	Access records
 */
struct kdbus_policy_entry {
	struct hlist_node hentry;
	struct list_head list;
	const void *owner;
	u32 hash;
	char *name;
	bool wildcard;
	unsigned int n_access;
	struct kdbus_policy_record access[];
};

/**
 * struct kdbus_policy_db - a policy database
 * @lock:	Protects @entries, @index and @index_bits
 * @entries:	All entries
 * @index:	Hash index of @entries by name: 1 << @index_bits buckets,
 *		at least as many as entries; NULL while there are none
 * @index_bits:	Size of @index
 *
 * The index is rebuilt whenever entries are added, so a lookup costs one
 * hash and a chain of about one entry, however many entries there are,
 * and a change can only fail (allocating) before anything has changed.
 */
struct kdbus_policy_db {
	struct rw_semaphore lock; /* protects entries, index */
	struct list_head entries;
	struct hlist_head *index;
	unsigned int index_bits;
};

void kdbus_policy_db_init(struct kdbus_policy_db *db);
void kdbus_policy_db_clear(struct kdbus_policy_db *db);
int kdbus_policy_db_set(struct kdbus_policy_db *db, const void *owner,
			const struct kdbus_item *items, size_t size,
			bool wildcards);
void kdbus_policy_db_remove_owner(struct kdbus_policy_db *db,
				  const void *owner);
int kdbus_policy_db_lookup(struct kdbus_policy_db *db,
			   const struct cred *cred, const char *name);
int kdbus_policy_db_query(struct kdbus_policy_db *db, const struct cred *cred,
			  const char *name);

bool kdbus_policy_may_own(const struct kdbus_conn *conn,
			  const struct cred *cred, const char *name);
bool kdbus_policy_may_talk(const struct kdbus_conn *conn,
			   const struct cred *cred,
			   const struct kdbus_conn *peer);
bool kdbus_policy_may_see_name(const struct kdbus_conn *conn,
			       const struct cred *cred, const char *name);
bool kdbus_policy_may_see_conn(const struct kdbus_conn *conn,
			       const struct cred *cred,
			       const struct kdbus_conn *peer);

#endif /* __KDBUS_POLICY_H */
