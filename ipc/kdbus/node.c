// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - generic file-system node
 *
 * The active references of a node are a struct kdbus_active (active.h).
 * Teardown happens exactly once, in the kdbus_node_drain() call that wins
 * kdbus_active_drain(); every other drainer returns only once the node is
 * fully torn down.
 */

#include <linux/err.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>

#include "active.h"
#include "node.h"

/* inode numbers of all kdbus nodes of the system */
static DEFINE_IDA(kdbus_node_ida);

/*
 * One lockdep class for the active references of each node type: a
 * control handle holds an active reference to the control node while
 * BUS_MAKE tears down a bus it failed to hand out, which is no deadlock.
 */
static const char * const kdbus_node_active_names[] = {
	[KDBUS_NODE_DOMAIN]	= "kdbus_domain_node.active",
	[KDBUS_NODE_CONTROL]	= "kdbus_control_node.active",
	[KDBUS_NODE_BUS]	= "kdbus_bus_node.active",
	[KDBUS_NODE_ENDPOINT]	= "kdbus_ep_node.active",
};

static struct lock_class_key
	kdbus_node_active_keys[ARRAY_SIZE(kdbus_node_active_names)];

/**
 * kdbus_node_init() - initialise a node
 * @node:	Node to initialise (embedded in a zeroed object)
 * @type:	Type of the node (enum kdbus_node_type)
 * @ops:	Type-specific callbacks, @ops->free must be set
 * @parent:	Parent node, or NULL for a domain; a reference is taken
 * @name:	Name of the node inside @parent (copied), or NULL
 * @mode:	Permission bits of the file
 * @uid:	Owner of the file
 * @gid:	Group of the file
 *
 * The node starts in state NEW with one reference, owned by the caller.
 * Whether this succeeds or fails, the caller drops its reference with
 * kdbus_node_unref(), which frees the embedding object through @ops->free.
 *
 * Return: 0 on success, negative error code on failure.
 */
int kdbus_node_init(struct kdbus_node *node, unsigned int type,
		    const struct kdbus_node_ops *ops,
		    struct kdbus_node *parent, const char *name,
		    umode_t mode, kuid_t uid, kgid_t gid)
{
	int ret;

	kref_init(&node->kref);
	init_waitqueue_head(&node->waitq);
	__kdbus_active_init(&node->active, &node->waitq,
			    kdbus_node_active_names[type],
			    &kdbus_node_active_keys[type]);
	mutex_init(&node->lock);
	node->children_name = RB_ROOT;
	node->children_id = RB_ROOT;
	RB_CLEAR_NODE(&node->rb_name);
	RB_CLEAR_NODE(&node->rb_id);
	node->linked = false;
	node->ops = ops;
	node->type = type;
	node->mode = mode;
	node->uid = uid;
	node->gid = gid;
	node->parent = parent ? kdbus_node_ref(parent) : NULL;

	if (name) {
		node->name = kstrdup(name, GFP_KERNEL);
		if (!node->name)
			return -ENOMEM;
	}

	ret = ida_alloc_min(&kdbus_node_ida, 1, GFP_KERNEL);
	if (ret < 0)
		return ret;
	node->id = ret;

	return 0;
}

static void kdbus_node_free(struct kref *kref)
{
	struct kdbus_node *node = container_of(kref, struct kdbus_node, kref);
	struct kdbus_node *parent = node->parent;

	if (node->id)
		ida_free(&kdbus_node_ida, node->id);
	kfree(node->name);
	node->ops->free(node);
	kdbus_node_unref(parent);
}

/**
 * kdbus_node_ref() - take a reference to a node
 * @node:	Node
 *
 * Return: @node.
 */
struct kdbus_node *kdbus_node_ref(struct kdbus_node *node)
{
	kref_get(&node->kref);
	return node;
}

/**
 * kdbus_node_unref() - drop a reference to a node
 * @node:	Node, or NULL
 *
 * Dropping the last reference frees the node and the object embedding it,
 * and drops the reference to the parent.
 *
 * Return: NULL.
 */
