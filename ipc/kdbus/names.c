// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - the name registry of a bus
 */

#include <linux/cred.h>
#include <linux/err.h>
#include <linux/jhash.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/rhashtable.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <uapi/linux/kdbus.h>

#include "bus.h"
#include "connection.h"
#include "endpoint.h"
#include "item.h"
#include "limits.h"
#include "names.h"
#include "notify.h"
#include "policy.h"
#include "pool.h"
#include "validate.h"

static u32 kdbus_name_hashfn(const void *data, u32 len, u32 seed)
{
	const char *name = data;

	return jhash(name, strlen(name), seed);
}

static u32 kdbus_name_obj_hashfn(const void *data, u32 len, u32 seed)
{
	const struct kdbus_name_entry *e = data;

	return kdbus_name_hashfn(e->name, 0, seed);
}

static int kdbus_name_obj_cmpfn(struct rhashtable_compare_arg *arg,
				const void *obj)
{
	const struct kdbus_name_entry *e = obj;

	return strcmp(e->name, arg->key);
}

static const struct rhashtable_params kdbus_name_params = {
	.head_offset = offsetof(struct kdbus_name_entry, rhash),
	.hashfn = kdbus_name_hashfn,
	.obj_hashfn = kdbus_name_obj_hashfn,
	.obj_cmpfn = kdbus_name_obj_cmpfn,
	.automatic_shrinking = true,
};

/**
 * kdbus_name_registry_init() - initialise the registry of a bus
 * @r:		Registry
 *
 * Return: 0 or -ENOMEM.
 */
int kdbus_name_registry_init(struct kdbus_name_registry *r)
{
	init_rwsem(&r->rwlock);
	r->name_seq = 0;
	return rhashtable_init(&r->ht, &kdbus_name_params);
}

/**
 * kdbus_name_registry_exit() - free the registry of a bus
 * @r:		Registry, empty: every connection of the bus is gone
 */
void kdbus_name_registry_exit(struct kdbus_name_registry *r)
{
	rhashtable_destroy(&r->ht);
}

static void kdbus_name_free(struct kref *kref)
{
	struct kdbus_name_entry *e = container_of(kref, struct kdbus_name_entry,
						  kref);

	kfree_rcu(e, rcu);
}

/**
 * kdbus_name_ref() - take a reference to a name entry
 * @e:		Entry
 *
 * Return: @e.
 */
struct kdbus_name_entry *kdbus_name_ref(struct kdbus_name_entry *e)
{
	kref_get(&e->kref);
	return e;
}

/**
 * kdbus_name_unref() - drop a reference to a name entry
 * @e:		Entry, or NULL
 *
 * Return: NULL.
 */
struct kdbus_name_entry *kdbus_name_unref(struct kdbus_name_entry *e)
{
	if (e)
		kref_put(&e->kref, kdbus_name_free);
	return NULL;
}

/**
 * kdbus_name_lookup() - find a registered name, without a lock
 * @r:		Registry
 * @name:	Name
 *
 * Return: the entry (new reference), or NULL if @name is not registered.
 */
struct kdbus_name_entry *kdbus_name_lookup(struct kdbus_name_registry *r,
					   const char *name)
{
	struct kdbus_name_entry *e;

	rcu_read_lock();
	e = rhashtable_lookup(&r->ht, name, kdbus_name_params);
	if (e && !kref_get_unless_zero(&e->kref))
		e = NULL;
	rcu_read_unlock();
	return e;
}

/**
 * kdbus_name_get_owner() - the current primary owner of a name
 * @e:		Entry (reference held)
 *
 * Return: the owner (new reference), or NULL if the entry was removed
 * from the registry meanwhile.
 */
struct kdbus_conn *kdbus_name_get_owner(struct kdbus_name_entry *e)
{
	struct kdbus_conn *conn;

	rcu_read_lock();
	conn = READ_ONCE(e->owner);
	if (conn && !kref_get_unless_zero(&conn->kref))
		conn = NULL;
	rcu_read_unlock();
	return conn;
}

/**
 * kdbus_name_is_owned_by() - whether a connection owns a name right now
 * @r:		Registry
 * @name:	Name
 * @conn:	Connection
 *
 * Used by match rules on the sender's names; takes no lock.
 *
 * Return: true if @conn is the primary owner of @name.
 */
