// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - endpoint
 */

#include <linux/cred.h>
#include <linux/err.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/uidgid.h>

#include "bus.h"
#include "connection.h"
#include "domain.h"
#include "endpoint.h"
#include "item.h"
#include "validate.h"
#include "node.h"
#include "policy.h"

static void kdbus_ep_free(struct kdbus_node *node)
{
	struct kdbus_ep *ep = kdbus_ep_from_node(node);

	kdbus_policy_db_clear(&ep->policy_db);
	kdbus_user_unref(ep->user);
	kfree(ep);
}

/* a torn down endpoint disconnects every connection made through it */
static void kdbus_ep_release(struct kdbus_node *node)
{
	struct kdbus_ep *ep = kdbus_ep_from_node(node);
	struct kdbus_conn *conn;

	for (;;) {
		mutex_lock(&ep->lock);
		conn = list_first_entry_or_null(&ep->conn_list,
						struct kdbus_conn, ep_entry);
		/* the list's reference passes to us */
		if (conn)
			list_del_init(&conn->ep_entry);
		mutex_unlock(&ep->lock);
		if (!conn)
			break;

		kdbus_conn_disconnect(conn, false);
		kdbus_conn_unref(conn);
	}
}

static const struct kdbus_node_ops kdbus_ep_ops = {
	.release = kdbus_ep_release,
	.free = kdbus_ep_free,
};

/**
 * kdbus_ep_new() - create an endpoint and link it into its bus
 * @bus:	Bus of the endpoint
 * @name:	Name of the endpoint file
 * @mode:	Permission bits of the file
 * @uid:	Owner of the file
 * @gid:	Group of the file
 * @custom:	Whether this is a custom endpoint (with its own accounting
 *		user and policy database)
 *
 * The endpoint is created in state NEW; the caller activates it.
 *
 * Return: the new endpoint (reference owned by the caller), or an ERR_PTR;
 * -EEXIST if @bus already has an endpoint of that name, -ESHUTDOWN if the
 * bus is being torn down.
 */
struct kdbus_ep *kdbus_ep_new(struct kdbus_bus *bus, const char *name,
			      umode_t mode, kuid_t uid, kgid_t gid,
			      bool custom)
{
	struct kdbus_ep *ep;
	int ret;

	ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	if (!ep)
		return ERR_PTR(-ENOMEM);

	kdbus_policy_db_init(&ep->policy_db);
	mutex_init(&ep->lock);
	INIT_LIST_HEAD(&ep->conn_list);

	ret = kdbus_node_init(&ep->node, KDBUS_NODE_ENDPOINT, &kdbus_ep_ops,
			      &bus->node, name, mode, uid, gid);
	if (ret < 0)
		goto exit_unref;

	ep->bus = bus;

	if (custom) {
		ep->user = kdbus_user_lookup(bus->domain, INVALID_UID);
		if (IS_ERR(ep->user)) {
			ret = PTR_ERR(ep->user);
			ep->user = NULL;
			goto exit_unref;
		}
	}

	ret = kdbus_node_link(&ep->node);
	if (ret < 0)
		goto exit_unref;

	return ep;

exit_unref:
	/* never linked nor activated: nothing to tear down */
	kdbus_node_unref(&ep->node);
	return ERR_PTR(ret);
}

/**
 * kdbus_ep_ref() - take a reference to an endpoint
 * @ep:		Endpoint
 *
 * Return: @ep.
 */
struct kdbus_ep *kdbus_ep_ref(struct kdbus_ep *ep)
{
	kdbus_node_ref(&ep->node);
	return ep;
}

/**
 * kdbus_ep_unref() - drop a reference to an endpoint
 * @ep:		Endpoint, or NULL
 *
 * Return: NULL.
 */
struct kdbus_ep *kdbus_ep_unref(struct kdbus_ep *ep)
{
	if (ep)
		kdbus_node_unref(&ep->node);
	return NULL;
}

/**
 * kdbus_ep_destroy() - tear an endpoint down
 * @ep:		Endpoint; the caller holds a reference, which it keeps
 *
 * Removes the endpoint file. Idempotent. The caller must not hold an
 * active reference to the endpoint.
 */
void kdbus_ep_destroy(struct kdbus_ep *ep)
{
	kdbus_node_destroy(&ep->node);
}

/**
 * kdbus_cmd_ep_make() - handle KDBUS_CMD_ENDPOINT_MAKE
 * @bus:	Bus of the privileged handle the command was issued on
 * @argp:	Command argument in user memory
 *
 * Return: the new custom endpoint (reference owned by the caller) on
 * success, NULL after a KDBUS_FLAG_NEGOTIATE request, an ERR_PTR on
 * failure.
 */
struct kdbus_ep *kdbus_cmd_ep_make(struct kdbus_bus *bus, void __user *argp)
{
	struct kdbus_args args;
	struct kdbus_ep *ep;
	const char *name;
	int ret;

	ret = kdbus_args_parse(&args,
			       kdbus_cmd_spec_find(KDBUS_CMD_ENDPOINT_MAKE),
			       argp);
	if (ret < 0)
		return ERR_PTR(ret);
	if (ret > 0)
		return NULL;

	name = kdbus_item_payload(kdbus_args_item(&args, KDBUS_ITEM_MAKE_NAME));

	ret = kdbus_sysname_check_prefix(name, bus->domain->user_ns,
					 current_euid());
	if (ret < 0)
		goto exit;

	ret = security_kdbus_ep_make(current_cred(), bus->creator_cred, name);
	if (ret < 0)
		goto exit;

	ep = kdbus_ep_new(bus, name, kdbus_make_mode(args.cmd->flags, 0600),
			  current_euid(), current_egid(), true);
	if (IS_ERR(ep)) {
		ret = PTR_ERR(ep);
		goto exit;
	}

	ret = kdbus_args_clear(&args, 0);
	if (ret < 0) {
		kdbus_ep_destroy(ep);
		kdbus_ep_unref(ep);
		return ERR_PTR(ret);
	}

	kdbus_node_activate(&ep->node);
	return ep;

exit:
	return ERR_PTR(kdbus_args_clear(&args, ret));
}

/**
 * kdbus_cmd_ep_update() - handle KDBUS_CMD_ENDPOINT_UPDATE
 * @ep:		Custom endpoint owned by the calling handle; the caller holds
 *		an active reference
 * @argp:	Command argument in user memory
 *
 * Atomically replaces the policy database of @ep.
 *
 * Return: 0 on success (or negotiation), negative error code on failure.
 */
int kdbus_cmd_ep_update(struct kdbus_ep *ep, void __user *argp)
{
	struct kdbus_args args;
	int ret;

	ret = kdbus_args_parse(&args,
			       kdbus_cmd_spec_find(KDBUS_CMD_ENDPOINT_UPDATE),
			       argp);
	if (ret < 0)
		return ret;
	if (ret > 0)
		return 0;

	ret = kdbus_policy_db_set(&ep->policy_db, &ep->policy_db, args.items,
				  args.items_size, true);
	return kdbus_args_clear(&args, ret);
}
