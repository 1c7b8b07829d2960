// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - KUnit tests of match rules and bloom filters
 *
 * Included at the end of match.c when CONFIG_KDBUS_KUNIT_TEST is set, so
 * the tests reach its static functions.
 */

#include <kunit/test.h>

#define KDBUS_MATCH_TEST_BLOOM	16	/* bytes: two words */

/* a bus with a 16-byte bloom filter and an empty name registry */
static struct kdbus_bus *kdbus_match_test_bus(struct kunit *test)
{
	struct kdbus_bus *bus;

	bus = kunit_kzalloc(test, sizeof(*bus), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bus);
	bus->bloom.size = KDBUS_MATCH_TEST_BLOOM;
	bus->bloom.n_hash = 1;
	KUNIT_ASSERT_EQ(test, kdbus_name_registry_init(&bus->name_registry), 0);
	return bus;
}

/* a connection with just an id, the sender of a message */
static struct kdbus_conn *kdbus_match_test_conn(struct kunit *test, u64 id)
{
	struct kdbus_conn *conn;

	conn = kunit_kzalloc(test, sizeof(*conn), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, conn);
	conn->id = id;
	return conn;
}

/* append an item to a buffer of items; returns the new end */
static void *kdbus_match_test_item(void *pos, u64 type, const void *payload,
				   size_t size)
{
	struct kdbus_item *item = pos;

	item->size = KDBUS_ITEM_HEADER_SIZE + size;
	item->type = type;
	memcpy(item->data, payload, size);
	return (u8 *)pos + ALIGN(item->size, 8);
}

static struct kdbus_match_entry *
kdbus_match_test_entry(struct kunit *test, struct kdbus_bus *bus,
		       const void *items, size_t size)
{
	struct kdbus_cmd_match cmd = { .cookie = 1 };
	struct kdbus_match_entry *m;

	m = kdbus_match_entry_new(bus, &cmd, items, size);
	KUNIT_ASSERT_FALSE(test, IS_ERR(m));
	return m;
}

/* the error of making a match of @items, 0 if it could be made */
static long kdbus_match_test_err(struct kdbus_bus *bus, const void *items,
				 size_t size)
{
	struct kdbus_cmd_match cmd = { .cookie = 1 };
	struct kdbus_match_entry *m;

	m = kdbus_match_entry_new(bus, &cmd, items, size);
	if (IS_ERR(m))
		return PTR_ERR(m);
	kdbus_match_entry_free(m);
	return 0;
}

/* a signal carrying a bloom filter of @generation with @w0, @w1 */
static struct kdbus_staging *kdbus_match_test_signal(struct kunit *test,
						     u64 generation, u64 w0,
						     u64 w1)
{
	struct kdbus_staging *staging;
	struct kdbus_item *item;

	staging = kunit_kzalloc(test, sizeof(*staging), GFP_KERNEL);
	item = kunit_kzalloc(test, KDBUS_ITEM_HEADER_SIZE + 8 +
			     KDBUS_MATCH_TEST_BLOOM, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, staging);
	KUNIT_ASSERT_NOT_NULL(test, item);
	item->type = KDBUS_ITEM_BLOOM_FILTER;
	item->size = KDBUS_ITEM_HEADER_SIZE + 8 + KDBUS_MATCH_TEST_BLOOM;
	item->bloom_filter.generation = generation;
	item->bloom_filter.data[0] = w0;
	item->bloom_filter.data[1] = w1;
	staging->bloom = item;
	return staging;
}

/* whether rule 0 of @m accepts a signal of @src with the given filter */
static bool kdbus_match_test_msg(struct kunit *test,
				 const struct kdbus_match_entry *m,
				 struct kdbus_bus *bus,
				 const struct kdbus_conn *src,
				 u64 generation, u64 w0, u64 w1)
{
	return kdbus_match_rule_msg(&m->rules[0], bus, src,
				    kdbus_match_test_signal(test, generation,
							    w0, w1));
}