bool kdbus_name_is_owned_by(struct kdbus_name_registry *r, const char *name,
			    const struct kdbus_conn *conn)
{
	struct kdbus_name_entry *e;
	bool ret;

	rcu_read_lock();
	e = rhashtable_lookup(&r->ht, name, kdbus_name_params);
	ret = e && READ_ONCE(e->owner) == conn;
	rcu_read_unlock();
	return ret;
}

static struct kdbus_name_owner *kdbus_name_owner_new(struct kdbus_conn *conn,
						     struct kdbus_name_entry *e,
						     u64 flags)
{
	struct kdbus_name_owner *o;

	o = kmalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return NULL;

	INIT_LIST_HEAD(&o->name_entry);
	o->conn = conn;
	o->name = e;
	o->flags = flags;
	list_add_tail(&o->conn_entry, &conn->names_list);
	return o;
}

static void kdbus_name_owner_free(struct kdbus_name_owner *o)
{
	list_del(&o->conn_entry);
	list_del(&o->name_entry);
	kfree(o);
}

/* make @o the primary owner of its name */
static void kdbus_name_set_primary(struct kdbus_name_owner *o)
{
	struct kdbus_name_entry *e = o->name;
	struct kdbus_name_owner *q, *tmp;

	/* an owner waits for its name no more */
	list_for_each_entry_safe(q, tmp, &e->queue, name_entry)
		if (q->conn == o->conn && q != o)
			kdbus_name_owner_free(q);

	e->primary = o;
	e->flags = o->flags;
	WRITE_ONCE(e->owner, o->conn);
	if (o != e->activator)
		o->conn->name_count++;
}

/* @o stops being the primary owner (the name gets another one or goes) */
static void kdbus_name_clear_primary(struct kdbus_name_owner *o)
{
	if (o != o->name->activator)
		o->conn->name_count--;
}

static struct kdbus_name_entry *
kdbus_name_entry_new(struct kdbus_name_registry *r, const char *name)
{
	struct kdbus_name_entry *e;
	size_t len = strlen(name) + 1;
	int ret;

	e = kzalloc(struct_size(e, name, len), GFP_KERNEL);
	if (!e)
		return ERR_PTR(-ENOMEM);

	kref_init(&e->kref);
	INIT_LIST_HEAD(&e->queue);
	memcpy(e->name, name, len);
	e->name_id = ++r->name_seq;

	ret = rhashtable_insert_fast(&r->ht, &e->rhash, kdbus_name_params);
	if (ret < 0) {
		kfree(e);
		return ERR_PTR(ret);
	}
	return e;
}

static void kdbus_name_entry_remove(struct kdbus_name_registry *r,
				    struct kdbus_name_entry *e)
{
	WRITE_ONCE(e->owner, NULL);
	rhashtable_remove_fast(&r->ht, &e->rhash, kdbus_name_params);
	kdbus_name_unref(e);
}

static void kdbus_name_notify(struct kdbus_conn *conn, struct list_head *notify,
			      u64 type, const struct kdbus_name_entry *e,
			      const struct kdbus_name_owner *old,
			      const struct kdbus_name_owner *new)
{
	kdbus_notify_name_change(conn->ep->bus, notify, type,
				 old ? old->conn->id : 0, old ? old->flags : 0,
				 new ? new->conn->id : 0, new ? new->flags : 0,
				 e->name);
}

/*
 * The primary owner @old of @e gives it up: the first waiting connection
 * takes over, else the activator (with the messages queued at @old for
 * this name), else the name goes. @old is not freed.
 */
static void kdbus_name_release_primary(struct kdbus_name_registry *r,
				       struct kdbus_name_owner *old,
				       struct list_head *notify)
{
	struct kdbus_name_entry *e = old->name;
	struct kdbus_name_owner *next;

	lockdep_assert_held_write(&r->rwlock);
	kdbus_name_clear_primary(old);

