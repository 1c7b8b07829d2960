// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - bus
 */

#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/uuid.h>

#include "bus.h"
#include "connection.h"
#include "domain.h"
#include "endpoint.h"
#include "item.h"
#include "limits.h"
#include "message.h"
#include "metadata.h"
#include "validate.h"
#include "node.h"

static void kdbus_bus_release(struct kdbus_node *node)
{
	struct kdbus_bus *bus = kdbus_bus_from_node(node);

	/* the name is free again and the bus no longer counts */
	if (bus->creator)
		atomic_dec(&bus->creator->buses);
}

static void kdbus_bus_free(struct kdbus_node *node)
{
	struct kdbus_bus *bus = kdbus_bus_from_node(node);

	if (bus->registry_ready)
		kdbus_name_registry_exit(&bus->name_registry);
	kdbus_policy_db_clear(&bus->policy_db);
	kdbus_user_unref(bus->creator);
	kdbus_meta_proc_unref(bus->creator_meta);
	if (bus->creator_cred)
		put_cred(bus->creator_cred);
	kfree(bus);
}

static const struct kdbus_node_ops kdbus_bus_ops = {
	.release = kdbus_bus_release,
	.free = kdbus_bus_free,
};

/**
 * kdbus_bus_ref() - take a reference to a bus
 * @bus:	Bus
 *
 * Return: @bus.
 */
struct kdbus_bus *kdbus_bus_ref(struct kdbus_bus *bus)
{
	kdbus_node_ref(&bus->node);
	return bus;
}

/**
 * kdbus_bus_unref() - drop a reference to a bus
 * @bus:	Bus, or NULL
 *
 * Return: NULL.
 */
struct kdbus_bus *kdbus_bus_unref(struct kdbus_bus *bus)
{
	if (bus)
		kdbus_node_unref(&bus->node);
	return NULL;
}

/**
 * kdbus_bus_destroy() - tear a bus down
 * @bus:	Bus; the caller holds a reference, which it keeps
 *
 * Removes the bus directory, tears down all endpoints and releases the
 * creator's bus count. Idempotent. The caller must not hold an active
 * reference to the bus or anything below it.
 */
void kdbus_bus_destroy(struct kdbus_bus *bus)
{
	kdbus_node_destroy(&bus->node);
}

/**
 * kdbus_bus_find_conn_by_id() - look up a connection of a bus
 * @bus:	Bus
 * @id:		Connection id
 *
 * Return: the connection (new reference), of any kind and possibly
 * already disconnecting, or NULL.
 */
struct kdbus_conn *kdbus_bus_find_conn_by_id(struct kdbus_bus *bus, u64 id)
{
	struct kdbus_conn *conn, *found = NULL;

	/*
	 * No bus-wide lock: the table is changed under conn_rwlock with the
	 * RCU list helpers, and connections are freed after a grace period.
	 * A connection whose last reference is gone is not taken.
	 */
	rcu_read_lock();
	hash_for_each_possible_rcu(bus->conn_hash, conn, hentry, id) {
		if (conn->id == id) {
			if (kref_get_unless_zero(&conn->kref))
				found = conn;
			break;
		}
	}
	rcu_read_unlock();

	return found;
}

/*
 * Collect, in one go, the metadata of @staging that any of @n receivers
 * will get, before it is queued at each of them.
 */
static void kdbus_bus_collect_meta(struct kdbus_staging *staging,
				   struct kdbus_conn **conns, unsigned int n)
{
	u64 recv_mask = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		recv_mask |= atomic64_read(&conns[i]->attach_flags_recv);
	kdbus_meta_stage_collect(&staging->meta, recv_mask);
}

/**
 * kdbus_bus_eavesdrop() - hand a copy of a message to every monitor
 * @bus:	Bus
 * @conn_src:	Sender, NULL for the kernel
 * @staging:	Message
 *
 * A copy that cannot be queued counts as lost for that monitor.
 */
