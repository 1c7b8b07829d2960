// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - file handles and the ioctl entry point
 *
 * Accepted ioctls per handle state; everything else that is a kdbus
 * command fails with -EBADFD, anything that is not with -ENOTTY:
 *
 *   NONE on control		BUS_MAKE
 *   NONE on an endpoint	ENDPOINT_MAKE, HELLO
 *   BUS_OWNER			none
 *   EP_OWNER			ENDPOINT_UPDATE
 *   CONNECTED			UPDATE, BYEBYE, FREE, CONN_INFO,
 *				BUS_CREATOR_INFO, LIST, SEND, RECV,
 *				NAME_ACQUIRE, NAME_RELEASE, MATCH_ADD,
 *				MATCH_REMOVE
 */

#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <uapi/linux/kdbus.h>

#include "bus.h"
#include "connection.h"
#include "domain.h"
#include "endpoint.h"
#include "handle.h"
#include "item.h"
#include "match.h"
#include "names.h"
#include "node.h"

/**
 * enum kdbus_handle_type - state of a handle
 * @KDBUS_HANDLE_NONE:		fresh handle, no making ioctl succeeded yet
 * @KDBUS_HANDLE_BUS_OWNER:	owns a bus
 * @KDBUS_HANDLE_EP_OWNER:	owns a custom endpoint
 * @KDBUS_HANDLE_CONNECTED:	is a connection
 */
enum kdbus_handle_type {
	KDBUS_HANDLE_NONE,
	KDBUS_HANDLE_BUS_OWNER,
	KDBUS_HANDLE_EP_OWNER,
	KDBUS_HANDLE_CONNECTED,
};

/**
 * struct kdbus_handle - a kdbus file handle
 * @lock:	Protects @type and the owned object; @type is also read
 *		without it once it is KDBUS_HANDLE_CONNECTED (see
 *		kdbus_handle_conn())
 * @type:	State of the handle
 * @bus_owner:	KDBUS_HANDLE_BUS_OWNER: the owned bus (reference held)
 * @ep_owner:	KDBUS_HANDLE_EP_OWNER: the owned endpoint (reference held)
 * @conn:	KDBUS_HANDLE_CONNECTED: the connection (reference held)
 * @node:	Node the handle was opened on (reference held)
 * @privileged:	Whether the handle was privileged at open()
 */
struct kdbus_handle {
	struct rw_semaphore lock; /* protects type and the union */
	enum kdbus_handle_type type;
	union {
		struct kdbus_bus *bus_owner;
		struct kdbus_ep *ep_owner;
		struct kdbus_conn *conn;
	};
	struct kdbus_node *node;
	bool privileged;
};

static int kdbus_handle_open(struct inode *inode, struct file *file)
{
	struct kdbus_node *node = inode->i_private;
	struct kdbus_handle *handle;
	int ret = 0;

	/* a node that died after the path was resolved */
	if (!kdbus_node_acquire(node))
		return -ESHUTDOWN;

	if (node->type != KDBUS_NODE_CONTROL &&
	    node->type != KDBUS_NODE_ENDPOINT) {
		ret = -EINVAL;
		goto exit_release;
	}

	handle = kzalloc(sizeof(*handle), GFP_KERNEL);
	if (!handle) {
		ret = -ENOMEM;
		goto exit_release;
	}

	init_rwsem(&handle->lock);
	handle->type = KDBUS_HANDLE_NONE;
	handle->node = kdbus_node_ref(node);

	if (node->type == KDBUS_NODE_ENDPOINT) {
		struct kdbus_ep *ep = kdbus_ep_from_node(node);
		struct kdbus_bus *bus = ep->bus;

		/* privilege is decided once, by the opener */
		handle->privileged = !kdbus_ep_is_custom(ep) &&
			(ns_capable(bus->domain->user_ns, CAP_IPC_OWNER) ||
			 uid_eq(file->f_cred->euid, bus->node.uid));
	}

	file->private_data = handle;

exit_release:
	kdbus_node_release(node);
	return ret;
}

static int kdbus_handle_release(struct inode *inode, struct file *file)
{
	struct kdbus_handle *handle = file->private_data;

	switch (handle->type) {
	case KDBUS_HANDLE_BUS_OWNER:
		kdbus_bus_destroy(handle->bus_owner);
		kdbus_bus_unref(handle->bus_owner);
		break;
	case KDBUS_HANDLE_EP_OWNER:
		kdbus_ep_destroy(handle->ep_owner);
		kdbus_ep_unref(handle->ep_owner);
		break;
	case KDBUS_HANDLE_CONNECTED:
		kdbus_conn_disconnect(handle->conn, false);
		kdbus_conn_unref(handle->conn);
		break;
	case KDBUS_HANDLE_NONE:
		break;
	}

	kdbus_node_unref(handle->node);
	kfree(handle);
	return 0;
}

