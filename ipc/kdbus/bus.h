/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - bus
 *
 * A bus is a directory below the root of a domain, created with
 * KDBUS_CMD_BUS_MAKE on a control handle.
 *
 * Ownership and references:
 *  - struct kdbus_bus embeds its node and lives as long as the node
 *    (kref). References are held by the handle that created it (until
 *    the handle is released), by its inode, by its endpoints (as their
 *    parent) and, while linked, by the domain.
 *  - The bus is live while its node is active. Releasing the owning
 *    handle, or tearing down the domain, deactivates and drains it, which
 *    tears down all its endpoints and releases the creator's bus count.
 *
 *  - The bus registry (@conn_hash, @monitors_list) holds a reference to
 *    every connection linked into it, from HELLO until the connection is
 *    disconnected.
 *
 * Locking: the fields describing the bus are set before the bus is linked
 * into the domain and never change afterwards; @creator's counters are
 * atomic. @conn_rwlock protects @conn_hash, @monitors_list and the two
 * match lists; it is taken after the name registry lock and before any
 * connection lock. Writers hold it for writing and
 * change @conn_hash with the RCU list helpers: a lookup by id runs under
 * rcu_read_lock() alone (connections are freed by RCU), so that a
 * unicast takes no bus-wide lock. Kernel notifications are staged and
 * delivered by the operation that causes them and keep no state in the
 * bus (see notify.h).
 */

#ifndef __KDBUS_BUS_H
#define __KDBUS_BUS_H

#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <uapi/linux/kdbus.h>

#include "names.h"
#include "policy.h"
#include "node.h"

struct cred;
struct pid;
struct kdbus_conn;
struct kdbus_domain;
struct kdbus_staging;
struct kdbus_meta_proc;
struct kdbus_user;

#define KDBUS_BUS_HASH_BITS	8

/**
 * struct kdbus_bus - a bus
 * @node:		Node of the bus directory
 * @domain:		Domain of the bus (the parent of @node)
 * @id:			Bus id, from the domain's id counter
 * @bus_flags:		KDBUS_MAKE_* flags given at creation
 * @attach_flags_req:	KDBUS_ATTACH_* mask every connection must be willing
 *			to send (KDBUS_ITEM_ATTACH_FLAGS_RECV at creation)
 * @attach_flags_owner:	KDBUS_ATTACH_* mask of the creator's metadata that
 *			may be revealed (KDBUS_ITEM_ATTACH_FLAGS_SEND)
 * @bloom:		Bloom filter parameters
 * @id128:		Random (RFC 4122 version 4) UUID of the bus
 * @creator:		Accounting user of the creator (real uid); non-NULL
 *			once the bus is counted in its bus limit
 * @creator_cred:	Credentials of the creator (for the LSM hooks)
 * @creator_meta:	Process metadata of the creator at creation time (what
 *			BUS_CREATOR_INFO reports)
 * @conn_rwlock:	Protects @conn_hash, @monitors_list and the match lists
 * @conn_hash:		Connections by id (all kinds)
 * @monitors_list:	Monitor connections
 * @match_msg_list:	Connections with matches for messages of connections
 * @match_notify_list:	Connections with matches for kernel notifications
 * @name_registry:	Well-known names
 * @registry_ready:	@name_registry is initialised
 * @policy_db:		Bus policy database (activators, policy holders)
 */
struct kdbus_bus {
	struct kdbus_node node;
	struct kdbus_domain *domain;
	u64 id;
	u64 bus_flags;
	u64 attach_flags_req;
	u64 attach_flags_owner;
	struct kdbus_bloom_parameter bloom;
	u8 id128[16];
	struct kdbus_user *creator;
	const struct cred *creator_cred;
	struct kdbus_meta_proc *creator_meta;

	struct rw_semaphore conn_rwlock;
	DECLARE_HASHTABLE(conn_hash, KDBUS_BUS_HASH_BITS);
	struct list_head monitors_list;
	struct list_head match_msg_list;
	struct list_head match_notify_list;
	struct kdbus_name_registry name_registry;
	bool registry_ready;
	struct kdbus_policy_db policy_db;
};

struct kdbus_bus *kdbus_cmd_bus_make(struct kdbus_domain *domain,
				     void __user *argp);
struct kdbus_bus *kdbus_bus_ref(struct kdbus_bus *bus);
struct kdbus_bus *kdbus_bus_unref(struct kdbus_bus *bus);
void kdbus_bus_destroy(struct kdbus_bus *bus);
struct kdbus_conn *kdbus_bus_find_conn_by_id(struct kdbus_bus *bus, u64 id);
void kdbus_bus_eavesdrop(struct kdbus_bus *bus, struct kdbus_conn *conn_src,
			 struct kdbus_staging *staging);
void kdbus_bus_broadcast(struct kdbus_bus *bus, struct kdbus_conn *conn_src,
			 struct kdbus_staging *staging);

/**
 * kdbus_bus_from_node() - the bus embedding a node
 * @node:	Node of type KDBUS_NODE_BUS
 *
 * Return: the bus.
 */
static inline struct kdbus_bus *kdbus_bus_from_node(struct kdbus_node *node)
{
	return container_of(node, struct kdbus_bus, node);
}

#endif /* __KDBUS_BUS_H */