void kdbus_bus_eavesdrop(struct kdbus_bus *bus, struct kdbus_conn *conn_src,
			 struct kdbus_staging *staging)
{
	struct kdbus_conn **monitors, *conn;
	unsigned int i, n = 0;

	/*
	 * Without monitors, a unicast takes no bus-wide lock. A monitor that
	 * connects meanwhile misses a message sent before it was there.
	 */
	if (list_empty(&bus->monitors_list))
		return;

	/*
	 * Copying the payload may fault on the sender's memory: collect the
	 * monitors first, so the registry is not locked meanwhile.
	 */
	down_read(&bus->conn_rwlock);
	list_for_each_entry(conn, &bus->monitors_list, monitor_entry)
		n++;
	monitors = n ? kmalloc_array(n, sizeof(*monitors), GFP_KERNEL) : NULL;
	if (!monitors) {
		/* no monitor, or none can get its copy */
		list_for_each_entry(conn, &bus->monitors_list, monitor_entry)
			kdbus_conn_lost_message(conn);
		up_read(&bus->conn_rwlock);
		return;
	}
	i = 0;
	list_for_each_entry(conn, &bus->monitors_list, monitor_entry)
		monitors[i++] = kdbus_conn_ref(conn);
	up_read(&bus->conn_rwlock);

	kdbus_bus_collect_meta(staging, monitors, n);
	for (i = 0; i < n; i++) {
		if (kdbus_conn_entry_insert(conn_src, monitors[i], staging,
					    NULL, NULL) < 0)
			kdbus_conn_lost_message(monitors[i]);
		kdbus_conn_unref(monitors[i]);
	}
	kfree(monitors);
}

/*
 * Whether the broadcast notification @staging may reach @conn: on the
 * default endpoint every one may. On a custom endpoint ID_* never do, and
 * NAME_* only where the endpoint policy lets the connection see the name.
 */
static bool kdbus_bus_notify_visible(const struct kdbus_conn *conn,
				     const struct kdbus_staging *staging)
{
	const struct kdbus_item *item = kdbus_staging_header(staging)->items;

	switch (item->type) {
	case KDBUS_ITEM_NAME_ADD:
	case KDBUS_ITEM_NAME_REMOVE:
	case KDBUS_ITEM_NAME_CHANGE:
		return kdbus_policy_may_see_name(conn, conn->cred,
						 item->name_change.name);
	default:
		return !kdbus_ep_is_custom(conn->ep);
	}
}

/*
 * Add a receiver of a broadcast to @dst (a reference), or, if @dst could
 * not be allocated, count the message as lost for it.
 */
static void kdbus_bus_collect(struct kdbus_conn **dst, unsigned int *n,
			      struct kdbus_conn *conn)
{
	if (dst)
		dst[(*n)++] = kdbus_conn_ref(conn);
	else
		kdbus_conn_lost_message(conn);
}

/**
 * kdbus_bus_broadcast() - deliver a broadcast
 * @bus:	Bus
 * @conn_src:	Sender, NULL for kernel notifications
 * @staging:	Message
 *
 * Monitors get a copy first. Then every ordinary connection but the
 * sender whose matches accept the message gets one. Only the connections
 * on the bus list of the right kind of matches are visited: the others
 * have no match that could accept it. The receivers are collected under
 * the registry lock and the message is written into their pools after it
 * is dropped; a receiver that cannot queue its copy counts it as lost.
 */
void kdbus_bus_broadcast(struct kdbus_bus *bus, struct kdbus_conn *conn_src,
			 struct kdbus_staging *staging)
{
	struct kdbus_conn **dst = NULL, *conn;
	unsigned int i, k, n = 0;

	kdbus_bus_eavesdrop(bus, conn_src, staging);

	/* nobody has a match of this kind: nothing to visit */
	if (list_empty(conn_src ? &bus->match_msg_list :
				  &bus->match_notify_list))
		return;