struct kdbus_node *kdbus_node_unref(struct kdbus_node *node)
{
	if (node)
		kref_put(&node->kref, kdbus_node_free);
	return NULL;
}

/**
 * kdbus_node_link() - link a node into its parent directory
 * @node:	Node with a name and a parent
 *
 * Makes the name of @node taken inside its parent. The node only becomes
 * visible to lookups once it is activated. The parent keeps a reference
 * to @node until @node is torn down.
 *
 * Return: 0 on success, -EEXIST if the parent already has a child of that
 * name, -ESHUTDOWN if the parent was deactivated.
 */
int kdbus_node_link(struct kdbus_node *node)
{
	struct kdbus_node *parent = node->parent;
	struct rb_node **n, *prev = NULL;
	int ret = 0;

	mutex_lock(&parent->lock);

	if (!kdbus_active_is_active(&parent->active) &&
	    !kdbus_active_is_new(&parent->active)) {
		ret = -ESHUTDOWN;
		goto exit_unlock;
	}

	n = &parent->children_name.rb_node;
	while (*n) {
		struct kdbus_node *c = rb_entry(*n, struct kdbus_node, rb_name);
		int r = strcmp(node->name, c->name);

		prev = *n;
		if (r < 0) {
			n = &(*n)->rb_left;
		} else if (r > 0) {
			n = &(*n)->rb_right;
		} else {
			ret = -EEXIST;
			goto exit_unlock;
		}
	}
	rb_link_node(&node->rb_name, prev, n);
	rb_insert_color(&node->rb_name, &parent->children_name);

	prev = NULL;
	n = &parent->children_id.rb_node;
	while (*n) {
		struct kdbus_node *c = rb_entry(*n, struct kdbus_node, rb_id);

		prev = *n;
		if (node->id < c->id)
			n = &(*n)->rb_left;
		else
			n = &(*n)->rb_right;
	}
	rb_link_node(&node->rb_id, prev, n);
	rb_insert_color(&node->rb_id, &parent->children_id);

	node->linked = true;
	kdbus_node_ref(node);

exit_unlock:
	mutex_unlock(&parent->lock);
	return ret;
}

static void kdbus_node_unlink(struct kdbus_node *node)
{
	struct kdbus_node *parent = node->parent;
	bool unlinked = false;

	if (!parent)
		return;

	mutex_lock(&parent->lock);
	if (node->linked) {
		rb_erase(&node->rb_name, &parent->children_name);
		rb_erase(&node->rb_id, &parent->children_id);
		RB_CLEAR_NODE(&node->rb_name);
		RB_CLEAR_NODE(&node->rb_id);
		node->linked = false;
		unlinked = true;
	}
	mutex_unlock(&parent->lock);

	/* the caller of kdbus_node_drain() still holds a reference */
	if (unlinked)
		kdbus_node_unref(node);
}

/**
 * kdbus_node_activate() - make a node live
 * @node:	Node in state NEW
 *
 * After this, active references can be taken and lookups find the node.
 * Does nothing if the node was deactivated in the meantime.
 */
void kdbus_node_activate(struct kdbus_node *node)
{
	kdbus_active_activate(&node->active);
}

/**
 * kdbus_node_deactivate() - refuse new active references
 * @node:	Node
 *
 * Idempotent; may be called in any state. The node disappears from
 * lookups and directory listings at once.
 */
void kdbus_node_deactivate(struct kdbus_node *node)
{
	kdbus_active_deactivate(&node->active);
}

static void kdbus_node_teardown_children(struct kdbus_node *node)
{
	struct kdbus_node *child;
	struct rb_node *rb;

	for (;;) {
		mutex_lock(&node->lock);
		rb = rb_first(&node->children_id);
		child = rb ? kdbus_node_ref(rb_entry(rb, struct kdbus_node,
						     rb_id)) : NULL;
		mutex_unlock(&node->lock);

		if (!child)
			break;

		/* returns only once @child is unlinked from @node */
		kdbus_node_deactivate(child);
		kdbus_node_drain(child);
		kdbus_node_unref(child);
	}
}