	next = list_first_entry_or_null(&e->queue, struct kdbus_name_owner,
					name_entry);
	if (next) {
		list_del_init(&next->name_entry);
		kdbus_name_set_primary(next);
		kdbus_name_notify(old->conn, notify, KDBUS_ITEM_NAME_CHANGE, e,
				  old, next);
	} else if (e->activator && e->activator != old) {
		kdbus_name_set_primary(e->activator);
		kdbus_name_notify(old->conn, notify, KDBUS_ITEM_NAME_CHANGE, e,
				  old, e->activator);
		kdbus_conn_move_messages(old->conn, e->activator->conn,
					 e->name_id, false, notify);
	} else {
		e->primary = NULL;
		kdbus_name_notify(old->conn, notify, KDBUS_ITEM_NAME_REMOVE, e,
				  old, NULL);
		kdbus_name_entry_remove(r, e);
	}
}

/**
 * kdbus_name_acquire() - acquire a name, or queue for it
 * @r:			Registry
 * @conn:		Connection; an ordinary one, or an activator at HELLO
 * @name:		Valid name
 * @flags:		KDBUS_NAME_REPLACE_EXISTING, _ALLOW_REPLACEMENT and
 *			_QUEUE, or KDBUS_NAME_ACTIVATOR for an activator
 * @return_flags:	KDBUS_NAME_IN_QUEUE is set here if @conn was queued
 * @notify:		Staged notifications of the calling operation
 *
 * Return: 0 on success; -E2BIG if @conn owns too many names, -EALREADY if
 * it owns @name already, -EEXIST if @name is taken (for an activator: if
 * it has an activator already), -ENOMEM.
 */
int kdbus_name_acquire(struct kdbus_name_registry *r, struct kdbus_conn *conn,
		       const char *name, u64 flags, u64 *return_flags,
		       struct list_head *notify)
{
	bool activator = flags & KDBUS_NAME_ACTIVATOR;
	struct kdbus_name_owner *o, *old;
	struct kdbus_name_entry *e;
	int ret = 0;

	down_write(&r->rwlock);

	if (!activator && conn->name_count >= KDBUS_CONN_MAX_NAMES) {
		ret = -E2BIG;
		goto exit_unlock;
	}

	e = rhashtable_lookup_fast(&r->ht, name, kdbus_name_params);
	if (!e) {
		e = kdbus_name_entry_new(r, name);
		if (IS_ERR(e)) {
			ret = PTR_ERR(e);
			goto exit_unlock;
		}
		o = kdbus_name_owner_new(conn, e, flags);
		if (!o) {
			kdbus_name_entry_remove(r, e);
			ret = -ENOMEM;
			goto exit_unlock;
		}
		if (activator)
			e->activator = o;
		kdbus_name_set_primary(o);
		kdbus_name_notify(conn, notify, KDBUS_ITEM_NAME_ADD, e, NULL, o);
		goto exit_unlock;
	}

	old = e->primary;
	if (activator) {
		/* an activator of a name owned by an ordinary connection */
		if (e->activator) {
			ret = -EEXIST;
			goto exit_unlock;
		}
		o = kdbus_name_owner_new(conn, e, flags);
		if (!o)
			ret = -ENOMEM;
		else
			e->activator = o;
		goto exit_unlock;
	}

	if (old->conn == conn) {
		ret = -EALREADY;
		goto exit_unlock;
	}

	if (!(e->flags & KDBUS_NAME_ACTIVATOR) &&
	    !((flags & KDBUS_NAME_REPLACE_EXISTING) &&
	      (e->flags & KDBUS_NAME_ALLOW_REPLACEMENT)) &&
	    !(flags & KDBUS_NAME_QUEUE)) {
		ret = -EEXIST;
		goto exit_unlock;
	}

	o = kdbus_name_owner_new(conn, e, flags);
	if (!o) {
		ret = -ENOMEM;
		goto exit_unlock;
	}

