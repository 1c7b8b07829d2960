// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - domain and accounting users
 */

#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>

#include "domain.h"
#include "node.h"

static void kdbus_domain_free(struct kdbus_node *node)
{
	struct kdbus_domain *domain = kdbus_domain_from_node(node);

	xa_destroy(&domain->users);
	if (domain->creator_cred)
		put_cred(domain->creator_cred);
	if (domain->user_ns)
		put_user_ns(domain->user_ns);
	kfree(domain);
}

static const struct kdbus_node_ops kdbus_domain_ops = {
	.free = kdbus_domain_free,
};

/**
 * kdbus_domain_new() - create a new domain
 * @user_ns:	User namespace of the mounter
 * @creator:	Credentials of the mounter
 *
 * The domain is created in state NEW and without children; see
 * kdbus_domain_populate().
 *
 * Return: the new domain (one reference owned by the caller), or an
 * ERR_PTR on failure.
 */
struct kdbus_domain *kdbus_domain_new(struct user_namespace *user_ns,
				      const struct cred *creator)
{
	struct kdbus_domain *domain;
	kuid_t uid;
	kgid_t gid;
	int ret;

	/*
	 * Root and control belong to root of the namespace; if that has no
	 * mapping, to the owner of the namespace: files with unmapped owners
	 * cannot be opened for writing.
	 */
	uid = make_kuid(user_ns, 0);
	if (!uid_valid(uid))
		uid = user_ns->owner;
	gid = make_kgid(user_ns, 0);
	if (!gid_valid(gid))
		gid = user_ns->group;

	domain = kzalloc(sizeof(*domain), GFP_KERNEL);
	if (!domain)
		return ERR_PTR(-ENOMEM);

	mutex_init(&domain->lock);
	xa_init(&domain->users);
	atomic64_set(&domain->last_id, 0);
	domain->user_ns = get_user_ns(user_ns);
	domain->creator_cred = get_cred(creator);

	ret = kdbus_node_init(&domain->node, KDBUS_NODE_DOMAIN,
			      &kdbus_domain_ops, NULL, NULL, 0555, uid, gid);
	if (ret < 0) {
		kdbus_node_unref(&domain->node);
		return ERR_PTR(ret);
	}

	return domain;
}

static void kdbus_control_free(struct kdbus_node *node)
{
	kfree(node);
}

static const struct kdbus_node_ops kdbus_control_ops = {
	.free = kdbus_control_free,
};

/**
 * kdbus_domain_populate() - create the control file and activate a domain
 * @domain:	Domain in state NEW
 *
 * Return: 0 on success, negative error code on failure. On failure the
 * caller tears the domain down as usual.
 */
int kdbus_domain_populate(struct kdbus_domain *domain)
{
	struct kdbus_node *control;
	int ret;

	control = kzalloc(sizeof(*control), GFP_KERNEL);
	if (!control)
		return -ENOMEM;

	ret = kdbus_node_init(control, KDBUS_NODE_CONTROL, &kdbus_control_ops,
			      &domain->node, "control", 0666,
			      domain->node.uid, domain->node.gid);
	if (!ret)
		ret = kdbus_node_link(control);
	if (!ret)
		kdbus_node_activate(control);

	/* on success, the domain holds the control node as its child */
	kdbus_node_unref(control);
	if (ret < 0)
		return ret;

	kdbus_node_activate(&domain->node);
	return 0;
}

/**
 * kdbus_domain_ref() - take a reference to a domain
 * @domain:	Domain
 *
 * Return: @domain.
 */
struct kdbus_domain *kdbus_domain_ref(struct kdbus_domain *domain)
{
	kdbus_node_ref(&domain->node);
	return domain;
}

/**
 * kdbus_domain_unref() - drop a reference to a domain
 * @domain:	Domain, or NULL
 *
 * Return: NULL.
 */
struct kdbus_domain *kdbus_domain_unref(struct kdbus_domain *domain)
{
	if (domain)
		kdbus_node_unref(&domain->node);
	return NULL;
}

