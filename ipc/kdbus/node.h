/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - generic file-system node
 *
 * Every object that shows up in kdbusfs (domain root, control file, bus
 * directory, endpoint file) embeds a struct kdbus_node.
 *
 * Ownership: the node is embedded in, and freed together with, the object
 * of its type (struct kdbus_domain, struct kdbus_bus, struct kdbus_ep, or a
 * bare node for the control file). Its memory is released through
 * &kdbus_node_ops.free once the last reference is dropped.
 *
 * References:
 *  - @kref pins the memory. Holders: the creator until it drops its
 *    reference, the parent while the node is linked as its child, every
 *    child (through @parent), every inode of the node (i_private) and
 *    every handle opened on it.
 *  - @active counts active references (struct kdbus_active, see
 *    active.h): short-lived references taken with kdbus_node_acquire() by
 *    code that operates on a live node (ioctls, open). A node starts NEW
 *    (no active reference can be taken), becomes active with
 *    kdbus_node_activate(), and is shut down with kdbus_node_deactivate()
 *    (no new active reference can be taken) plus kdbus_node_drain(), which
 *    waits until all active references are gone and then tears the node
 *    down exactly once: children first, then the type-specific
 *    &kdbus_node_ops.release, then the unlink from the parent. Never drain
 *    a node while holding an active reference to it or to one of its
 *    descendants; lockdep checks this, with one lock class per node type.
 *
 * Locking:
 *  - @lock protects @children_name, @children_id and the @rb_name,
 *    @rb_id and @linked fields of every child. It is never held while
 *    taking another node's @lock and never held across blocking calls
 *    other than memory allocation.
 *  - @type, @id, @mode, @uid, @gid, @name, @parent and @ops are set at
 *    initialisation and never change.
 */

#ifndef __KDBUS_NODE_H
#define __KDBUS_NODE_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>

#include "active.h"

struct kdbus_node;

/**
 * enum kdbus_node_type - type of a kdbus node
 * @KDBUS_NODE_DOMAIN:		root directory of a kdbusfs mount
 * @KDBUS_NODE_CONTROL:		the control file of a domain
 * @KDBUS_NODE_BUS:		a bus directory
 * @KDBUS_NODE_ENDPOINT:	an endpoint file of a bus
 */
enum kdbus_node_type {
	KDBUS_NODE_DOMAIN,
	KDBUS_NODE_CONTROL,
	KDBUS_NODE_BUS,
	KDBUS_NODE_ENDPOINT,
};

/**
 * struct kdbus_node_ops - type-specific node callbacks
 * @release:	Called exactly once, from kdbus_node_drain(), after the node
 *		was deactivated, all its active references were dropped and
 *		its children were torn down. May sleep. May be NULL.
 * @free:	Called when the last reference is dropped; frees the object
 *		that embeds the node. Must cope with a partially initialised
 *		object. May run from inode eviction, also in memory reclaim,
 *		so it must not take a lock that is held across a memory
 *		allocation. Must not be NULL.
 */
struct kdbus_node_ops {
	void (*release)(struct kdbus_node *node);
	void (*free)(struct kdbus_node *node);
};

/**
 * struct kdbus_node - a node of kdbusfs
 * @kref:		Reference count of the memory
 * @active:		Active-reference count and state
 * @waitq:		Wait queue of @active: woken when the last active
 *			reference of a deactivated node is dropped and when
 *			the node is drained
 * @ops:		Type-specific callbacks
 * @type:		Type of the node (enum kdbus_node_type)
 * @id:			Inode number, unique across all kdbus nodes
 * @mode:		File mode bits (permissions only)
 * @uid:		Owner of the file
 * @gid:		Group of the file
 * @name:		Name of the node in its parent directory (NULL for
 *			a domain)
 * @parent:		Parent node (reference held), NULL for a domain
 * @lock:		Protects the children of this node
 * @children_name:	Children, sorted by name
 * @children_id:	Children, sorted by @id (readdir order)
 * @rb_name:		Link in the parent's @children_name
 * @rb_id:		Link in the parent's @children_id
 * @linked:		Whether the node is linked into its parent
 */
struct kdbus_node {
	struct kref kref;
	struct kdbus_active active;
	wait_queue_head_t waitq;
	const struct kdbus_node_ops *ops;
	unsigned int type;
	unsigned int id;
	umode_t mode;
	kuid_t uid;
	kgid_t gid;
	const char *name;
	struct kdbus_node *parent;

	struct mutex lock; /* protects children_* and the children's rb_* */
	struct rb_root children_name;
	struct rb_root children_id;
	struct rb_node rb_name;
	struct rb_node rb_id;
	bool linked;
};

int kdbus_node_init(struct kdbus_node *node, unsigned int type,
		    const struct kdbus_node_ops *ops,
		    struct kdbus_node *parent, const char *name,
		    umode_t mode, kuid_t uid, kgid_t gid);
int kdbus_node_link(struct kdbus_node *node);
struct kdbus_node *kdbus_node_ref(struct kdbus_node *node);
struct kdbus_node *kdbus_node_unref(struct kdbus_node *node);

void kdbus_node_activate(struct kdbus_node *node);
void kdbus_node_deactivate(struct kdbus_node *node);
void kdbus_node_drain(struct kdbus_node *node);
void kdbus_node_destroy(struct kdbus_node *node);
bool kdbus_node_is_active(struct kdbus_node *node);
bool kdbus_node_acquire(struct kdbus_node *node);
void kdbus_node_release(struct kdbus_node *node);

struct kdbus_node *kdbus_node_find_child(struct kdbus_node *parent,
					 const char *name);
struct kdbus_node *kdbus_node_next_child(struct kdbus_node *parent,
					 unsigned int min_id);

/**
 * kdbus_node_is_dir() - whether a node is shown as a directory
 * @node:	Node to check
 *
 * Return: true for domains and buses, false for control and endpoints.
 */
static inline bool kdbus_node_is_dir(const struct kdbus_node *node)
{
	return node->type == KDBUS_NODE_DOMAIN || node->type == KDBUS_NODE_BUS;
}

#endif /* __KDBUS_NODE_H */