	if (e->flags & KDBUS_NAME_ACTIVATOR) {
		/* the activator hands the name and its messages over */
		kdbus_name_clear_primary(old);
		kdbus_name_set_primary(o);
		kdbus_name_notify(conn, notify, KDBUS_ITEM_NAME_CHANGE, e,
				  old, o);
		kdbus_conn_move_messages(old->conn, conn, 0, true, notify);
	} else if ((flags & KDBUS_NAME_REPLACE_EXISTING) &&
		   (e->flags & KDBUS_NAME_ALLOW_REPLACEMENT)) {
		kdbus_name_clear_primary(old);
		kdbus_name_set_primary(o);
		kdbus_name_notify(conn, notify, KDBUS_ITEM_NAME_CHANGE, e,
				  old, o);
		if (old->flags & KDBUS_NAME_QUEUE)
			list_add_tail(&old->name_entry, &e->queue);
		else
			kdbus_name_owner_free(old);
	} else {
		list_add_tail(&o->name_entry, &e->queue);
		*return_flags |= KDBUS_NAME_IN_QUEUE;
	}

exit_unlock:
	up_write(&r->rwlock);
	return ret;
}

/* NAME_RELEASE: give up @name or leave its queue */
static int kdbus_name_release(struct kdbus_name_registry *r,
			      struct kdbus_conn *conn, const char *name,
			      struct list_head *notify)
{
	struct kdbus_name_owner *o;
	struct kdbus_name_entry *e;
	int ret = -EADDRINUSE;

	down_write(&r->rwlock);

	e = rhashtable_lookup_fast(&r->ht, name, kdbus_name_params);
	if (!e) {
		ret = -ESRCH;
		goto exit_unlock;
	}

	if (e->primary->conn == conn) {
		o = e->primary;
		kdbus_name_release_primary(r, o, notify);
		kdbus_name_owner_free(o);
		ret = 0;
		goto exit_unlock;
	}

	list_for_each_entry(o, &e->queue, name_entry) {
		if (o->conn == conn) {
			kdbus_name_owner_free(o);
			ret = 0;
			break;
		}
	}

exit_unlock:
	up_write(&r->rwlock);
	return ret;
}

/**
 * kdbus_name_release_all() - give up every claim of a connection
 * @r:		Registry
 * @conn:	Connection being disconnected
 * @notify:	Staged notifications of the calling operation
 *
 * An activator first stops being the activator of its name. Then the
 * connection leaves every queue and finally releases every name it owns,
 * each passing to its next waiter, back to its activator or going away.
 *
 * Return: the number of names that were owned.
 */
int kdbus_name_release_all(struct kdbus_name_registry *r,
			   struct kdbus_conn *conn, struct list_head *notify)
{
	struct kdbus_name_owner *o, *tmp;
	int n = 0;

	down_write(&r->rwlock);

	list_for_each_entry(o, &conn->names_list, conn_entry)
		if (o->name->activator == o)
			o->name->activator = NULL;

	list_for_each_entry_safe(o, tmp, &conn->names_list, conn_entry)
		if (!list_empty(&o->name_entry))
			kdbus_name_owner_free(o);

	list_for_each_entry_safe(o, tmp, &conn->names_list, conn_entry) {
		if (o->name->primary == o) {
			kdbus_name_release_primary(r, o, notify);
			n++;
		}
		kdbus_name_owner_free(o);
	}

	up_write(&r->rwlock);
	return n;
}

/* an OWNED_NAME item for @e at @buf (NULL: only the size); its size */
static size_t kdbus_name_owned_item(void *buf, const struct kdbus_name_entry *e)
{
	size_t len = strlen(e->name) + 1;
	size_t size = KDBUS_ITEM_HEADER_SIZE + sizeof(struct kdbus_name) + len;

	if (buf) {
		struct kdbus_item *i = buf;

		memset(buf, 0, ALIGN(size, 8));
		i->size = size;
		i->type = KDBUS_ITEM_OWNED_NAME;
		i->name.flags = e->flags;
		memcpy(i->name.name, e->name, len);
	}
	return ALIGN(size, 8);
}

/* one LIST record: a kdbus_info with an optional OWNED_NAME item */
static size_t kdbus_name_list_record(void *buf, size_t pos,
				     const struct kdbus_conn *conn,
				     const struct kdbus_name_entry *e)
{
	struct kdbus_info *info = buf ? buf + pos : NULL;
	size_t size = sizeof(struct kdbus_info);

	if (e)
		size += kdbus_name_owned_item(info ? info->items : NULL, e);
	if (info) {
		info->size = size;
		info->id = conn->id;
		info->flags = conn->flags;
	}
	return pos + size;
}

