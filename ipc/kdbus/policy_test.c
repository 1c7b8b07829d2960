// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - KUnit tests of the policy databases
 *
 * Included at the end of policy.c when CONFIG_KDBUS_KUNIT_TEST is set, so
 * the tests reach its static functions.
 */

#include <kunit/test.h>

/* a command's items being built: NAME and POLICY_ACCESS groups */
struct kdbus_policy_test_items {
	u8 buf[512] __aligned(8);
	size_t size;
};

static void kdbus_policy_test_name(struct kunit *test,
				   struct kdbus_policy_test_items *it,
				   const char *name)
{
	struct kdbus_item *item = (void *)it->buf + it->size;
	size_t len = strlen(name) + 1;

	KUNIT_ASSERT_LE(test, it->size + ALIGN(KDBUS_ITEM_HEADER_SIZE + len, 8),
			sizeof(it->buf));
	item->size = KDBUS_ITEM_HEADER_SIZE + len;
	item->type = KDBUS_ITEM_NAME;
	memcpy(item->str, name, len);
	it->size += ALIGN(item->size, 8);
}

static void kdbus_policy_test_access(struct kunit *test,
				     struct kdbus_policy_test_items *it,
				     u64 type, u64 access, u64 id)
{
	struct kdbus_item *item = (void *)it->buf + it->size;

	KUNIT_ASSERT_LE(test, it->size + KDBUS_ITEM_HEADER_SIZE +
			sizeof(struct kdbus_policy_access), sizeof(it->buf));
	item->size = KDBUS_ITEM_HEADER_SIZE + sizeof(item->policy_access);
	item->type = KDBUS_ITEM_POLICY_ACCESS;
	item->policy_access.type = type;
	item->policy_access.access = access;
	item->policy_access.id = id;
	it->size += item->size;
}

static struct kdbus_policy_test_items *
kdbus_policy_test_items(struct kunit *test)
{
	struct kdbus_policy_test_items *it;

	it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, it);
	return it;
}

static int kdbus_policy_test_set(struct kdbus_policy_db *db, const void *owner,
				 const struct kdbus_policy_test_items *it)
{
	return kdbus_policy_db_set(db, owner, (const void *)it->buf, it->size,
				   true);
}

/* credentials with euid @uid, egid @gid and one supplementary @group */
static struct cred *kdbus_policy_test_cred(struct kunit *test, u32 uid,
					   u32 gid, u32 group)
{
	struct cred *cred = kunit_kzalloc(test, sizeof(*cred), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cred);
	cred->euid = KUIDT_INIT(uid);
	cred->egid = KGIDT_INIT(gid);
	cred->group_info = groups_alloc(1);
	KUNIT_ASSERT_NOT_NULL(test, cred->group_info);
	cred->group_info->gid[0] = KGIDT_INIT(group);
	return cred;
}

static void kdbus_policy_test_put_cred(struct cred *cred)
{
	put_group_info(cred->group_info);
}

/* USER, GROUP (effective and supplementary) and WORLD records, max wins */
static void kdbus_policy_test_records(struct kunit *test)
{
	struct kdbus_policy_test_items *it = kdbus_policy_test_items(test);
	struct kdbus_policy_db db;
	struct cred *a, *b, *c;

	kdbus_policy_db_init(&db);
	a = kdbus_policy_test_cred(test, 1000, 2000, 3000);
	b = kdbus_policy_test_cred(test, 1001, 2001, 3001);
	c = kdbus_policy_test_cred(test, 1002, 2002, 3002);

	kdbus_policy_test_name(test, it, "org.test.a");
	kdbus_policy_test_access(test, it, KDBUS_POLICY_ACCESS_WORLD,
				 KDBUS_POLICY_SEE, 0);
	kdbus_policy_test_access(test, it, KDBUS_POLICY_ACCESS_USER,
				 KDBUS_POLICY_OWN, 1000);
	kdbus_policy_test_access(test, it, KDBUS_POLICY_ACCESS_GROUP,
				 KDBUS_POLICY_TALK, 3001);
	kdbus_policy_test_name(test, it, "org.test.empty");
	KUNIT_ASSERT_EQ(test, 0, kdbus_policy_test_set(&db, &db, it));

	KUNIT_EXPECT_EQ(test, KDBUS_POLICY_OWN,
			kdbus_policy_db_query(&db, a, "org.test.a"));
	KUNIT_EXPECT_EQ(test, KDBUS_POLICY_TALK,
			kdbus_policy_db_query(&db, b, "org.test.a"));
	KUNIT_EXPECT_EQ(test, KDBUS_POLICY_SEE,
			kdbus_policy_db_query(&db, c, "org.test.a"));
	/* an entry without records grants nothing; no entry neither */
	KUNIT_EXPECT_EQ(test, -EPERM,
			kdbus_policy_db_query(&db, a, "org.test.empty"));
	KUNIT_EXPECT_EQ(test, -EPERM,
			kdbus_policy_db_query(&db, a, "org.test.b"));

	kdbus_policy_db_clear(&db);
	KUNIT_EXPECT_EQ(test, -EPERM,
			kdbus_policy_db_query(&db, a, "org.test.a"));
	kdbus_policy_test_put_cred(a);
	kdbus_policy_test_put_cred(b);
	kdbus_policy_test_put_cred(c);
}

