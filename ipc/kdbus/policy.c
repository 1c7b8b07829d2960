// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - policy databases
 */

#include <linux/cred.h>
#include <linux/err.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/overflow.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>

#include "item.h"
#include "validate.h"
#include "policy.h"

/**
 * kdbus_policy_db_init() - initialise an empty policy database
 * @db:		Database
 */
void kdbus_policy_db_init(struct kdbus_policy_db *db)
{
	init_rwsem(&db->lock);
	INIT_LIST_HEAD(&db->entries);
}

static void kdbus_policy_entries_free(struct list_head *entries)
{
	struct kdbus_policy_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, entries, list) {
		list_del(&e->list);
		kfree(e->name);
		kfree(e);
	}
}

/**
 * kdbus_policy_db_clear() - remove all entries of a policy database
 * @db:		Database
 *
 * Does not allocate memory; may be called from a free callback.
 */
void kdbus_policy_db_clear(struct kdbus_policy_db *db)
{
	LIST_HEAD(old);

	down_write(&db->lock);
	list_splice_init(&db->entries, &old);
	up_write(&db->lock);

	kdbus_policy_entries_free(&old);
}

static int kdbus_policy_record_parse(struct kdbus_policy_record *a,
				     const struct kdbus_item *item)
{
	const struct kdbus_policy_access *pa = &item->policy_access;

	switch (pa->access) {
	case KDBUS_POLICY_SEE:
	case KDBUS_POLICY_TALK:
	case KDBUS_POLICY_OWN:
		a->access = pa->access;
		break;
	default:
		return -EINVAL;
	}

	switch (pa->type) {
	case KDBUS_POLICY_ACCESS_USER:
		if (pa->id > U32_MAX)
			return -EINVAL;
		a->uid = make_kuid(current_user_ns(), pa->id);
		if (!uid_valid(a->uid))
			return -EINVAL;
		break;
	case KDBUS_POLICY_ACCESS_GROUP:
		if (pa->id > U32_MAX)
			return -EINVAL;
		a->gid = make_kgid(current_user_ns(), pa->id);
		if (!gid_valid(a->gid))
			return -EINVAL;
		break;
	case KDBUS_POLICY_ACCESS_WORLD:
		break;
	default:
		return -EINVAL;
	}

	a->type = pa->type;
	return 0;
}

static struct kdbus_policy_entry *
kdbus_policy_entry_new(const struct kdbus_item *name_item,
		       const struct kdbus_item *items, size_t size)
{
	const struct kdbus_item *item;
	struct kdbus_policy_entry *e;
	unsigned int n = 0;
	size_t len;

	/* count the access records of this group */
	for (item = kdbus_item_next(name_item);
	     kdbus_item_in(item, items, size) &&
	     item->type != KDBUS_ITEM_NAME;
	     item = kdbus_item_next(item))
		if (item->type == KDBUS_ITEM_POLICY_ACCESS)
			n++;

	e = kzalloc(struct_size(e, access, n), GFP_KERNEL);
	if (!e)
		return NULL;

	e->name = kstrdup(kdbus_item_payload(name_item), GFP_KERNEL);
	if (!e->name) {
		kfree(e);
		return NULL;
	}

	len = strlen(e->name);
	e->wildcard = len >= 2 && !strcmp(e->name + len - 2, ".*");
	INIT_LIST_HEAD(&e->list);
	return e;
}

static bool kdbus_policy_entries_contain(struct list_head *entries,
					 const char *name)
{
	struct kdbus_policy_entry *e;

	/* the name includes ".*", so wildcard-ness is part of the key */
	list_for_each_entry(e, entries, list)
		if (!strcmp(e->name, name))
			return true;
	return false;
}

static int kdbus_policy_parse(struct list_head *entries,
			      const struct kdbus_item *items, size_t size)
{
	struct kdbus_policy_entry *cur = NULL;
	const struct kdbus_item *item;
	const char *name;
	int ret;

	for (item = items;
	     kdbus_item_in(item, items, size);
	     item = kdbus_item_next(item)) {
		switch (item->type) {
		case KDBUS_ITEM_NAME:
			name = kdbus_item_payload(item);
			if (!kdbus_name_is_valid(name, true))
				return -EINVAL;
			if (kdbus_policy_entries_contain(entries, name))
				return -EEXIST;

			cur = kdbus_policy_entry_new(item, items, size);
			if (!cur)
				return -ENOMEM;
			list_add_tail(&cur->list, entries);
			break;

		case KDBUS_ITEM_POLICY_ACCESS:
			if (!cur)
				return -EINVAL;
			ret = kdbus_policy_record_parse(&cur->access[cur->n_access],
							item);
			if (ret < 0)
				return ret;
			cur->n_access++;
			break;

		default:
			/* other items of the command are not ours */
			break;
		}
	}

	return 0;
}

/**
 * kdbus_policy_db_replace() - atomically replace a policy database
 * @db:		Database
 * @items:	Validated item region: groups of one KDBUS_ITEM_NAME followed
 *		by KDBUS_ITEM_POLICY_ACCESS items; other types are ignored
 * @size:	Size of @items in bytes
 *
 * Names are well-known names, optionally ending in ".*". User and group
 * ids are interpreted in the caller's user namespace. On failure the old
 * database stays in force, unchanged.
 *
 * Return: 0 on success; -EINVAL for an access record before the first
 * name, an invalid name, access level, access type or id; -EEXIST for a
 * name given twice; -ENOMEM.
 */
int kdbus_policy_db_replace(struct kdbus_policy_db *db,
			    const struct kdbus_item *items, size_t size)
{
	LIST_HEAD(entries);
	LIST_HEAD(old);
	int ret;

	ret = kdbus_policy_parse(&entries, items, size);
	if (ret < 0) {
		kdbus_policy_entries_free(&entries);
		return ret;
	}

	down_write(&db->lock);
	list_splice_init(&db->entries, &old);
	list_splice_init(&entries, &db->entries);
	up_write(&db->lock);

	kdbus_policy_entries_free(&old);
	return 0;
}
