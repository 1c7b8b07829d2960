// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - match rules
 */

#include <linux/err.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <uapi/linux/kdbus.h>

#include "bus.h"
#include "connection.h"
#include "endpoint.h"
#include "item.h"
#include "limits.h"
#include "match.h"
#include "message.h"
#include "names.h"
#include "validate.h"

/**
 * struct kdbus_match_rule - one rule of a match
 * @type:	KDBUS_ITEM_* type of the rule item
 * @mask:	BLOOM_MASK: @n_masks masks of the bus bloom size, one per
 *		filter generation
 * @n_masks:	BLOOM_MASK: number of masks
 * @name:	NAME: the name; NAME_*: the name or NULL
 * @id:		ID: the sender id; ID_*: the connection id
 * @old_id:	NAME_*: the previous owner id
 * @new_id:	NAME_*: the new owner id
 *
 * Ids equal to KDBUS_MATCH_ID_ANY match any id. Pointers point into the
 * copy of the rule items kept by the match.
 */
struct kdbus_match_rule {
	u64 type;
	const u64 *mask;
	unsigned int n_masks;
	const char *name;
	u64 id;
	u64 old_id;
	u64 new_id;
};

/**
 * struct kdbus_match_entry - a match
 * @entry:	Link in &kdbus_match_db.entries
 * @cookie:	Cookie given at MATCH_ADD
 * @for_msg:	Can accept messages of connections
 * @for_notify:	Can accept kernel notifications
 * @items:	Copy of the rule items
 * @n_rules:	Number of @rules
 * @rules:	The rules
 */
struct kdbus_match_entry {
	struct list_head entry;
	u64 cookie;
	bool for_msg;
	bool for_notify;
	void *items;
	unsigned int n_rules;
	struct kdbus_match_rule rules[];
};

static void kdbus_match_entry_free(struct kdbus_match_entry *m)
{
	kfree(m->items);
	kfree(m);
}

/**
 * kdbus_match_db_init() - initialise an empty match database
 * @mdb:	Database
 */
void kdbus_match_db_init(struct kdbus_match_db *mdb)
{
	init_rwsem(&mdb->lock);
	INIT_LIST_HEAD(&mdb->entries);
	mdb->n_entries = 0;
	mdb->n_msg = 0;
	mdb->n_notify = 0;
}

static void kdbus_match_db_unlink(struct kdbus_match_db *mdb,
				  struct kdbus_match_entry *m)
{
	lockdep_assert_held_write(&mdb->lock);
	list_del(&m->entry);
	mdb->n_entries--;
	mdb->n_msg -= m->for_msg;
	mdb->n_notify -= m->for_notify;
}

/**
 * kdbus_match_db_clear() - remove every match
 * @mdb:	Database
 */
void kdbus_match_db_clear(struct kdbus_match_db *mdb)
{
	struct kdbus_match_entry *m, *tmp;

	down_write(&mdb->lock);
	list_for_each_entry_safe(m, tmp, &mdb->entries, entry) {
		kdbus_match_db_unlink(mdb, m);
		kdbus_match_entry_free(m);
	}
	up_write(&mdb->lock);
}

/* every bit of the mask of the filter's generation is set in the filter */
static bool kdbus_match_bloom(const struct kdbus_match_rule *rule,
			      const struct kdbus_bloom_filter *filter,
			      size_t words)
{
	u64 gen = min_t(u64, filter->generation, rule->n_masks - 1);
	const u64 *mask = rule->mask + gen * words;
	size_t i;

	for (i = 0; i < words; i++)
		if (mask[i] & ~filter->data[i])
			return false;
	return true;
}