/**
 * kdbus_name_any_owned() - whether a test holds for a name a connection owns
 * @r:		Name registry of the connection's bus
 * @conn:	Connection
 * @fn:		Test, called with the registry locked for reading, for each
 *		name @conn is the primary owner of, until it returns true
 * @data:	Passed to @fn
 *
 * Return: true if @fn returned true for one of the names.
 */
bool kdbus_name_any_owned(struct kdbus_name_registry *r,
			  const struct kdbus_conn *conn,
			  bool (*fn)(const char *name, void *data), void *data)
{
	const struct kdbus_name_owner *o;
	bool ret = false;

	down_read(&r->rwlock);
	list_for_each_entry(o, &conn->names_list, conn_entry) {
		if (o->name->primary == o && fn(o->name->name, data)) {
			ret = true;
			break;
		}
	}
	up_read(&r->rwlock);
	return ret;
}

/**
 * kdbus_name_owned_items() - OWNED_NAME items of the names a connection owns
 * @r:		Name registry of the connection's bus
 * @conn:	Connection
 * @size:	Output: size of the items
 *
 * One item per name @conn is the primary owner of (an activator: the
 * names it holds), with the name's current flags, as the NAMES metadata
 * of the ABI.
 *
 * Return: the items (free with kfree()), NULL if @conn owns no name, or
 * ERR_PTR(-ENOMEM).
 */
void *kdbus_name_owned_items(struct kdbus_name_registry *r,
			     const struct kdbus_conn *conn, size_t *size)
{
	const struct kdbus_name_owner *o;
	void *buf = NULL;
	size_t pos = 0;

	*size = 0;
	down_read(&r->rwlock);
	list_for_each_entry(o, &conn->names_list, conn_entry)
		if (o->name->primary == o)
			pos += kdbus_name_owned_item(NULL, o->name);
	if (pos) {
		buf = kmalloc(pos, GFP_KERNEL);
		*size = pos;
		pos = 0;
	}
	if (buf)
		list_for_each_entry(o, &conn->names_list, conn_entry)
			if (o->name->primary == o)
				pos += kdbus_name_owned_item(buf + pos,
							     o->name);
	up_read(&r->rwlock);

	if (*size && !buf)
		return ERR_PTR(-ENOMEM);
	*size = pos;
	return buf;
}

/*
 * LIST: the caller and what it may see. On a custom endpoint, @see is its
 * policy database, locked for reading across both passes of the listing
 * so that both list the same names. The LSMs are asked for each name
 * (security_kdbus_see_name()), with @bus_creator the bus's creator; as
 * an LSM may answer differently in the two passes, nothing is written
 * beyond @cap, the size the first pass found.
 */
struct kdbus_name_viewer {
	struct kdbus_policy_db *see;
	const struct cred *cred;
	const struct cred *bus_creator;
	size_t cap;
};

/* a record, written only if it ends within the buffer of the listing */
static size_t kdbus_name_list_put(void *buf, size_t pos,
				  const struct kdbus_conn *conn,
				  const struct kdbus_name_entry *e,
				  const struct kdbus_name_viewer *v)
{
	size_t end = kdbus_name_list_record(NULL, pos, conn, e);

	return kdbus_name_list_record(end <= v->cap ? buf : NULL, pos, conn,
				      e);
}

static bool kdbus_name_visible(const struct kdbus_name_viewer *v,
			       const struct kdbus_name_entry *e)
{
	if (v->see &&
	    kdbus_policy_db_lookup(v->see, v->cred, e->name) <
	    KDBUS_POLICY_SEE)
		return false;
	return !security_kdbus_see_name(v->cred, v->bus_creator, e->name);
}

/*
 * A record {@conn, @e} of the listing: written only if the caller may see
 * the name, but produced either way (a hidden name does not turn into a
 * unique-id record).
 */
static size_t kdbus_name_list_named(void *buf, size_t pos,
				    const struct kdbus_conn *conn,
				    const struct kdbus_name_entry *e,
				    const struct kdbus_name_viewer *v,
				    bool *produced)
{
	*produced = true;
	if (!kdbus_name_visible(v, e))
		return pos;
	return kdbus_name_list_put(buf, pos, conn, e, v);
}

