/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - endpoint
 *
 * An endpoint is a file inside a bus directory through which peers
 * connect to the bus. Every bus has a default endpoint "bus", created
 * with the bus; custom endpoints are created with KDBUS_CMD_ENDPOINT_MAKE
 * on a privileged handle and carry their own policy database.
 *
 * Ownership and references:
 *  - struct kdbus_ep embeds its node and lives as long as the node (kref).
 *    References are held by its inode, by handles opened on it, by the
 *    handle that created it (custom endpoints) and, while linked, by the
 *    bus.
 *  - The endpoint is live while its node is active. The default endpoint
 *    is torn down with its bus; a custom endpoint when its owning handle
 *    is released or its bus is torn down.
 *  - A custom endpoint holds a reference to its anonymous accounting user.
 *
 *  - While linked, a connection made through the endpoint is on
 *    @conn_list (which holds a reference); tearing the endpoint down
 *    disconnects all of them.
 *
 * Locking: @bus and @user are set at creation and never change;
 * @policy_db has its own lock (see policy.h); @lock protects @conn_list.
 */

#ifndef __KDBUS_ENDPOINT_H
#define __KDBUS_ENDPOINT_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <uapi/linux/kdbus.h>

#include "node.h"
#include "policy.h"

struct kdbus_bus;
struct kdbus_user;

/**
 * struct kdbus_ep - an endpoint
 * @node:	Node of the endpoint file
 * @bus:	Bus of the endpoint (the parent of @node)
 * @user:	Anonymous accounting user of a custom endpoint, NULL for the
 *		default endpoint
 * @policy_db:	Policy database of a custom endpoint
 * @lock:	Protects @conn_list
 * @conn_list:	Connections made through this endpoint
 */
struct kdbus_ep {
	struct kdbus_node node;
	struct kdbus_bus *bus;
	struct kdbus_user *user;
	struct kdbus_policy_db policy_db;
	struct mutex lock; /* protects conn_list */
	struct list_head conn_list;
};

struct kdbus_ep *kdbus_ep_new(struct kdbus_bus *bus, const char *name,
			      umode_t mode, kuid_t uid, kgid_t gid,
			      bool custom);
struct kdbus_ep *kdbus_ep_ref(struct kdbus_ep *ep);
struct kdbus_ep *kdbus_ep_unref(struct kdbus_ep *ep);
void kdbus_ep_destroy(struct kdbus_ep *ep);
struct kdbus_ep *kdbus_cmd_ep_make(struct kdbus_bus *bus, void __user *argp);
int kdbus_cmd_ep_update(struct kdbus_ep *ep, void __user *argp);

/**
 * kdbus_ep_from_node() - the endpoint embedding a node
 * @node:	Node of type KDBUS_NODE_ENDPOINT
 *
 * Return: the endpoint.
 */
static inline struct kdbus_ep *kdbus_ep_from_node(struct kdbus_node *node)
{
	return container_of(node, struct kdbus_ep, node);
}

/**
 * kdbus_ep_is_custom() - whether an endpoint is a custom endpoint
 * @ep:		Endpoint
 *
 * Return: false for the default endpoint of a bus, true otherwise.
 */
static inline bool kdbus_ep_is_custom(const struct kdbus_ep *ep)
{
	return ep->user;
}

/**
 * kdbus_make_mode() - file mode from KDBUS_MAKE_* flags
 * @flags:	KDBUS_MAKE_ACCESS_GROUP, KDBUS_MAKE_ACCESS_WORLD
 * @owner:	Permission bits of the owner (0600 for files, 0500 for
 *		directories)
 *
 * ACCESS_GROUP copies the owner bits to the group, ACCESS_WORLD to the
 * group and to others.
 *
 * Return: the permission bits.
 */
static inline umode_t kdbus_make_mode(u64 flags, umode_t owner)
{
	umode_t mode = owner;

	if (flags & (KDBUS_MAKE_ACCESS_GROUP | KDBUS_MAKE_ACCESS_WORLD))
		mode |= owner >> 3;
	if (flags & KDBUS_MAKE_ACCESS_WORLD)
		mode |= owner >> 6;
	return mode;
}

#endif /* __KDBUS_ENDPOINT_H */