/* a rule against a message of connection @src */
static bool kdbus_match_rule_msg(const struct kdbus_match_rule *rule,
				 struct kdbus_bus *bus,
				 const struct kdbus_conn *src,
				 const struct kdbus_staging *staging)
{
	switch (rule->type) {
	case KDBUS_ITEM_BLOOM_MASK:
		return staging->bloom &&
		       kdbus_match_bloom(rule, &staging->bloom->bloom_filter,
					 bus->bloom.size / sizeof(u64));
	case KDBUS_ITEM_NAME:
		return kdbus_name_is_owned_by(&bus->name_registry, rule->name,
					      src);
	case KDBUS_ITEM_ID:
		return rule->id == KDBUS_MATCH_ID_ANY || rule->id == src->id;
	}
	return false;
}

static bool kdbus_match_id(u64 rule_id, u64 id)
{
	return rule_id == KDBUS_MATCH_ID_ANY || rule_id == id;
}

/* a rule against the notification item @n */
static bool kdbus_match_rule_notify(const struct kdbus_match_rule *rule,
				    const struct kdbus_item *n)
{
	if (rule->type != n->type)
		return false;

	switch (rule->type) {
	case KDBUS_ITEM_NAME_ADD:
	case KDBUS_ITEM_NAME_REMOVE:
	case KDBUS_ITEM_NAME_CHANGE:
		return kdbus_match_id(rule->old_id, n->name_change.old_id.id) &&
		       kdbus_match_id(rule->new_id, n->name_change.new_id.id) &&
		       (!rule->name ||
			!strcmp(rule->name, n->name_change.name));
	case KDBUS_ITEM_ID_ADD:
	case KDBUS_ITEM_ID_REMOVE:
		return kdbus_match_id(rule->id, n->id_change.id);
	}
	return false;
}

/* the matches of @mdb against a message; the caller excludes writers */
static bool kdbus_match_db_test(struct kdbus_match_db *mdb,
				struct kdbus_bus *bus,
				const struct kdbus_conn *conn_src,
				const struct kdbus_staging *staging)
{
	const struct kdbus_item *n = NULL;
	struct kdbus_match_entry *m;
	unsigned int i;

	if (!conn_src)
		n = kdbus_staging_header(staging)->items;

	list_for_each_entry(m, &mdb->entries, entry) {
		if (!(n ? m->for_notify : m->for_msg))
			continue;
		for (i = 0; i < m->n_rules; i++) {
			const struct kdbus_match_rule *rule = &m->rules[i];

			if (n ? !kdbus_match_rule_notify(rule, n) :
				!kdbus_match_rule_msg(rule, bus, conn_src,
						      staging))
				break;
		}
		if (i == m->n_rules)
			return true;
	}
	return false;
}

/**
 * kdbus_match_db_match() - whether a connection's matches accept a message
 * @mdb:	Matches of the receiver
 * @bus:	Bus
 * @conn_src:	Sender, NULL for a kernel notification
 * @staging:	The message (a signal or a broadcast notification)
 *
 * Takes the lock of @mdb for reading (a unicast signal).
 *
 * Return: true if one match accepts the message.
 */
bool kdbus_match_db_match(struct kdbus_match_db *mdb, struct kdbus_bus *bus,
			  const struct kdbus_conn *conn_src,
			  const struct kdbus_staging *staging)
{
	bool found;

	down_read(&mdb->lock);
	found = kdbus_match_db_test(mdb, bus, conn_src, staging);
	up_read(&mdb->lock);
	return found;
}

/**
 * kdbus_match_db_match_bus() - the same, for a receiver of a broadcast
 * @mdb:	Matches of the receiver, a connection on a match list of @bus
 * @bus:	Bus; its conn_rwlock is held
 * @conn_src:	Sender, NULL for a kernel notification
 * @staging:	The message
 *
 * The matches of a connection on a bus match list change only under the
 * bus's conn_rwlock held for writing (MATCH_ADD, MATCH_REMOVE), and the
 * connection leaves the lists under it before its matches are cleared:
 * a broadcast, which holds it for reading, needs no lock of its own.
 *
 * Return: true if one match accepts the message.
 */