/* a wildcard covers one more element; an exact entry takes precedence */
static void kdbus_policy_test_wildcard(struct kunit *test)
{
	struct kdbus_policy_test_items *it = kdbus_policy_test_items(test);
	struct kdbus_policy_db db;
	struct cred *a;

	kdbus_policy_db_init(&db);
	a = kdbus_policy_test_cred(test, 1000, 2000, 3000);

	kdbus_policy_test_name(test, it, "org.test.*");
	kdbus_policy_test_access(test, it, KDBUS_POLICY_ACCESS_WORLD,
				 KDBUS_POLICY_OWN, 0);
	kdbus_policy_test_name(test, it, "org.test.exact");
	kdbus_policy_test_access(test, it, KDBUS_POLICY_ACCESS_WORLD,
				 KDBUS_POLICY_SEE, 0);
	KUNIT_ASSERT_EQ(test, 0, kdbus_policy_test_set(&db, &db, it));

	KUNIT_EXPECT_EQ(test, KDBUS_POLICY_OWN,
			kdbus_policy_db_query(&db, a, "org.test.foo"));
	KUNIT_EXPECT_EQ(test, -EPERM,
			kdbus_policy_db_query(&db, a, "org.test"));
	KUNIT_EXPECT_EQ(test, -EPERM,
			kdbus_policy_db_query(&db, a, "org.test.foo.bar"));
	KUNIT_EXPECT_EQ(test, KDBUS_POLICY_SEE,
			kdbus_policy_db_query(&db, a, "org.test.exact"));

	/* wildcards only where allowed */
	kdbus_policy_db_clear(&db);
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_policy_db_set(&db, &db, (const void *)it->buf,
					    it->size, false));
	kdbus_policy_test_put_cred(a);
}

/* duplicates, failing replacements changing nothing, owners */
static void kdbus_policy_test_owners(struct kunit *test)
{
	struct kdbus_policy_test_items *one = kdbus_policy_test_items(test);
	struct kdbus_policy_test_items *two = kdbus_policy_test_items(test);
	struct kdbus_policy_test_items *dup = kdbus_policy_test_items(test);
	struct kdbus_policy_test_items *bad = kdbus_policy_test_items(test);
	struct kdbus_policy_db db;
	int owner1, owner2;
	struct cred *a;

	kdbus_policy_db_init(&db);
	a = kdbus_policy_test_cred(test, 1000, 2000, 3000);

	kdbus_policy_test_name(test, one, "org.test.one");
	kdbus_policy_test_access(test, one, KDBUS_POLICY_ACCESS_WORLD,
				 KDBUS_POLICY_TALK, 0);
	kdbus_policy_test_name(test, two, "org.test.two");
	kdbus_policy_test_access(test, two, KDBUS_POLICY_ACCESS_WORLD,
				 KDBUS_POLICY_OWN, 0);
	kdbus_policy_test_name(test, dup, "org.test.d");
	kdbus_policy_test_name(test, dup, "org.test.d");
	kdbus_policy_test_name(test, bad, "org.test.bad");
	kdbus_policy_test_access(test, bad, KDBUS_POLICY_ACCESS_WORLD, 7, 0);

	KUNIT_ASSERT_EQ(test, 0, kdbus_policy_test_set(&db, &owner1, one));
	/* another owner cannot take the name */
	KUNIT_EXPECT_EQ(test, -EEXIST,
			kdbus_policy_test_set(&db, &owner2, one));
	KUNIT_EXPECT_EQ(test, -EEXIST,
			kdbus_policy_test_set(&db, &owner2, dup));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_policy_test_set(&db, &owner1, bad));
	/* failed replacements left owner1's entry in force */
	KUNIT_EXPECT_EQ(test, KDBUS_POLICY_TALK,
			kdbus_policy_db_query(&db, a, "org.test.one"));

	/* a replacement swaps the owner's entries at once */
	KUNIT_ASSERT_EQ(test, 0, kdbus_policy_test_set(&db, &owner1, two));
	KUNIT_EXPECT_EQ(test, -EPERM,
			kdbus_policy_db_query(&db, a, "org.test.one"));
	KUNIT_EXPECT_EQ(test, KDBUS_POLICY_OWN,
			kdbus_policy_db_query(&db, a, "org.test.two"));
	KUNIT_ASSERT_EQ(test, 0, kdbus_policy_test_set(&db, &owner2, one));

	kdbus_policy_db_remove_owner(&db, &owner1);
	KUNIT_EXPECT_EQ(test, -EPERM,
			kdbus_policy_db_query(&db, a, "org.test.two"));
	KUNIT_EXPECT_EQ(test, KDBUS_POLICY_TALK,
			kdbus_policy_db_query(&db, a, "org.test.one"));

	kdbus_policy_db_clear(&db);
	kdbus_policy_test_put_cred(a);
}