static void kdbus_match_test_bloom(struct kunit *test)
{
	struct kdbus_bus *bus = kdbus_match_test_bus(test);
	struct kdbus_conn *src = kdbus_match_test_conn(test, 7);
	/* generation 0: bit 1 of word 0; generation 1: bit 3 of word 1 */
	u64 masks[4] = { 0x2, 0, 0, 0x8 };
	struct kdbus_match_entry *m;
	u8 items[64] __aligned(8) = {};
	size_t size;

	size = (u8 *)kdbus_match_test_item(items, KDBUS_ITEM_BLOOM_MASK,
					   masks, sizeof(masks)) - items;
	m = kdbus_match_test_entry(test, bus, items, size);
	KUNIT_EXPECT_EQ(test, m->rules[0].n_masks, 2U);
	KUNIT_EXPECT_TRUE(test, m->for_msg);
	KUNIT_EXPECT_FALSE(test, m->for_notify);

	/* mask bits set in the filter, more bits are fine */
	KUNIT_EXPECT_TRUE(test, kdbus_match_test_msg(test, m, bus, src, 0,
						     0x3, 0));
	/* one bit of the mask missing */
	KUNIT_EXPECT_FALSE(test, kdbus_match_test_msg(test, m, bus, src, 0,
						      0x1, ~0ULL));
	/* generation 1 uses the second mask */
	KUNIT_EXPECT_TRUE(test, kdbus_match_test_msg(test, m, bus, src, 1,
						     0, 0x8));
	KUNIT_EXPECT_FALSE(test, kdbus_match_test_msg(test, m, bus, src, 1,
						      0x2, 0));
	/* later generations use the last mask */
	KUNIT_EXPECT_TRUE(test, kdbus_match_test_msg(test, m, bus, src, 5,
						     0, 0x8));
	KUNIT_EXPECT_FALSE(test, kdbus_match_test_msg(test, m, bus, src, 5,
						      0x2, 0));

	kdbus_match_entry_free(m);
	kdbus_name_registry_exit(&bus->name_registry);
}

static void kdbus_match_test_bloom_size(struct kunit *test)
{
	struct kdbus_bus *bus = kdbus_match_test_bus(test);
	u64 masks[3] = { 1, 2, 3 };
	u8 items[64] __aligned(8) = {};
	size_t size;

	/* 24 bytes: not a multiple of the 16-byte bloom size */
	size = (u8 *)kdbus_match_test_item(items, KDBUS_ITEM_BLOOM_MASK,
					   masks, sizeof(masks)) - items;
	KUNIT_EXPECT_EQ(test, kdbus_match_test_err(bus, items, size), -EDOM);

	/* empty */
	size = (u8 *)kdbus_match_test_item(items, KDBUS_ITEM_BLOOM_MASK,
					   masks, 0) - items;
	KUNIT_EXPECT_EQ(test, kdbus_match_test_err(bus, items, size), -EDOM);

	/* a wildcard is no name to match */
	size = (u8 *)kdbus_match_test_item(items, KDBUS_ITEM_NAME, "foo.*",
					   6) - items;
	KUNIT_EXPECT_EQ(test, kdbus_match_test_err(bus, items, size), -EINVAL);
	kdbus_name_registry_exit(&bus->name_registry);
}

static void kdbus_match_test_id(struct kunit *test)
{
	struct kdbus_bus *bus = kdbus_match_test_bus(test);
	struct kdbus_conn *a = kdbus_match_test_conn(test, 7);
	struct kdbus_conn *b = kdbus_match_test_conn(test, 8);
	struct kdbus_staging *s = kdbus_match_test_signal(test, 0, 0, 0);
	u64 id = 7, any = KDBUS_MATCH_ID_ANY;
	struct kdbus_match_entry *m, *m_any;
	u8 items[32] __aligned(8) = {};
	size_t size;

	size = (u8 *)kdbus_match_test_item(items, KDBUS_ITEM_ID, &id,
					   sizeof(id)) - items;
	m = kdbus_match_test_entry(test, bus, items, size);
	size = (u8 *)kdbus_match_test_item(items, KDBUS_ITEM_ID, &any,
					   sizeof(any)) - items;
	m_any = kdbus_match_test_entry(test, bus, items, size);

	KUNIT_EXPECT_TRUE(test, kdbus_match_rule_msg(&m->rules[0], bus, a, s));
	KUNIT_EXPECT_FALSE(test, kdbus_match_rule_msg(&m->rules[0], bus, b,
						      s));
	KUNIT_EXPECT_TRUE(test, kdbus_match_rule_msg(&m_any->rules[0], bus, b,
						     s));

	kdbus_match_entry_free(m);
	kdbus_match_entry_free(m_any);
	kdbus_name_registry_exit(&bus->name_registry);
}

/* a NAME_* notification item */
static struct kdbus_item *kdbus_match_test_name_item(struct kunit *test,
						     u64 type, u64 old_id,
						     u64 new_id,
						     const char *name)
{
	size_t len = strlen(name) + 1;
	struct kdbus_item *n;

	n = kunit_kzalloc(test, KDBUS_ITEM_HEADER_SIZE + 32 + 256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, n);
	n->type = type;
	n->size = KDBUS_ITEM_HEADER_SIZE + 32 + len;
	n->name_change.old_id.id = old_id;
	n->name_change.new_id.id = new_id;
	memcpy(n->name_change.name, name, len);
	return n;
}

/* whether rule 0 of @m accepts a NAME_* notification */
static bool kdbus_match_test_nm(struct kunit *test,
				const struct kdbus_match_entry *m, u64 type,
				u64 old_id, u64 new_id, const char *name)
{
	return kdbus_match_rule_notify(&m->rules[0],
				       kdbus_match_test_name_item(test, type,
								  old_id,
								  new_id,
								  name));
}