/* the records of @conn (see KDBUS_CMD_LIST); @buf NULL: only sizes */
static size_t kdbus_name_list_conn(void *buf, size_t pos,
				   const struct kdbus_conn *conn, u64 flags,
				   const struct kdbus_name_viewer *v)
{
	bool conn_activator = conn->flags & KDBUS_HELLO_ACTIVATOR;
	const struct kdbus_name_owner *o;
	bool produced = false;

	list_for_each_entry(o, &conn->names_list, conn_entry) {
		const struct kdbus_name_entry *e = o->name;

		if (e->primary == o) {
			if (conn_activator) {
				if (flags & KDBUS_LIST_ACTIVATORS)
					pos = kdbus_name_list_named(buf, pos,
								    conn, e, v,
								    &produced);
				continue;
			}
			if (flags & KDBUS_LIST_NAMES)
				pos = kdbus_name_list_named(buf, pos, conn, e,
							    v, &produced);
			if ((flags & KDBUS_LIST_ACTIVATORS) && e->activator)
				pos = kdbus_name_list_named(buf, pos,
							    e->activator->conn,
							    e, v, &produced);
		} else if (!list_empty(&o->name_entry) &&
			   (flags & KDBUS_LIST_QUEUED)) {
			pos = kdbus_name_list_named(buf, pos, conn, e, v,
						    &produced);
		}
	}

	if ((flags & KDBUS_LIST_UNIQUE) && !produced)
		pos = kdbus_name_list_put(buf, pos, conn, NULL, v);
	return pos;
}

static size_t kdbus_name_list_all(struct kdbus_bus *bus, void *buf, u64 flags,
				  const struct kdbus_name_viewer *v)
{
	struct kdbus_conn *conn;
	size_t pos = 0;
	unsigned int i;

	hash_for_each(bus->conn_hash, i, conn, hentry) {
		if (kdbus_conn_is_monitor(conn))
			continue;
		if ((conn->flags & KDBUS_HELLO_ACTIVATOR) &&
		    !(flags & KDBUS_LIST_ACTIVATORS))
			continue;
		pos = kdbus_name_list_conn(buf, pos, conn, flags, v);
	}
	return pos;
}

/* passes of a listing that may disagree before LIST gives up (EAGAIN) */
#define KDBUS_NAME_LIST_TRIES	3

/**
 * kdbus_name_list() - render the LIST records of a bus
 * @r:		Registry of the bus
 * @conn:	Calling connection; on a custom endpoint, records of names it
 *		may not see are left out (unique-id records are not)
 * @flags:	KDBUS_LIST_* flags
 * @buf:	The records are returned here (kvfree() them), NULL if none
 * @size:	Their size
 *
 * Return: 0, -ENOMEM, or -EAGAIN if the LSMs kept changing their answers.
 */
int kdbus_name_list(struct kdbus_name_registry *r, struct kdbus_conn *conn,
		    u64 flags, void **buf, size_t *size)
{
	struct kdbus_bus *bus = conn->ep->bus;
	struct kdbus_name_viewer v = {
		.see = kdbus_ep_is_custom(conn->ep) ? &conn->ep->policy_db :
						      NULL,
		.cred = current_cred(),
		.bus_creator = bus->creator_cred,
	};
	unsigned int tries;
	size_t n;
	int ret = 0;

	*buf = NULL;
	*size = 0;

	down_read(&r->rwlock);
	down_read(&bus->conn_rwlock);
	if (v.see)
		down_read(&v.see->lock);
	for (tries = 0; tries < KDBUS_NAME_LIST_TRIES; tries++) {
		ret = 0;
		n = kdbus_name_list_all(bus, NULL, flags, &v);
		if (!n)
			break;
		*buf = kvzalloc(n, GFP_KERNEL);
		if (!*buf) {
			ret = -ENOMEM;
			break;
		}
		v.cap = n;
		*size = kdbus_name_list_all(bus, *buf, flags, &v);
		if (*size == n)
			break;
		/* an LSM changed its mind between the passes */
		kvfree(*buf);
		*buf = NULL;
		*size = 0;
		ret = -EAGAIN;
	}
	if (v.see)
		up_read(&v.see->lock);
	up_read(&bus->conn_rwlock);
	up_read(&r->rwlock);
	return ret;
}