/**
 * kdbus_domain_next_id() - take the next id of a domain
 * @domain:	Domain
 *
 * Bus ids, connection ids and message sequence numbers all come from this
 * one counter: they are never 0 and strictly increasing.
 *
 * Return: the new id.
 */
u64 kdbus_domain_next_id(struct kdbus_domain *domain)
{
	return atomic64_inc_return(&domain->last_id);
}

static struct kdbus_user *kdbus_user_alloc(struct kdbus_domain *domain,
					   kuid_t uid)
{
	struct kdbus_user *user;

	user = kzalloc(sizeof(*user), GFP_KERNEL);
	if (!user)
		return NULL;

	kref_init(&user->kref);
	user->domain = kdbus_domain_ref(domain);
	user->uid = uid;
	atomic_set(&user->buses, 0);
	atomic_set(&user->connections, 0);
	return user;
}

/*
 * Free a user. Lookups find users without taking kdbus_domain.lock, so a
 * user that is being freed may still be found through the table until
 * kdbus_user_free() erased it: the memory stays valid for an RCU grace
 * period, in which such a lookup sees a zero count and does not take it.
 */
static void kdbus_user_dealloc(struct kdbus_user *user)
{
	kdbus_domain_unref(user->domain);
	kfree_rcu(user, rcu);
}

/* a new reference to the live user of real uid @index, or NULL */
static struct kdbus_user *kdbus_user_find(struct kdbus_domain *domain,
					  unsigned long index)
{
	struct kdbus_user *user;

	rcu_read_lock();
	user = xa_load(&domain->users, index);
	if (user && !kref_get_unless_zero(&user->kref))
		user = NULL;
	rcu_read_unlock();
	return user;
}

/**
 * kdbus_user_lookup() - find or create an accounting user
 * @domain:	Domain
 * @uid:	Real uid of the user, or INVALID_UID for a new anonymous user
 *
 * Return: a new reference to the user, or an ERR_PTR on failure.
 */
struct kdbus_user *kdbus_user_lookup(struct kdbus_domain *domain, kuid_t uid)
{
	unsigned long index = __kuid_val(uid);
	struct kdbus_user *user, *new;
	void *old;

	if (uid_valid(uid)) {
		user = kdbus_user_find(domain, index);
		if (user)
			return user;
	}

	new = kdbus_user_alloc(domain, uid);
	if (!new)
		return ERR_PTR(-ENOMEM);

	if (!uid_valid(uid))
		return new;

	/* the lock serialises the creation of users, not their lookup */
	mutex_lock(&domain->lock);
	user = kdbus_user_find(domain, index);
	if (user) {
		mutex_unlock(&domain->lock);
		kdbus_user_dealloc(new);
		return user;
	}
	/* replaces a dying entry, if any; see kdbus_user_free() */
	old = xa_store(&domain->users, index, new, GFP_KERNEL);
	mutex_unlock(&domain->lock);

	if (xa_is_err(old)) {
		kdbus_user_dealloc(new);
		return ERR_PTR(xa_err(old));
	}

	return new;
}

/*
 * Users may be freed from inode eviction, including from memory reclaim,
 * so this must not take kdbus_domain.lock (allocations happen under it).
 */
static void kdbus_user_free(struct kref *kref)
{
	struct kdbus_user *user = container_of(kref, struct kdbus_user, kref);

	if (uid_valid(user->uid))
		xa_cmpxchg(&user->domain->users, __kuid_val(user->uid),
			   user, NULL, 0);
	kdbus_user_dealloc(user);
}

/**
 * kdbus_user_ref() - take a reference to a user
 * @user:	User, or NULL (the reserved kernel user of notifications)
 *
 * Return: @user.
 */
struct kdbus_user *kdbus_user_ref(struct kdbus_user *user)
{
	if (user)
		kref_get(&user->kref);
	return user;
}

/**
 * kdbus_user_unref() - drop a reference to a user
 * @user:	User, or NULL
 *
 * Return: NULL.
 */
struct kdbus_user *kdbus_user_unref(struct kdbus_user *user)
{
	if (user)
		kref_put(&user->kref, kdbus_user_free);
	return NULL;
}