bool kdbus_match_db_match_bus(struct kdbus_match_db *mdb,
			      struct kdbus_bus *bus,
			      const struct kdbus_conn *conn_src,
			      const struct kdbus_staging *staging)
{
	lockdep_assert_held(&bus->conn_rwlock);
	return kdbus_match_db_test(mdb, bus, conn_src, staging);
}

/* build a match from the rule items of a MATCH_ADD */
static struct kdbus_match_entry *
kdbus_match_entry_new(struct kdbus_bus *bus, const struct kdbus_cmd_match *cmd,
		      const struct kdbus_item *items, size_t items_size)
{
	unsigned int n = 0, n_msg = 0, n_notify = 0;
	const struct kdbus_item *item;
	struct kdbus_match_entry *m;
	int ret;

	for (item = items; kdbus_item_in(item, items, items_size);
	     item = kdbus_item_next(item))
		if (item->type != KDBUS_ITEM_NEGOTIATE)
			n++;

	m = kzalloc(struct_size(m, rules, n), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	m->cookie = cmd->cookie;

	m->items = kmemdup(items, items_size, GFP_KERNEL);
	if (items_size && !m->items) {
		ret = -ENOMEM;
		goto exit_free;
	}

	for (item = m->items; kdbus_item_in(item, m->items, items_size);
	     item = kdbus_item_next(item)) {
		struct kdbus_match_rule *rule = &m->rules[m->n_rules];
		size_t len = kdbus_item_payload_size(item);

		if (item->type == KDBUS_ITEM_NEGOTIATE)
			continue;

		rule->type = item->type;
		switch (item->type) {
		case KDBUS_ITEM_BLOOM_MASK:
			if (!len || len % bus->bloom.size) {
				ret = -EDOM;
				goto exit_free;
			}
			rule->mask = item->data64;
			rule->n_masks = len / bus->bloom.size;
			n_msg++;
			break;
		case KDBUS_ITEM_NAME:
			if (!kdbus_name_is_valid(item->str, false)) {
				ret = -EINVAL;
				goto exit_free;
			}
			rule->name = item->str;
			n_msg++;
			break;
		case KDBUS_ITEM_ID:
			rule->id = item->id;
			n_msg++;
			break;
		case KDBUS_ITEM_NAME_ADD:
		case KDBUS_ITEM_NAME_REMOVE:
		case KDBUS_ITEM_NAME_CHANGE:
			rule->old_id = item->name_change.old_id.id;
			rule->new_id = item->name_change.new_id.id;
			if (len > sizeof(struct kdbus_notify_name_change) &&
			    item->name_change.name[0])
				rule->name = item->name_change.name;
			n_notify++;
			break;
		case KDBUS_ITEM_ID_ADD:
		case KDBUS_ITEM_ID_REMOVE:
			rule->id = item->id_change.id;
			n_notify++;
			break;
		}
		m->n_rules++;
	}

	m->for_msg = !n_notify;
	m->for_notify = !n_msg;
	return m;

exit_free:
	kdbus_match_entry_free(m);
	return ERR_PTR(ret);
}

/* put @conn on the bus lists of the kinds of matches it has */
static void kdbus_match_update_bus(struct kdbus_bus *bus,
				   struct kdbus_conn *conn)
{
	struct kdbus_match_db *mdb = &conn->match_db;

	lockdep_assert_held_write(&bus->conn_rwlock);
	lockdep_assert_held_write(&mdb->lock);

	if (mdb->n_msg && list_empty(&conn->match_msg_entry))
		list_add_tail(&conn->match_msg_entry, &bus->match_msg_list);
	else if (!mdb->n_msg)
		list_del_init(&conn->match_msg_entry);

	if (mdb->n_notify && list_empty(&conn->match_notify_entry))
		list_add_tail(&conn->match_notify_entry,
			      &bus->match_notify_list);
	else if (!mdb->n_notify)
		list_del_init(&conn->match_notify_entry);
}

/* remove the matches of @cookie, or (@dry_run) count them */
static unsigned int kdbus_match_db_remove(struct kdbus_match_db *mdb,
					  u64 cookie, bool dry_run)
{
	struct kdbus_match_entry *m, *tmp;
	unsigned int n = 0;

	list_for_each_entry_safe(m, tmp, &mdb->entries, entry) {
		if (m->cookie != cookie)
			continue;
		n++;
		if (dry_run)
			continue;
		kdbus_match_db_unlink(mdb, m);
		kdbus_match_entry_free(m);
	}
	return n;
}

/**
 * kdbus_cmd_match_add() - KDBUS_CMD_MATCH_ADD
 * @conn:	Connection (active reference held)
 * @argp:	User argument
 *
 * Return: 0 on success, negative error code on failure.
 */
int kdbus_cmd_match_add(struct kdbus_conn *conn, void __user *argp)
{
	struct kdbus_match_db *mdb = &conn->match_db;
	struct kdbus_bus *bus = conn->ep->bus;
	struct kdbus_match_entry *m;
	struct kdbus_cmd_match *cmd;
	struct kdbus_args args;
	unsigned int n;
	int ret;

	if (!kdbus_conn_is_ordinary(conn))
		return -EOPNOTSUPP;

	ret = kdbus_args_parse(&args, kdbus_cmd_spec_find(KDBUS_CMD_MATCH_ADD),
			       argp);
	if (ret)
		return ret < 0 ? ret : 0;

	cmd = (struct kdbus_cmd_match *)args.cmd;
	m = kdbus_match_entry_new(bus, cmd, args.items, args.items_size);
	if (IS_ERR(m)) {
		ret = PTR_ERR(m);
		goto exit;
	}

	down_write(&bus->conn_rwlock);
	down_write(&mdb->lock);

	/* the limit counts after the replacement, which fails as a whole */
	n = 0;
	if (cmd->flags & KDBUS_MATCH_REPLACE)
		n = kdbus_match_db_remove(mdb, cmd->cookie, true);

	if (mdb->n_entries - n >= KDBUS_MATCH_MAX) {
		ret = -EMFILE;
	} else {
		if (n)
			kdbus_match_db_remove(mdb, cmd->cookie, false);
		list_add_tail(&m->entry, &mdb->entries);
		mdb->n_entries++;
		mdb->n_msg += m->for_msg;
		mdb->n_notify += m->for_notify;
		m = NULL;
	}
	kdbus_match_update_bus(bus, conn);

	up_write(&mdb->lock);
	up_write(&bus->conn_rwlock);

	if (m)
		kdbus_match_entry_free(m);

exit:
	return kdbus_args_clear(&args, ret);
}

/**
 * kdbus_cmd_match_remove() - KDBUS_CMD_MATCH_REMOVE
 * @conn:	Connection (active reference held)
 * @argp:	User argument
 *
 * Return: 0 on success, negative error code on failure.
 */
int kdbus_cmd_match_remove(struct kdbus_conn *conn, void __user *argp)
{
	struct kdbus_match_db *mdb = &conn->match_db;
	struct kdbus_bus *bus = conn->ep->bus;
	struct kdbus_cmd_match *cmd;
	struct kdbus_args args;
	int ret;

	if (!kdbus_conn_is_ordinary(conn))
		return -EOPNOTSUPP;

	ret = kdbus_args_parse(&args,
			       kdbus_cmd_spec_find(KDBUS_CMD_MATCH_REMOVE),
			       argp);
	if (ret)
		return ret < 0 ? ret : 0;

	cmd = (struct kdbus_cmd_match *)args.cmd;

	down_write(&bus->conn_rwlock);
	down_write(&mdb->lock);
	if (!kdbus_match_db_remove(mdb, cmd->cookie, false))
		ret = -EBADSLT;
	kdbus_match_update_bus(bus, conn);
	up_write(&mdb->lock);
	up_write(&bus->conn_rwlock);

	return kdbus_args_clear(&args, ret);
}

#if IS_ENABLED(CONFIG_KDBUS_KUNIT_TEST)
#include "match_test.c"
#endif