static long kdbus_handle_bus_make(struct kdbus_handle *handle,
				  void __user *argp)
{
	struct kdbus_node *node = handle->node;
	struct kdbus_bus *bus;

	bus = kdbus_cmd_bus_make(kdbus_domain_from_node(node->parent), argp);
	if (IS_ERR_OR_NULL(bus))
		return PTR_ERR_OR_ZERO(bus);

	handle->bus_owner = bus;
	handle->type = KDBUS_HANDLE_BUS_OWNER;
	return 0;
}

static long kdbus_handle_ep_make(struct kdbus_handle *handle,
				 void __user *argp)
{
	struct kdbus_ep *ep = kdbus_ep_from_node(handle->node);
	struct kdbus_ep *new;

	if (!handle->privileged)
		return -EPERM;

	new = kdbus_cmd_ep_make(ep->bus, argp);
	if (IS_ERR_OR_NULL(new))
		return PTR_ERR_OR_ZERO(new);

	handle->ep_owner = new;
	handle->type = KDBUS_HANDLE_EP_OWNER;
	return 0;
}

static long kdbus_handle_hello(struct kdbus_handle *handle,
			       void __user *argp)
{
	struct kdbus_ep *ep = kdbus_ep_from_node(handle->node);
	struct kdbus_conn *conn;

	conn = kdbus_cmd_hello(ep, handle->privileged, argp);
	if (IS_ERR_OR_NULL(conn))
		return PTR_ERR_OR_ZERO(conn);

	handle->conn = conn;
	/* pairs with kdbus_handle_conn(), which runs without the lock */
	smp_store_release(&handle->type, KDBUS_HANDLE_CONNECTED);
	return 0;
}

/* BUS_MAKE, ENDPOINT_MAKE, HELLO: NONE -> BUS_OWNER/EP_OWNER/CONNECTED */
static long kdbus_handle_ioctl_make(struct kdbus_handle *handle,
				    unsigned int cmd, void __user *argp)
{
	struct kdbus_node *node = handle->node;
	bool is_control, is_bus_make;
	long ret;

	down_write(&handle->lock);

	if (handle->type != KDBUS_HANDLE_NONE) {
		ret = -EBADFD;
		goto exit_unlock;
	}

	/* BUS_MAKE only on control, ENDPOINT_MAKE and HELLO only on endpoints */
	is_control = node->type == KDBUS_NODE_CONTROL;
	is_bus_make = cmd == KDBUS_CMD_BUS_MAKE;
	if (is_control != is_bus_make) {
		ret = -EBADFD;
		goto exit_unlock;
	}

	if (!kdbus_node_acquire(node)) {
		ret = -ESHUTDOWN;
		goto exit_unlock;
	}

	switch (cmd) {
	case KDBUS_CMD_BUS_MAKE:
		ret = kdbus_handle_bus_make(handle, argp);
		break;
	case KDBUS_CMD_ENDPOINT_MAKE:
		ret = kdbus_handle_ep_make(handle, argp);
		break;
	default:
		ret = kdbus_handle_hello(handle, argp);
		break;
	}

	kdbus_node_release(node);

exit_unlock:
	up_write(&handle->lock);
	return ret;
}

/* ENDPOINT_UPDATE on an EP_OWNER handle */
static long kdbus_handle_ioctl_ep_owner(struct kdbus_handle *handle,
					void __user *argp)
{
	struct kdbus_ep *ep;
	long ret;

	down_read(&handle->lock);

	if (handle->type != KDBUS_HANDLE_EP_OWNER) {
		ret = -EBADFD;
		goto exit_unlock;
	}

	ep = handle->ep_owner;
	if (!kdbus_node_acquire(&ep->node)) {
		ret = -ESHUTDOWN;
		goto exit_unlock;
	}

	ret = kdbus_cmd_ep_update(ep, argp);
	kdbus_node_release(&ep->node);

exit_unlock:
	up_read(&handle->lock);
	return ret;
}

/*
 * The connection of a CONNECTED handle, or NULL. Lockless: mmap() runs
 * with mmap_lock held, which HELLO may need (faulting in its argument)
 * while it holds the handle lock. A handle never leaves CONNECTED, and
 * the connection is published before the state.
 */