	down_read(&bus->conn_rwlock);
	if (conn_src) {
		list_for_each_entry(conn, &bus->match_msg_list,
				    match_msg_entry)
			n++;
		dst = kmalloc_array(n, sizeof(*dst), GFP_KERNEL);
		n = 0;
		list_for_each_entry(conn, &bus->match_msg_list,
				    match_msg_entry)
			if (conn != conn_src &&
			    kdbus_match_db_match_bus(&conn->match_db, bus,
						     conn_src, staging))
				kdbus_bus_collect(dst, &n, conn);
	} else {
		list_for_each_entry(conn, &bus->match_notify_list,
				    match_notify_entry)
			n++;
		dst = kmalloc_array(n, sizeof(*dst), GFP_KERNEL);
		n = 0;
		list_for_each_entry(conn, &bus->match_notify_list,
				    match_notify_entry)
			if (kdbus_bus_notify_visible(conn, staging) &&
			    kdbus_match_db_match_bus(&conn->match_db, bus,
						     NULL, staging))
				kdbus_bus_collect(dst, &n, conn);
	}
	up_read(&bus->conn_rwlock);

	if (!dst)
		return;

	/* a receiver must be allowed to talk to the sender (no lock held) */
	for (i = 0, k = 0; i < n; i++) {
		if (!conn_src ||
		    (kdbus_policy_may_talk(dst[i], dst[i]->cred, conn_src) &&
		     !security_kdbus_talk(current_cred(), dst[i]->cred)))
			dst[k++] = dst[i];
		else
			kdbus_conn_unref(dst[i]);
	}
	n = k;

	kdbus_bus_collect_meta(staging, dst, n);
	for (i = 0; i < n; i++) {
		if (kdbus_conn_entry_insert(conn_src, dst[i], staging, NULL,
					    NULL) < 0)
			kdbus_conn_lost_message(dst[i]);
		kdbus_conn_unref(dst[i]);
	}
	kfree(dst);
}

static struct kdbus_bus *
kdbus_bus_new(struct kdbus_domain *domain, const char *name, u64 flags,
	      const struct kdbus_bloom_parameter *bloom,
	      u64 attach_flags_req, u64 attach_flags_owner)
{
	struct kdbus_ep *ep = NULL;
	struct kdbus_user *user;
	struct kdbus_bus *bus;
	int ret;

	bus = kzalloc(sizeof(*bus), GFP_KERNEL);
	if (!bus)
		return ERR_PTR(-ENOMEM);

	ret = kdbus_node_init(&bus->node, KDBUS_NODE_BUS, &kdbus_bus_ops,
			      &domain->node, name, kdbus_make_mode(flags, 0500),
			      current_euid(), current_egid());
	if (ret < 0)
		goto exit_unref;

	init_rwsem(&bus->conn_rwlock);
	hash_init(bus->conn_hash);
	INIT_LIST_HEAD(&bus->monitors_list);
	INIT_LIST_HEAD(&bus->match_msg_list);
	INIT_LIST_HEAD(&bus->match_notify_list);
	kdbus_policy_db_init(&bus->policy_db);
	ret = kdbus_name_registry_init(&bus->name_registry);
	if (ret < 0)
		goto exit_unref;
	bus->registry_ready = true;

	bus->domain = domain;
	bus->bus_flags = flags;
	bus->bloom = *bloom;
	bus->attach_flags_req = attach_flags_req;
	bus->attach_flags_owner = attach_flags_owner;
	generate_random_uuid(bus->id128);
	bus->creator_cred = get_current_cred();
	bus->creator_meta = kdbus_meta_proc_new();
	if (!bus->creator_meta) {
		ret = -ENOMEM;
		goto exit_unref;
	}
	kdbus_meta_proc_collect(bus->creator_meta, KDBUS_ATTACH_PROC_KINDS);

	/* accounted to the real uid */
	user = kdbus_user_lookup(domain, current_uid());
	if (IS_ERR(user)) {
		ret = PTR_ERR(user);
		goto exit_unref;
	}
	if (atomic_inc_return(&user->buses) > KDBUS_USER_MAX_BUSES) {
		atomic_dec(&user->buses);
		kdbus_user_unref(user);
		ret = -EMFILE;
		goto exit_unref;
	}
	bus->creator = user;

	ep = kdbus_ep_new(bus, "bus", kdbus_make_mode(flags, 0600),
			  bus->node.uid, bus->node.gid, false);
	if (IS_ERR(ep)) {
		ret = PTR_ERR(ep);
		ep = NULL;
		goto exit_destroy;
	}

	bus->id = kdbus_domain_next_id(domain);

	ret = kdbus_node_link(&bus->node);
	if (ret < 0)
		goto exit_destroy;

	kdbus_node_activate(&ep->node);
	kdbus_node_activate(&bus->node);
	kdbus_ep_unref(ep);
	return bus;

exit_destroy:
	/* tears down the default endpoint and releases the bus count */
	kdbus_bus_destroy(bus);
	kdbus_ep_unref(ep);
exit_unref:
	kdbus_bus_unref(bus);
	return ERR_PTR(ret);
}

