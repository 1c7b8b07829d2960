// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - policy databases
 */

#include <linux/cred.h>
#include <linux/err.h>
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/overflow.h>
#include <linux/rwsem.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>

#include "bus.h"
#include "connection.h"
#include "endpoint.h"
#include "item.h"
#include "limits.h"
#include "names.h"
#include "policy.h"
#include "validate.h"

/**
 * kdbus_policy_db_init() - initialise an empty policy database
 * @db:		Database
 */
void kdbus_policy_db_init(struct kdbus_policy_db *db)
{
	init_rwsem(&db->lock);
	INIT_LIST_HEAD(&db->entries);
	db->index = NULL;
	db->index_bits = 0;
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
	struct hlist_head *index;
	LIST_HEAD(old);

	down_write(&db->lock);
	list_splice_init(&db->entries, &old);
	index = db->index;
	db->index = NULL;
	db->index_bits = 0;
	up_write(&db->lock);

	kvfree(index);
	kdbus_policy_entries_free(&old);
}

static u32 kdbus_policy_hash(const char *name)
{
	return jhash(name, strlen(name), 0);
}

/* the entry named exactly @name (".*" included), or NULL */
static struct kdbus_policy_entry *
kdbus_policy_find(const struct kdbus_policy_db *db, const char *name)
{
	struct kdbus_policy_entry *e;
	u32 hash;

	if (!db->index)
		return NULL;

	hash = kdbus_policy_hash(name);
	hlist_for_each_entry(e, &db->index[hash_32(hash, db->index_bits)],
			     hentry)
		if (e->hash == hash && !strcmp(e->name, name))
			return e;
	return NULL;
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
	e->hash = kdbus_policy_hash(e->name);
	INIT_LIST_HEAD(&e->list);
	INIT_HLIST_NODE(&e->hentry);
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
			      const struct kdbus_item *items, size_t size,
			      bool wildcards)
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
			if (!kdbus_name_is_valid(name, wildcards))
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

/* link every entry of @db into @index of 1 << @bits buckets */
static void kdbus_policy_index(struct kdbus_policy_db *db,
			       struct hlist_head *index, unsigned int bits)
{
	struct kdbus_policy_entry *e;
	unsigned int i;

	for (i = 0; i < (1U << bits); i++)
		INIT_HLIST_HEAD(&index[i]);
	list_for_each_entry(e, &db->entries, list)
		hlist_add_head(&e->hentry, &index[hash_32(e->hash, bits)]);
}

/**
 * kdbus_policy_db_set() - replace the entries of one installer
 * @db:		Database
 * @owner:	Installer whose entries are replaced
 * @items:	Validated item region: groups of one KDBUS_ITEM_NAME followed
 *		by KDBUS_ITEM_POLICY_ACCESS items; other types are ignored
 * @size:	Size of @items in bytes
 * @wildcards:	Whether names may end in ".*"
 *
 * Names are well-known names, optionally ending in ".*". User and group
 * ids are interpreted in the caller's user namespace. The entries @owner
 * had are replaced by the new ones at once; on failure nothing changes.
 * Installers of an endpoint's database pass the database as @owner.
 *
 * Return: 0 on success; -EINVAL for an access record before the first
 * name, an invalid name, access level, access type or id; -EEXIST for a
 * name given twice or already installed by another owner; -ENOMEM.
 */
int kdbus_policy_db_set(struct kdbus_policy_db *db, const void *owner,
			const struct kdbus_item *items, size_t size,
			bool wildcards)
{
	struct kdbus_policy_entry *e, *tmp, *other;
	struct hlist_head *index = NULL, *old_index;
	unsigned int n = 0, bits = 0;
	LIST_HEAD(entries);
	LIST_HEAD(old);
	int ret;

	ret = kdbus_policy_parse(&entries, items, size, wildcards);
	if (ret < 0)
		goto exit_free;

	down_write(&db->lock);

	/* names are unique across installers */
	list_for_each_entry(e, &entries, list) {
		e->owner = owner;
		other = kdbus_policy_find(db, e->name);
		if (other && other->owner != owner) {
			ret = -EEXIST;
			goto exit_unlock;
		}
	}

	/* the index for what stays and what comes: the only allocation */
	list_for_each_entry(e, &db->entries, list)
		n += e->owner != owner;
	list_for_each_entry(e, &entries, list)
		n++;
	if (n) {
		bits = max_t(unsigned int, ilog2(roundup_pow_of_two(n)), 1);
		index = kvmalloc_array(1U << bits, sizeof(*index), GFP_KERNEL);
		if (!index) {
			ret = -ENOMEM;
			goto exit_unlock;
		}
	}

	list_for_each_entry_safe(e, tmp, &db->entries, list)
		if (e->owner == owner)
			list_move_tail(&e->list, &old);
	list_splice_tail_init(&entries, &db->entries);

	old_index = db->index;
	if (index)
		kdbus_policy_index(db, index, bits);
	db->index = index;
	db->index_bits = bits;
	up_write(&db->lock);

	kvfree(old_index);
	kdbus_policy_entries_free(&old);
	return 0;

exit_unlock:
	up_write(&db->lock);
exit_free:
	kdbus_policy_entries_free(&entries);
	return ret;
}