/**
 * kdbus_node_drain() - wait for a deactivated node and tear it down
 * @node:	Deactivated node; the caller holds a reference
 *
 * Waits until all active references are dropped. Then, exactly once:
 * tears down all children, calls &kdbus_node_ops.release and unlinks the
 * node from its parent. Concurrent callers return only after the teardown
 * finished. The caller must not hold an active reference to @node or to
 * any of its descendants, nor any kdbus lock.
 */
void kdbus_node_drain(struct kdbus_node *node)
{
	if (!kdbus_active_drain(&node->active))
		return;

	kdbus_node_teardown_children(node);
	if (node->ops->release)
		node->ops->release(node);
	kdbus_node_unlink(node);

	kdbus_active_drained(&node->active);
}

/**
 * kdbus_node_destroy() - deactivate and drain a node
 * @node:	Node; the caller holds a reference, which it keeps
 *
 * See kdbus_node_deactivate() and kdbus_node_drain().
 */
void kdbus_node_destroy(struct kdbus_node *node)
{
	kdbus_node_deactivate(node);
	kdbus_node_drain(node);
}

/**
 * kdbus_node_is_active() - whether a node is live
 * @node:	Node
 *
 * Return: true if the node is activated and not deactivated.
 */
bool kdbus_node_is_active(struct kdbus_node *node)
{
	return kdbus_active_is_active(&node->active);
}

/**
 * kdbus_node_acquire() - take an active reference
 * @node:	Node
 *
 * Return: true on success, false if the node is not live (never activated
 * or deactivated).
 */
bool kdbus_node_acquire(struct kdbus_node *node)
{
	return kdbus_active_acquire(&node->active);
}

/**
 * kdbus_node_release() - drop an active reference
 * @node:	Node on which kdbus_node_acquire() succeeded
 */
void kdbus_node_release(struct kdbus_node *node)
{
	kdbus_active_release(&node->active);
}

/**
 * kdbus_node_find_child() - look up a live child by name
 * @parent:	Directory node
 * @name:	Name to look up
 *
 * Return: a new reference to the child, or NULL if there is no active
 * child of that name.
 */
struct kdbus_node *kdbus_node_find_child(struct kdbus_node *parent,
					 const char *name)
{
	struct kdbus_node *child = NULL;
	struct rb_node *n;

	mutex_lock(&parent->lock);
	n = parent->children_name.rb_node;
	while (n) {
		struct kdbus_node *c = rb_entry(n, struct kdbus_node, rb_name);
		int r = strcmp(name, c->name);

		if (r < 0) {
			n = n->rb_left;
		} else if (r > 0) {
			n = n->rb_right;
		} else {
			if (kdbus_node_is_active(c))
				child = kdbus_node_ref(c);
			break;
		}
	}
	mutex_unlock(&parent->lock);

	return child;
}

/**
 * kdbus_node_next_child() - find the live child with the next inode number
 * @parent:	Directory node
 * @min_id:	Smallest inode number to consider
 *
 * Used by readdir, which uses inode numbers as stable directory positions.
 *
 * Return: a new reference to the active child with the smallest id that is
 * at least @min_id, or NULL if there is none.
 */
struct kdbus_node *kdbus_node_next_child(struct kdbus_node *parent,
					 unsigned int min_id)
{
	struct kdbus_node *child = NULL;
	struct rb_node *n, *found = NULL;

	mutex_lock(&parent->lock);

	/* lower bound: leftmost child with id >= min_id */
	n = parent->children_id.rb_node;
	while (n) {
		struct kdbus_node *c = rb_entry(n, struct kdbus_node, rb_id);

		if (c->id >= min_id) {
			found = n;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}

	for (n = found; n; n = rb_next(n)) {
		struct kdbus_node *c = rb_entry(n, struct kdbus_node, rb_id);

		if (kdbus_node_is_active(c)) {
			child = kdbus_node_ref(c);
			break;
		}
	}

	mutex_unlock(&parent->lock);

	return child;
}
