/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - policy databases
 *
 * A policy database maps well-known names (optionally wildcards ending in
 * ".*") to lists of access records. This first version only stores the
 * database of a custom endpoint; lookups and the bus database come with
 * the name registry.
 *
 * Ownership: a struct kdbus_policy_db is embedded in its owner (a custom
 * endpoint) and emptied with kdbus_policy_db_clear() when the owner is
 * freed. Entries are owned by the database.
 *
 * Locking: kdbus_policy_db.lock protects kdbus_policy_db.entries; readers
 * take it shared, replacement takes it exclusively.
 */

#ifndef __KDBUS_POLICY_H
#define __KDBUS_POLICY_H

#include <linux/list.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/uidgid.h>

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
 * @list:	Link in kdbus_policy_db.entries
 * @name:	The name, including a trailing ".*" for wildcards
 * @wildcard:	Whether @name ends in ".*"
 * @n_access:	Number of entries in @access
 * @access:	Access records
 */
struct kdbus_policy_entry {
	struct list_head list;
	char *name;
	bool wildcard;
	unsigned int n_access;
	struct kdbus_policy_record access[];
};

/**
 * struct kdbus_policy_db - a policy database
 * @lock:	Protects @entries
 * @entries:	List of struct kdbus_policy_entry
 */
struct kdbus_policy_db {
	struct rw_semaphore lock; /* protects entries */
	struct list_head entries;
};

void kdbus_policy_db_init(struct kdbus_policy_db *db);
void kdbus_policy_db_clear(struct kdbus_policy_db *db);
int kdbus_policy_db_replace(struct kdbus_policy_db *db,
			    const struct kdbus_item *items, size_t size);

#endif /* __KDBUS_POLICY_H */