/**
 * kdbus_policy_db_remove_owner() - remove the entries of one installer
 * @db:		Database
 * @owner:	Installer
 *
 * Does not allocate memory: the index keeps its size.
 */
void kdbus_policy_db_remove_owner(struct kdbus_policy_db *db,
				  const void *owner)
{
	struct kdbus_policy_entry *e, *tmp;
	LIST_HEAD(old);

	down_write(&db->lock);
	list_for_each_entry_safe(e, tmp, &db->entries, list) {
		if (e->owner != owner)
			continue;
		hlist_del(&e->hentry);
		list_move_tail(&e->list, &old);
	}
	up_write(&db->lock);

	kdbus_policy_entries_free(&old);
}

/* the highest access @e grants @cred, or -EPERM */
static int kdbus_policy_entry_access(const struct kdbus_policy_entry *e,
				     const struct cred *cred)
{
	int access = -EPERM;
	unsigned int i;

	for (i = 0; i < e->n_access; i++) {
		const struct kdbus_policy_record *a = &e->access[i];
		bool match;

		switch (a->type) {
		case KDBUS_POLICY_ACCESS_USER:
			match = uid_eq(a->uid, cred->euid);
			break;
		case KDBUS_POLICY_ACCESS_GROUP:
			match = gid_eq(a->gid, cred->egid) ||
				groups_search(cred->group_info, a->gid);
			break;
		default:
			match = true;
			break;
		}
		if (match && (int)a->access > access)
			access = a->access;
	}
	return access;
}

/**
 * kdbus_policy_db_lookup() - the access a database grants on a name
 * @db:		Database, its lock held
 * @cred:	Credentials to evaluate
 * @name:	Well-known name (no wildcard)
 *
 * The entry of the name itself decides if there is one, else the
 * wildcard entry of its parent ("a.b.*" for "a.b.c"), else nothing does.
 *
 * Return: the highest KDBUS_POLICY_* level granted, or -EPERM for none.
 */
int kdbus_policy_db_lookup(struct kdbus_policy_db *db,
			   const struct cred *cred, const char *name)
{
	char wildcard[KDBUS_NAME_MAX_LEN + 3];
	const struct kdbus_policy_entry *e;
	const char *dot = strrchr(name, '.');

	lockdep_assert_held(&db->lock);

	e = kdbus_policy_find(db, name);
	if (!e && dot && dot - name < KDBUS_NAME_MAX_LEN) {
		memcpy(wildcard, name, dot - name);
		strscpy(wildcard + (dot - name), ".*", 3);
		e = kdbus_policy_find(db, wildcard);
	}
	return e ? kdbus_policy_entry_access(e, cred) : -EPERM;
}

/**
 * kdbus_policy_db_query() - kdbus_policy_db_lookup(), taking the lock
 * @db:		Database
 * @cred:	Credentials to evaluate
 * @name:	Well-known name (no wildcard)
 *
 * Return: the highest KDBUS_POLICY_* level granted, or -EPERM for none.
 */
int kdbus_policy_db_query(struct kdbus_policy_db *db, const struct cred *cred,
			  const char *name)
{
	int access;

	down_read(&db->lock);
	access = kdbus_policy_db_lookup(db, cred, name);
	up_read(&db->lock);
	return access;
}

/**
 * struct kdbus_policy_check - a check over the names a peer owns
 * @db:		Database to consult
 * @cred:	Credentials to evaluate
 * @access:	Level needed
 */
struct kdbus_policy_check {
	struct kdbus_policy_db *db;
	const struct cred *cred;
	int access;
};

static bool kdbus_policy_check_name(const char *name, void *data)
{
	struct kdbus_policy_check *c = data;

	return kdbus_policy_db_query(c->db, c->cred, name) >= c->access;
}