/**
 * kdbus_cmd_bus_make() - handle KDBUS_CMD_BUS_MAKE
 * @domain:	Domain of the control handle; the caller holds an active
 *		reference to the control node
 * @argp:	Command argument in user memory
 *
 * Return: the new bus (reference owned by the caller) on success, NULL
 * after a KDBUS_FLAG_NEGOTIATE request, an ERR_PTR on failure.
 */
struct kdbus_bus *kdbus_cmd_bus_make(struct kdbus_domain *domain,
				     void __user *argp)
{
	struct kdbus_bloom_parameter bloom;
	u64 attach_req = 0, attach_owner = 0;
	struct kdbus_args args;
	struct kdbus_item *item;
	struct kdbus_bus *bus;
	const char *name;
	int ret;

	ret = kdbus_args_parse(&args, kdbus_cmd_spec_find(KDBUS_CMD_BUS_MAKE),
			       argp);
	if (ret < 0)
		return ERR_PTR(ret);
	if (ret > 0)
		return NULL;

	name = kdbus_item_payload(kdbus_args_item(&args, KDBUS_ITEM_MAKE_NAME));
	bloom = kdbus_args_item(&args, KDBUS_ITEM_BLOOM_PARAMETER)->bloom_parameter;

	item = kdbus_args_item(&args, KDBUS_ITEM_ATTACH_FLAGS_SEND);
	if (item) {
		ret = kdbus_sanitize_attach_flags(*(u64 *)kdbus_item_payload(item),
						  &attach_owner);
		if (ret < 0)
			goto exit;
	}

	item = kdbus_args_item(&args, KDBUS_ITEM_ATTACH_FLAGS_RECV);
	if (item) {
		ret = kdbus_sanitize_attach_flags(*(u64 *)kdbus_item_payload(item),
						  &attach_req);
		if (ret < 0)
			goto exit;
	}

	if (bloom.size < KDBUS_BUS_BLOOM_MIN_SIZE ||
	    bloom.size > KDBUS_BUS_BLOOM_MAX_SIZE ||
	    !IS_ALIGNED(bloom.size, 8) || bloom.n_hash < 1) {
		ret = -EINVAL;
		goto exit;
	}

	ret = kdbus_sysname_check_prefix(name, domain->user_ns,
					 current_euid());
	if (ret < 0)
		goto exit;

	ret = security_kdbus_bus_make(current_cred(), domain->creator_cred,
				      name);
	if (ret < 0)
		goto exit;

	bus = kdbus_bus_new(domain, name, args.cmd->flags, &bloom,
			    attach_req, attach_owner);
	if (IS_ERR(bus)) {
		ret = PTR_ERR(bus);
		goto exit;
	}

	ret = kdbus_args_clear(&args, 0);
	if (ret < 0) {
		kdbus_bus_destroy(bus);
		kdbus_bus_unref(bus);
		return ERR_PTR(ret);
	}

	return bus;

exit:
	return ERR_PTR(kdbus_args_clear(&args, ret));
}
