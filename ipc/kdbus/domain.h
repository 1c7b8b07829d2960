/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - domain and accounting users
 *
 * A domain is one independent kdbus universe, created for every mount of
 * kdbusfs and torn down when the superblock is killed.
 *
 * Ownership and references:
 *  - struct kdbus_domain embeds the root node of the mount; its lifetime
 *    is that of the node (kref). The superblock (s_fs_info), the root
 *    inode, every child node (bus, control) and every accounting user
 *    hold references.
 *  - The domain is live while its node is active; kill_sb deactivates and
 *    drains it, which tears down the control node and all buses.
 *  - struct kdbus_user is reference counted (kref). Users keyed by a real
 *    uid are found through kdbus_domain.users; that table holds no
 *    reference, a dying user is replaced on the next lookup. Lookups run
 *    under rcu_read_lock() and take a reference only if the count is not
 *    zero yet; users are freed after an RCU grace period. Anonymous
 *    users (one per custom endpoint) are not in the table. A user holds a
 *    reference to its domain.
 *
 * Locking:
 *  - kdbus_domain.lock serialises the insertion of new users into
 *    kdbus_domain.users; lookups need no lock (RCU, the xarray's own), and
 *    a freed user erases itself with the xarray's lock only.
 *  - kdbus_domain.last_id and the kdbus_user counters are atomic.
 *  - kdbus_domain.user_ns is set at creation and never changes.
 *
 * The lock order of kdbus as a whole is written down once, in
 * Documentation/kdbus.txt ("Lock order").
 */

#ifndef __KDBUS_DOMAIN_H
#define __KDBUS_DOMAIN_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/xarray.h>

#include "node.h"

struct cred;
struct user_namespace;

/**
 * struct kdbus_domain - a kdbus domain
 * @node:	Root node of the mount
 * @user_ns:	User namespace of the mounter (reference held)
 * @creator_cred: Credentials of the mounter (reference held), for the
 *		LSM check on BUS_MAKE
 * @last_id:	Last id handed out; shared by bus ids, connection ids and
 *		message sequence numbers
 * @lock:	Serialises the insertion of users into @users
 * @users:	Accounting users keyed by real uid (weak pointers, RCU)
 */
struct kdbus_domain {
	struct kdbus_node node;
	struct user_namespace *user_ns;
	const struct cred *creator_cred;
	atomic64_t last_id;
	struct mutex lock; /* serialises insertions into users */
	struct xarray users;
};

/**
 * struct kdbus_user - an accounting user of a domain
 * @kref:	Reference count
 * @domain:	Domain this user belongs to (reference held)
 * @uid:	Real uid of the user, INVALID_UID for an anonymous user
 * @buses:	Number of buses created by this user
 * @connections: Number of connections accounted to this user
 * @rcu:	Deferred free, for lookups running under RCU
 */
struct kdbus_user {
	struct kref kref;
	struct kdbus_domain *domain;
	kuid_t uid;
	atomic_t buses;
	atomic_t connections;
	struct rcu_head rcu;
};

struct kdbus_domain *kdbus_domain_new(struct user_namespace *user_ns,
				      const struct cred *creator);
int kdbus_domain_populate(struct kdbus_domain *domain);
struct kdbus_domain *kdbus_domain_ref(struct kdbus_domain *domain);
struct kdbus_domain *kdbus_domain_unref(struct kdbus_domain *domain);
u64 kdbus_domain_next_id(struct kdbus_domain *domain);

struct kdbus_user *kdbus_user_lookup(struct kdbus_domain *domain, kuid_t uid);
struct kdbus_user *kdbus_user_ref(struct kdbus_user *user);
struct kdbus_user *kdbus_user_unref(struct kdbus_user *user);

/**
 * kdbus_domain_from_node() - the domain embedding a node
 * @node:	Node of type KDBUS_NODE_DOMAIN
 *
 * Return: the domain.
 */
static inline struct kdbus_domain *kdbus_domain_from_node(struct kdbus_node *node)
{
	return container_of(node, struct kdbus_domain, node);
}

#endif /* __KDBUS_DOMAIN_H */