/* whether @db grants @access on a name @peer owns */
static bool kdbus_policy_any_name(struct kdbus_policy_db *db,
				  const struct cred *cred,
				  const struct kdbus_conn *peer, int access)
{
	struct kdbus_policy_check c = {
		.db = db,
		.cred = cred,
		.access = access,
	};

	return kdbus_name_any_owned(&peer->ep->bus->name_registry, peer,
				    kdbus_policy_check_name, &c);
}

/**
 * kdbus_policy_may_own() - the OWN check
 * @conn:	Connection that wants to own @name
 * @cred:	Credentials of the task asking
 * @name:	Well-known name
 *
 * On a custom endpoint its database must grant OWN; then a privileged
 * connection may, any other needs OWN from the bus database. Last, the
 * LSMs are asked (security_kdbus_own_name()).
 *
 * Return: true if @conn may own @name.
 */
bool kdbus_policy_may_own(const struct kdbus_conn *conn,
			  const struct cred *cred, const char *name)
{
	struct kdbus_ep *ep = conn->ep;

	if (kdbus_ep_is_custom(ep) &&
	    kdbus_policy_db_query(&ep->policy_db, cred, name) <
	    KDBUS_POLICY_OWN)
		return false;
	if (!conn->privileged &&
	    kdbus_policy_db_query(&ep->bus->policy_db, cred, name) <
	    KDBUS_POLICY_OWN)
		return false;
	return !security_kdbus_own_name(cred, ep->bus->creator_cred, name);
}

/**
 * kdbus_policy_may_talk() - the TALK check
 * @conn:	Connection that talks
 * @cred:	Credentials it talks with
 * @peer:	Connection it talks to
 *
 * On a custom endpoint its database must grant TALK on a name @peer owns.
 * Then a privileged connection may talk, and so may one whose effective
 * uid is the real uid @peer connected with; any other needs TALK from the
 * bus database on a name @peer owns. Takes the name registry lock unless
 * privilege or the uids decide.
 *
 * Return: true if @conn may talk to @peer.
 */
bool kdbus_policy_may_talk(const struct kdbus_conn *conn,
			   const struct cred *cred,
			   const struct kdbus_conn *peer)
{
	struct kdbus_ep *ep = conn->ep;

	if (kdbus_ep_is_custom(ep) &&
	    !kdbus_policy_any_name(&ep->policy_db, cred, peer,
				   KDBUS_POLICY_TALK))
		return false;
	if (conn->privileged)
		return true;
	if (uid_eq(cred->euid, peer->cred->uid))
		return true;
	return kdbus_policy_any_name(&ep->bus->policy_db, cred, peer,
				     KDBUS_POLICY_TALK);
}

/**
 * kdbus_policy_may_see_name() - the SEE check for a name
 * @conn:	Connection that looks
 * @cred:	Credentials it looks with
 * @name:	Well-known name
 *
 * Only custom endpoints restrict what their connections see; then the
 * LSMs are asked (security_kdbus_see_name()).
 *
 * Return: true if @conn may see @name.
 */
bool kdbus_policy_may_see_name(const struct kdbus_conn *conn,
			       const struct cred *cred, const char *name)
{
	struct kdbus_ep *ep = conn->ep;

	if (kdbus_ep_is_custom(ep) &&
	    kdbus_policy_db_query(&ep->policy_db, cred, name) <
	    KDBUS_POLICY_SEE)
		return false;
	return !security_kdbus_see_name(cred, ep->bus->creator_cred, name);
}

/**
 * kdbus_policy_may_see_conn() - the SEE check for a peer
 * @conn:	Connection that looks
 * @cred:	Credentials it looks with
 * @peer:	Connection looked at
 *
 * On a custom endpoint, a peer is visible if one of the names it owns is;
 * then the LSMs are asked (security_kdbus_see_peer()).
 *
 * Return: true if @conn may see @peer.
 */
bool kdbus_policy_may_see_conn(const struct kdbus_conn *conn,
			       const struct cred *cred,
			       const struct kdbus_conn *peer)
{
	struct kdbus_ep *ep = conn->ep;

	if (kdbus_ep_is_custom(ep) &&
	    !kdbus_policy_any_name(&ep->policy_db, cred, peer,
				   KDBUS_POLICY_SEE))
		return false;
	return !security_kdbus_see_peer(cred, peer->cred);
}

#if IS_ENABLED(CONFIG_KDBUS_KUNIT_TEST)
#include "policy_test.c"
#endif