/**
 * kdbus_cmd_name_acquire() - KDBUS_CMD_NAME_ACQUIRE
 * @conn:	Connection (active reference held)
 * @argp:	User argument
 *
 * Return: 0 on success, negative error code on failure.
 */
int kdbus_cmd_name_acquire(struct kdbus_conn *conn, void __user *argp)
{
	struct kdbus_bus *bus = conn->ep->bus;
	struct kdbus_args args;
	const char *name;
	LIST_HEAD(notify);
	int ret;

	if (!kdbus_conn_is_ordinary(conn))
		return -EOPNOTSUPP;

	ret = kdbus_args_parse(&args,
			       kdbus_cmd_spec_find(KDBUS_CMD_NAME_ACQUIRE),
			       argp);
	if (ret)
		return ret < 0 ? ret : 0;

	name = kdbus_args_item(&args, KDBUS_ITEM_NAME)->str;
	if (!kdbus_name_is_valid(name, false)) {
		ret = -EINVAL;
		goto exit;
	}
	if (!kdbus_policy_may_own(conn, current_cred(), name)) {
		ret = -EPERM;
		goto exit;
	}

	ret = kdbus_name_acquire(&bus->name_registry, conn, name,
				 args.cmd->flags, &args.cmd->return_flags,
				 &notify);
	kdbus_notify_flush(bus, &notify);

exit:
	return kdbus_args_clear(&args, ret);
}

/**
 * kdbus_cmd_name_release() - KDBUS_CMD_NAME_RELEASE
 * @conn:	Connection (active reference held)
 * @argp:	User argument
 *
 * Return: 0 on success, negative error code on failure.
 */
int kdbus_cmd_name_release(struct kdbus_conn *conn, void __user *argp)
{
	struct kdbus_bus *bus = conn->ep->bus;
	struct kdbus_args args;
	LIST_HEAD(notify);
	int ret;

	if (!kdbus_conn_is_ordinary(conn))
		return -EOPNOTSUPP;

	ret = kdbus_args_parse(&args,
			       kdbus_cmd_spec_find(KDBUS_CMD_NAME_RELEASE),
			       argp);
	if (ret)
		return ret < 0 ? ret : 0;

	ret = kdbus_name_release(&bus->name_registry, conn,
				 kdbus_args_item(&args, KDBUS_ITEM_NAME)->str,
				 &notify);
	kdbus_notify_flush(bus, &notify);
	return kdbus_args_clear(&args, ret);
}

/**
 * kdbus_cmd_list() - KDBUS_CMD_LIST
 * @conn:	Connection (active reference held)
 * @argp:	User argument
 *
 * The records are rendered into a kernel buffer under the registry lock
 * and copied into the caller's pool after it is dropped.
 *
 * Return: 0 on success, negative error code on failure.
 */
int kdbus_cmd_list(struct kdbus_conn *conn, void __user *argp)
{
	struct kdbus_cmd_list __user *ulist = argp;
	struct kdbus_bus *bus = conn->ep->bus;
	struct kdbus_cmd_list *cmd;
	struct kdbus_args args;
	void *buf = NULL;
	size_t size;
	int ret;

	ret = kdbus_args_parse(&args, kdbus_cmd_spec_find(KDBUS_CMD_LIST),
			       argp);
	if (ret)
		return ret < 0 ? ret : 0;

	cmd = (struct kdbus_cmd_list *)args.cmd;
	ret = kdbus_name_list(&bus->name_registry, conn, cmd->flags, &buf,
			      &size);
	if (ret < 0)
		goto exit;

	cmd->offset = kdbus_pool_size(conn->pool);
	cmd->list_size = 0;
	if (size) {
		struct kvec kvec = { .iov_base = buf, .iov_len = size };

		ret = kdbus_pool_publish_kvec(conn->pool, &kvec, 1, size,
					      &cmd->offset, &cmd->list_size);
		if (ret < 0)
			goto exit;
	}

	if (put_user(cmd->offset, &ulist->offset) ||
	    put_user(cmd->list_size, &ulist->list_size))
		ret = -EFAULT;

exit:
	kvfree(buf);
	return kdbus_args_clear(&args, ret);
}