static struct kdbus_conn *kdbus_handle_conn(struct kdbus_handle *handle)
{
	/* pairs with smp_store_release() in kdbus_handle_hello() */
	if (smp_load_acquire(&handle->type) != KDBUS_HANDLE_CONNECTED)
		return NULL;
	return handle->conn;
}

/* the connection commands, on a CONNECTED handle */
static long kdbus_handle_ioctl_connected(struct file *file,
					 unsigned int cmd, void __user *argp)
{
	struct kdbus_handle *handle = file->private_data;
	struct kdbus_conn *conn;
	long ret;

	conn = kdbus_handle_conn(handle);
	if (!conn)
		return -EBADFD;

	/* BYEBYE waits for the active references, so it holds none */
	if (cmd == KDBUS_CMD_BYEBYE)
		return kdbus_cmd_byebye_unlocked(conn, argp);

	if (!kdbus_conn_acquire(conn))
		return -ECONNRESET;

	switch (cmd) {
	case KDBUS_CMD_SEND:
		/* consumes the active reference */
		return kdbus_cmd_send(conn, file, argp);
	case KDBUS_CMD_RECV:
		ret = kdbus_cmd_recv(conn, argp);
		break;
	case KDBUS_CMD_FREE:
		ret = kdbus_cmd_free(conn, argp);
		break;
	case KDBUS_CMD_CONN_INFO:
		ret = kdbus_cmd_conn_info(conn, argp);
		break;
	case KDBUS_CMD_BUS_CREATOR_INFO:
		ret = kdbus_cmd_bus_creator_info(conn, argp);
		break;
	case KDBUS_CMD_UPDATE:
		ret = kdbus_cmd_update(conn, argp);
		break;
	case KDBUS_CMD_LIST:
		ret = kdbus_cmd_list(conn, argp);
		break;
	case KDBUS_CMD_NAME_ACQUIRE:
		ret = kdbus_cmd_name_acquire(conn, argp);
		break;
	case KDBUS_CMD_NAME_RELEASE:
		ret = kdbus_cmd_name_release(conn, argp);
		break;
	case KDBUS_CMD_MATCH_ADD:
		ret = kdbus_cmd_match_add(conn, argp);
		break;
	case KDBUS_CMD_MATCH_REMOVE:
		ret = kdbus_cmd_match_remove(conn, argp);
		break;
	default:
		ret = -ENOTTY;
		break;
	}

	kdbus_conn_release(conn);
	return ret;
}

static long kdbus_handle_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct kdbus_handle *handle = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case KDBUS_CMD_BUS_MAKE:
	case KDBUS_CMD_ENDPOINT_MAKE:
	case KDBUS_CMD_HELLO:
		return kdbus_handle_ioctl_make(handle, cmd, argp);

	case KDBUS_CMD_ENDPOINT_UPDATE:
		return kdbus_handle_ioctl_ep_owner(handle, argp);

	case KDBUS_CMD_UPDATE:
	case KDBUS_CMD_BYEBYE:
	case KDBUS_CMD_FREE:
	case KDBUS_CMD_CONN_INFO:
	case KDBUS_CMD_BUS_CREATOR_INFO:
	case KDBUS_CMD_LIST:
	case KDBUS_CMD_SEND:
	case KDBUS_CMD_RECV:
	case KDBUS_CMD_NAME_ACQUIRE:
	case KDBUS_CMD_NAME_RELEASE:
	case KDBUS_CMD_MATCH_ADD:
	case KDBUS_CMD_MATCH_REMOVE:
		return kdbus_handle_ioctl_connected(file, cmd, argp);
	}

	return -ENOTTY;
}

static __poll_t kdbus_handle_poll(struct file *file, poll_table *wait)
{
	struct kdbus_conn *conn = kdbus_handle_conn(file->private_data);

	/* NONE, BUS_OWNER and EP_OWNER report an error and hang-up */
	if (!conn)
		return EPOLLERR | EPOLLHUP;

	return kdbus_conn_poll(conn, file, wait);
}

static int kdbus_handle_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kdbus_conn *conn = kdbus_handle_conn(file->private_data);

	/* only connections have a pool to map */
	if (!conn)
		return -EBADFD;

	return kdbus_conn_mmap(conn, vma);
}

const struct file_operations kdbus_handle_ops = {
	.owner		= THIS_MODULE,
	.open		= kdbus_handle_open,
	.release	= kdbus_handle_release,
	.poll		= kdbus_handle_poll,
	.llseek		= noop_llseek,
	.unlocked_ioctl	= kdbus_handle_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= kdbus_handle_mmap,
};