static void kdbus_match_test_notify(struct kunit *test)
{
	struct kdbus_bus *bus = kdbus_match_test_bus(test);
	struct kdbus_notify_name_change *rule;
	const u64 add = KDBUS_ITEM_NAME_ADD, rm = KDBUS_ITEM_NAME_REMOVE;
	struct kdbus_match_entry *m;
	u8 payload[64] __aligned(8) = {};
	u8 items[96] __aligned(8) = {};
	size_t size;

	/* NAME_ADD of "foo.bar" by anybody, from nobody (old id 0) */
	rule = (void *)payload;
	rule->old_id.id = 0;
	rule->new_id.id = KDBUS_MATCH_ID_ANY;
	strscpy(rule->name, "foo.bar", 16);
	size = (u8 *)kdbus_match_test_item(items, KDBUS_ITEM_NAME_ADD, payload,
					   sizeof(*rule) + 8) - items;
	m = kdbus_match_test_entry(test, bus, items, size);
	KUNIT_EXPECT_FALSE(test, m->for_msg);
	KUNIT_EXPECT_TRUE(test, m->for_notify);

	KUNIT_EXPECT_TRUE(test, kdbus_match_test_nm(test, m, add, 0, 5,
						    "foo.bar"));
	/* another type, another name, a non-zero old id */
	KUNIT_EXPECT_FALSE(test, kdbus_match_test_nm(test, m, rm, 0, 5,
						     "foo.bar"));
	KUNIT_EXPECT_FALSE(test, kdbus_match_test_nm(test, m, add, 0, 5,
						     "foo.baz"));
	KUNIT_EXPECT_FALSE(test, kdbus_match_test_nm(test, m, add, 3, 5,
						     "foo.bar"));
	kdbus_match_entry_free(m);

	/* a rule without a name matches every name */
	size = (u8 *)kdbus_match_test_item(items, KDBUS_ITEM_NAME_ADD, payload,
					   sizeof(*rule)) - items;
	m = kdbus_match_test_entry(test, bus, items, size);
	KUNIT_EXPECT_TRUE(test, kdbus_match_test_nm(test, m, add, 0, 9, "x.y"));
	kdbus_match_entry_free(m);
	kdbus_name_registry_exit(&bus->name_registry);
}

static void kdbus_match_test_mixed(struct kunit *test)
{
	struct kdbus_bus *bus = kdbus_match_test_bus(test);
	struct kdbus_notify_id_change idc = { .id = KDBUS_MATCH_ID_ANY };
	u64 any = KDBUS_MATCH_ID_ANY;
	struct kdbus_match_entry *m;
	u8 items[64] __aligned(8) = {};
	void *pos;

	/* no rules: accepts messages and notifications */
	m = kdbus_match_test_entry(test, bus, items, 0);
	KUNIT_EXPECT_TRUE(test, m->for_msg);
	KUNIT_EXPECT_TRUE(test, m->for_notify);
	kdbus_match_entry_free(m);

	/* a message rule and a notification rule: accepts nothing */
	pos = kdbus_match_test_item(items, KDBUS_ITEM_ID, &any, sizeof(any));
	pos = kdbus_match_test_item(pos, KDBUS_ITEM_ID_ADD, &idc, sizeof(idc));
	m = kdbus_match_test_entry(test, bus, items, (u8 *)pos - items);
	KUNIT_EXPECT_EQ(test, m->n_rules, 2U);
	KUNIT_EXPECT_FALSE(test, m->for_msg);
	KUNIT_EXPECT_FALSE(test, m->for_notify);
	kdbus_match_entry_free(m);

	/* a NEGOTIATE item is no rule (KASAN: no rule slot is made for it) */
	pos = kdbus_match_test_item(items, KDBUS_ITEM_ID, &any, sizeof(any));
	pos = kdbus_match_test_item(pos, KDBUS_ITEM_NEGOTIATE, &any,
				    sizeof(any));
	m = kdbus_match_test_entry(test, bus, items, (u8 *)pos - items);
	KUNIT_EXPECT_EQ(test, m->n_rules, 1U);
	KUNIT_EXPECT_TRUE(test, m->for_msg);
	kdbus_match_entry_free(m);
	kdbus_name_registry_exit(&bus->name_registry);
}

static struct kunit_case kdbus_match_test_cases[] = {
	KUNIT_CASE(kdbus_match_test_bloom),
	KUNIT_CASE(kdbus_match_test_bloom_size),
	KUNIT_CASE(kdbus_match_test_id),
	KUNIT_CASE(kdbus_match_test_notify),
	KUNIT_CASE(kdbus_match_test_mixed),
	{}
};

static struct kunit_suite kdbus_match_test_suite = {
	.name = "kdbus_match",
	.test_cases = kdbus_match_test_cases,
};

kunit_test_suite(kdbus_match_test_suite);