/* many entries: each still found through the index */
static void kdbus_policy_test_many(struct kunit *test)
{
	struct kdbus_policy_test_items *it;
	struct kdbus_policy_db db;
	unsigned int i, owners = 200;
	char name[32];
	struct cred *a;
	u8 *owner;

	kdbus_policy_db_init(&db);
	a = kdbus_policy_test_cred(test, 1000, 2000, 3000);
	it = kdbus_policy_test_items(test);
	owner = kunit_kzalloc(test, owners, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, owner);

	for (i = 0; i < owners; i++) {
		it->size = 0;
		snprintf(name, sizeof(name), "org.test.n%u", i);
		kdbus_policy_test_name(test, it, name);
		kdbus_policy_test_access(test, it, KDBUS_POLICY_ACCESS_USER,
					 i % 3, 1000);
		KUNIT_ASSERT_EQ(test, 0, kdbus_policy_test_set(&db, &owner[i],
							       it));
	}
	KUNIT_EXPECT_GE(test, 1U << db.index_bits, owners);

	for (i = 0; i < owners; i++) {
		snprintf(name, sizeof(name), "org.test.n%u", i);
		KUNIT_EXPECT_EQ(test, (int)(i % 3),
				kdbus_policy_db_query(&db, a, name));
	}

	kdbus_policy_db_clear(&db);
	kdbus_policy_test_put_cred(a);
}

/* the longest hash chain of @db's index */
static unsigned int kdbus_policy_test_longest(struct kdbus_policy_db *db)
{
	struct kdbus_policy_entry *e;
	unsigned int i, n, max = 0;

	for (i = 0; i < (1U << db->index_bits); i++) {
		n = 0;
		hlist_for_each_entry(e, &db->index[i], hentry)
			n++;
		max = max(max, n);
	}
	return max;
}

/*
 * @n names with one WORLD record each, installed by installers of at most
 * 400 names each (what one 32 KiB command holds); the items are built in
 * a buffer of their own (the fixed one holds a few names).
 */
static void kdbus_policy_test_fill(struct kunit *test,
				   struct kdbus_policy_db *db, unsigned int n)
{
	const size_t max = 400 * 80;
	struct kdbus_item *item;
	unsigned int i = 0;
	size_t size;
	u8 *buf, *owners;

	buf = kunit_kzalloc(test, max, GFP_KERNEL);
	owners = kunit_kzalloc(test, n / 400 + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, owners);
	while (i < n) {
		size = 0;
		do {
			item = (void *)buf + size;
			item->type = KDBUS_ITEM_NAME;
			item->size = KDBUS_ITEM_HEADER_SIZE + 1 +
				     snprintf(item->str, 24, "org.test.u%u", i);
			size += ALIGN(item->size, 8);
			item = (void *)buf + size;
			item->type = KDBUS_ITEM_POLICY_ACCESS;
			item->size = KDBUS_ITEM_HEADER_SIZE +
				     sizeof(item->policy_access);
			item->policy_access.type = KDBUS_POLICY_ACCESS_WORLD;
			item->policy_access.access = KDBUS_POLICY_SEE;
			size += item->size;
		} while (++i < n && i % 400);
		KUNIT_ASSERT_LE(test, size, max);
		KUNIT_ASSERT_EQ(test, 0,
				kdbus_policy_db_set(db, &owners[(i - 1) / 400],
						    (void *)buf, size, false));
	}
}

/*
 * A lookup walks one hash chain: with 10 or 10000 entries for unrelated
 * names, the chains stay a few entries long (the index has at least as
 * many buckets as entries), so a lookup costs the same.
 */
static void kdbus_policy_test_unrelated(struct kunit *test)
{
	static const unsigned int sizes[] = { 10, 10000 };
	struct kdbus_policy_db db;
	struct cred *a;
	unsigned int i;

	a = kdbus_policy_test_cred(test, 1000, 2000, 3000);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		kdbus_policy_db_init(&db);
		kdbus_policy_test_fill(test, &db, sizes[i]);
		KUNIT_EXPECT_GE(test, 1U << db.index_bits, sizes[i]);
		KUNIT_EXPECT_LE(test, kdbus_policy_test_longest(&db), 8U);
		KUNIT_EXPECT_EQ(test, KDBUS_POLICY_SEE,
				kdbus_policy_db_query(&db, a, "org.test.u7"));
		KUNIT_EXPECT_EQ(test, -EPERM,
				kdbus_policy_db_query(&db, a, "org.other.x"));
		kdbus_policy_db_clear(&db);
	}
	kdbus_policy_test_put_cred(a);
}

static struct kunit_case kdbus_policy_test_cases[] = {
	KUNIT_CASE(kdbus_policy_test_records),
	KUNIT_CASE(kdbus_policy_test_wildcard),
	KUNIT_CASE(kdbus_policy_test_owners),
	KUNIT_CASE(kdbus_policy_test_many),
	KUNIT_CASE_SLOW(kdbus_policy_test_unrelated),
	{}
};

static struct kunit_suite kdbus_policy_test_suite = {
	.name = "kdbus_policy",
	.test_cases = kdbus_policy_test_cases,
};

kunit_test_suite(kdbus_policy_test_suite);
