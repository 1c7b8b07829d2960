// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - KUnit tests of command argument and item parsing
 *
 * Included at the end of item.c when CONFIG_KDBUS_KUNIT_TEST is set, so
 * the tests reach its static functions.
 */

/* a command argument under construction, 8-byte aligned */
struct kdbus_test_buf {
	u64 data[512];
	size_t size;
};

static void kdbus_test_init(struct kdbus_test_buf *b, size_t fixed, u64 flags)
{
	struct kdbus_cmd *cmd = (struct kdbus_cmd *)b->data;

	memset(b, 0, sizeof(*b));
	b->size = fixed;
	cmd->flags = flags;
	cmd->size = fixed;
}

/* append an item with a payload of @len bytes; return it */
static struct kdbus_item *kdbus_test_add(struct kdbus_test_buf *b, u64 type,
					 const void *payload, size_t len)
{
	struct kdbus_cmd *cmd = (struct kdbus_cmd *)b->data;
	struct kdbus_item *item;

	b->size = ALIGN(b->size, 8);
	item = (struct kdbus_item *)((u8 *)b->data + b->size);
	item->size = KDBUS_ITEM_HEADER_SIZE + len;
	item->type = type;
	if (payload)
		memcpy(kdbus_item_payload(item), payload, len);
	b->size += item->size;
	cmd->size = b->size;
	return item;
}

static struct kdbus_item *kdbus_test_add_str(struct kdbus_test_buf *b,
					     u64 type, const char *str)
{
	return kdbus_test_add(b, type, str, strlen(str) + 1);
}

static struct kdbus_item *kdbus_test_add_u64(struct kdbus_test_buf *b,
					     u64 type, u64 value)
{
	return kdbus_test_add(b, type, &value, sizeof(value));
}

static int kdbus_test_check(struct kdbus_test_buf *b, unsigned int cmd,
			    struct kdbus_args *args)
{
	memset(args, 0, sizeof(*args));
	args->spec = kdbus_cmd_spec_find(cmd);
	args->cmd = (struct kdbus_cmd *)b->data;
	return kdbus_args_check(args);
}

static void kdbus_test_bus_make_args(struct kdbus_test_buf *b)
{
	struct kdbus_bloom_parameter bloom = { .size = 64, .n_hash = 1 };

	kdbus_test_init(b, sizeof(struct kdbus_cmd), 0);
	kdbus_test_add_str(b, KDBUS_ITEM_MAKE_NAME, "0-foo");
	kdbus_test_add(b, KDBUS_ITEM_BLOOM_PARAMETER, &bloom, sizeof(bloom));
}

static void kdbus_test_tiling(struct kunit *test)
{
	struct kdbus_test_buf *b;
	struct kdbus_item *items, *item;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	items = (struct kdbus_item *)b->data;

	/* empty region */
	KUNIT_EXPECT_EQ(test, 0, kdbus_items_tile(items, 0));

	/* one item without padding, and with the padding omitted */
	items->size = 20;
	items->type = KDBUS_ITEM_CANCEL_FD;
	KUNIT_EXPECT_EQ(test, 0, kdbus_items_tile(items, 20));
	KUNIT_EXPECT_EQ(test, 0, kdbus_items_tile(items, 24));

	/* stray bytes after the padding */
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 28));
	/* a partial header after the item */
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 24 + 15));
	/* item larger than the region */
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 19));
	/* region smaller than a header */
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 8));

	/* item smaller than its header */
	items->size = 15;
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 16));
	items->size = 0;
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 16));

	/* an empty item is fine */
	items->size = 16;
	KUNIT_EXPECT_EQ(test, 0, kdbus_items_tile(items, 16));

	/* two items, the second one overflowing */
	items->size = 24;
	item = kdbus_item_next(items);
	KUNIT_EXPECT_PTR_EQ(test, (void *)item, (void *)&b->data[3]);
	item->size = 32;
	item->type = KDBUS_ITEM_ID_ADD;
	KUNIT_EXPECT_EQ(test, 0, kdbus_items_tile(items, 56));
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 55));
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 64));

	/* a huge size must not wrap around */
	item->size = U64_MAX - 3;
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 56));
}

static void kdbus_test_item(struct kunit *test, struct kdbus_test_buf *b,
			    int ret, u64 type, const void *payload, size_t len)
{
	struct kdbus_item *item;

	kdbus_test_init(b, 0, 0);
	item = kdbus_test_add(b, type, payload, len);
	KUNIT_EXPECT_EQ_MSG(test, ret, kdbus_item_validate(item),
			    "type 0x%llx len %zu", type, len);
}

static void kdbus_test_payloads(struct kunit *test)
{
	struct kdbus_test_buf *b;
	struct kdbus_memfd memfd = { .size = 1, .fd = 3 };
	struct kdbus_vec vec = { .size = 1 };
	u8 raw[64] = {};

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);

	kdbus_test_item(test, b, 0, KDBUS_ITEM_NEGOTIATE, raw, 0);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_NEGOTIATE, raw, 16);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_NEGOTIATE, raw, 12);

	kdbus_test_item(test, b, 0, KDBUS_ITEM_PAYLOAD_VEC, &vec, sizeof(vec));
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_PAYLOAD_VEC, &vec, 8);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_PAYLOAD_VEC, raw, sizeof(vec));
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_PAYLOAD_OFF, raw, sizeof(vec));

	kdbus_test_item(test, b, 0, KDBUS_ITEM_PAYLOAD_MEMFD, &memfd, sizeof(memfd));
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_PAYLOAD_MEMFD, &memfd, 16);
	memfd.fd = -1;
	kdbus_test_item(test, b, -EBADF, KDBUS_ITEM_PAYLOAD_MEMFD, &memfd, sizeof(memfd));
	memfd.size = 0;
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_PAYLOAD_MEMFD, &memfd, sizeof(memfd));

	kdbus_test_item(test, b, 0, KDBUS_ITEM_FDS, raw, 0);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_FDS, raw, 12);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_FDS, raw, 6);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_CANCEL_FD, raw, 4);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_CANCEL_FD, raw, 8);

	kdbus_test_item(test, b, 0, KDBUS_ITEM_BLOOM_PARAMETER, raw, 16);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_BLOOM_PARAMETER, raw, 24);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_BLOOM_FILTER, raw, 8);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_BLOOM_FILTER, raw, 40);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_BLOOM_FILTER, raw, 7);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_BLOOM_MASK, raw, 3);

	kdbus_test_item(test, b, 0, KDBUS_ITEM_ATTACH_FLAGS_SEND, raw, 8);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_ATTACH_FLAGS_RECV, raw, 4);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_ID, raw, 16);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_TIMESTAMP, raw, 24);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_TIMESTAMP, raw, 16);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_CREDS, raw, 64);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_CREDS, raw, 32);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_PIDS, raw, 24);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_PIDS, raw, 16);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_AUXGROUPS, raw, 8);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_AUXGROUPS, raw, 5);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_AUDIT, raw, 8);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_AUDIT, raw, 16);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_POLICY_ACCESS, raw, 24);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_POLICY_ACCESS, raw, 16);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_ID_ADD, raw, 16);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_ID_REMOVE, raw, 24);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_REPLY_TIMEOUT, raw, 0);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_REPLY_DEAD, raw, 8);

	/* strings: exactly one NUL, at the end */
	kdbus_test_item(test, b, 0, KDBUS_ITEM_NAME, "foo.bar", 8);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_NAME, "foo.bar", 7);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_NAME, "foo\0bar", 8);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_NAME, raw, 0);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_NAME, raw, 1);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_DST_NAME, "ab\0\0", 4);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_SECLABEL, "label", 6);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_CGROUP, "/", 1);

	/* sysnames: string rules plus the sysname character rules */
	kdbus_test_item(test, b, 0, KDBUS_ITEM_MAKE_NAME, "0-foo", 6);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_MAKE_NAME, "", 1);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_MAKE_NAME, "0-foo", 5);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_MAKE_NAME, "0-f@o", 6);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_CONN_DESCRIPTION, "foo-", 5);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_CONN_DESCRIPTION, "foo", 4);
	memset(raw, 'x', sizeof(raw));
	raw[63] = '\0';
	kdbus_test_item(test, b, 0, KDBUS_ITEM_MAKE_NAME, raw, 64);
	raw[63] = 'x';
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_MAKE_NAME, raw, 64);
	memset(raw, 0, sizeof(raw));

	/* caps: at least last_cap, and the sets for last_cap */
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_CAPS, raw, 3);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_CAPS, raw, 4);
	((u32 *)raw)[0] = 40;
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_CAPS, raw, 4);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_CAPS, raw, 36);
	((u32 *)raw)[0] = U32_MAX;
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_CAPS, raw, 36);
	memset(raw, 0, sizeof(raw));

	/* name changes: 32 bytes, optionally followed by a string */
	kdbus_test_item(test, b, 0, KDBUS_ITEM_NAME_ADD, raw, 32);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_NAME_ADD, raw, 24);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_NAME_REMOVE, raw, 33);
	raw[32] = 'a';
	raw[33] = 'b';
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_NAME_CHANGE, raw, 34);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_NAME_CHANGE, raw, 35);

	/* unknown types are left to the command specification */
	kdbus_test_item(test, b, 0, 0x7777, raw, 3);
}

static void kdbus_test_attach_flags(struct kunit *test)
{
	u64 out = 0x1234;

	KUNIT_EXPECT_EQ(test, 0, kdbus_sanitize_attach_flags(0, &out));
	KUNIT_EXPECT_EQ(test, 0ULL, out);
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_sanitize_attach_flags(_KDBUS_ATTACH_ALL, &out));
	KUNIT_EXPECT_EQ(test, (u64)_KDBUS_ATTACH_ALL, out);
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_sanitize_attach_flags(_KDBUS_ATTACH_ANY, &out));
	KUNIT_EXPECT_EQ(test, (u64)_KDBUS_ATTACH_ALL, out);
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_sanitize_attach_flags(KDBUS_ATTACH_CREDS |
						    KDBUS_ATTACH_PIDS, &out));
	KUNIT_EXPECT_EQ(test, 0x6ULL, out);

	out = 0x1234;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_sanitize_attach_flags(1ULL << 14, &out));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_sanitize_attach_flags(~0ULL - 1, &out));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_sanitize_attach_flags(1ULL << 63, &out));
	KUNIT_EXPECT_EQ(test, 0x1234ULL, out);
}

static void kdbus_test_negotiate(struct kunit *test)
{
	static const struct {
		unsigned int cmd;
		size_t fixed_size;
		u64 mask;
	} cmds[] = {
		{ KDBUS_CMD_BUS_MAKE, 24, 0x3 },
		{ KDBUS_CMD_ENDPOINT_MAKE, 24, 0x3 },
		{ KDBUS_CMD_ENDPOINT_UPDATE, 24, 0x0 },
		{ KDBUS_CMD_HELLO, 96, 0xf },
		{ KDBUS_CMD_UPDATE, 24, 0x0 },
		{ KDBUS_CMD_BYEBYE, 24, 0x0 },
		{ KDBUS_CMD_FREE, 32, 0x0 },
		{ KDBUS_CMD_CONN_INFO, 56, 0x0 },
		{ KDBUS_CMD_BUS_CREATOR_INFO, 56, 0x0 },
		{ KDBUS_CMD_LIST, 40, 0xf },
		{ KDBUS_CMD_SEND, 56, 0x1 },
		{ KDBUS_CMD_RECV, 64, 0x7 },
		{ KDBUS_CMD_NAME_ACQUIRE, 24, 0x7 },
		{ KDBUS_CMD_NAME_RELEASE, 24, 0x0 },
		{ KDBUS_CMD_MATCH_ADD, 32, 0x1 },
		{ KDBUS_CMD_MATCH_REMOVE, 32, 0x0 },
	};
	const struct kdbus_cmd_spec *spec;
	u64 types[6];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		spec = kdbus_cmd_spec_find(cmds[i].cmd);
		KUNIT_ASSERT_NOT_NULL(test, spec);
		KUNIT_EXPECT_EQ(test, cmds[i].mask, spec->allowed_flags);
		KUNIT_EXPECT_EQ(test, cmds[i].fixed_size, spec->fixed_size);
		KUNIT_EXPECT_LE(test, spec->argc, KDBUS_ARGS_MAX);
		/* NEGOTIATE is accepted everywhere */
		KUNIT_EXPECT_EQ(test, spec->argv[0].type,
				(u64)KDBUS_ITEM_NEGOTIATE);
	}

	KUNIT_EXPECT_NULL(test, kdbus_cmd_spec_find(0));
	KUNIT_EXPECT_NULL(test, kdbus_cmd_spec_find(_IOW(KDBUS_IOCTL_MAGIC,
							 0x01,
							 struct kdbus_cmd)));

	spec = kdbus_cmd_spec_find(KDBUS_CMD_BUS_MAKE);
	types[0] = KDBUS_ITEM_MAKE_NAME;
	types[1] = KDBUS_ITEM_NAME;
	types[2] = KDBUS_ITEM_NEGOTIATE;
	types[3] = KDBUS_ITEM_BLOOM_PARAMETER;
	types[4] = 0xdeadbeef;
	types[5] = 0;
	KUNIT_EXPECT_TRUE(test, kdbus_negotiate_filter(spec, types, 6));
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_ITEM_MAKE_NAME, types[0]);
	KUNIT_EXPECT_EQ(test, 0ULL, types[1]);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_ITEM_NEGOTIATE, types[2]);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_ITEM_BLOOM_PARAMETER, types[3]);
	KUNIT_EXPECT_EQ(test, 0ULL, types[4]);
	KUNIT_EXPECT_EQ(test, 0ULL, types[5]);
	KUNIT_EXPECT_FALSE(test, kdbus_negotiate_filter(spec, types, 6));
}

static void kdbus_test_args(struct kunit *test)
{
	struct kdbus_test_buf *b;
	struct kdbus_args args;
	struct kdbus_item *item;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);

	/* a valid BUS_MAKE argument */
	kdbus_test_bus_make_args(b);
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));
	item = kdbus_args_item(&args, KDBUS_ITEM_MAKE_NAME);
	KUNIT_ASSERT_NOT_NULL(test, item);
	KUNIT_EXPECT_STREQ(test, "0-foo", (char *)kdbus_item_payload(item));
	KUNIT_EXPECT_NOT_NULL(test,
			      kdbus_args_item(&args,
					      KDBUS_ITEM_BLOOM_PARAMETER));
	KUNIT_EXPECT_NULL(test,
			  kdbus_args_item(&args, KDBUS_ITEM_ATTACH_FLAGS_SEND));
	KUNIT_EXPECT_NULL(test, kdbus_args_item(&args, KDBUS_ITEM_NAME));

	/* flags: allowed, negotiate, unknown */
	((struct kdbus_cmd *)b->data)->flags = KDBUS_MAKE_ACCESS_WORLD |
					       KDBUS_FLAG_NEGOTIATE;
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));
	((struct kdbus_cmd *)b->data)->flags = 1ULL << 2;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));
	((struct kdbus_cmd *)b->data)->flags = 1ULL << 32;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_test_check(b, KDBUS_CMD_HELLO, &args));

	/* optional single items, then a duplicate */
	kdbus_test_bus_make_args(b);
	kdbus_test_add_u64(b, KDBUS_ITEM_ATTACH_FLAGS_SEND, 0);
	kdbus_test_add_u64(b, KDBUS_ITEM_ATTACH_FLAGS_RECV, 0);
	kdbus_test_add(b, KDBUS_ITEM_NEGOTIATE, NULL, 0);
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));
	kdbus_test_add_u64(b, KDBUS_ITEM_ATTACH_FLAGS_RECV, 0);
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));

	/* missing mandatory item */
	kdbus_test_init(b, sizeof(struct kdbus_cmd), 0);
	kdbus_test_add_str(b, KDBUS_ITEM_MAKE_NAME, "0-foo");
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_test_check(b, KDBUS_CMD_ENDPOINT_MAKE, &args));

	/* item type not accepted by the command */
	kdbus_test_bus_make_args(b);
	kdbus_test_add_str(b, KDBUS_ITEM_NAME, "foo.bar");
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));

	/* step 7 (unaccepted type) runs before step 8 (payload) */
	kdbus_test_init(b, sizeof(struct kdbus_cmd), 0);
	item = kdbus_test_add(b, KDBUS_ITEM_MAKE_NAME, NULL, 65);
	memset(kdbus_item_payload(item), 'x', 64);
	kdbus_test_add_str(b, KDBUS_ITEM_NAME, "foo.bar");
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_test_check(b, KDBUS_CMD_ENDPOINT_MAKE, &args));
	kdbus_test_init(b, sizeof(struct kdbus_cmd), 0);
	item = kdbus_test_add(b, KDBUS_ITEM_MAKE_NAME, NULL, 65);
	memset(kdbus_item_payload(item), 'x', 64);
	KUNIT_EXPECT_EQ(test, -ENAMETOOLONG,
			kdbus_test_check(b, KDBUS_CMD_ENDPOINT_MAKE, &args));

	/* step 8 (payload) runs before step 9 (duplicates) */
	kdbus_test_bus_make_args(b);
	kdbus_test_add_str(b, KDBUS_ITEM_MAKE_NAME, "0-bar");
	item = kdbus_test_add(b, KDBUS_ITEM_MAKE_NAME, NULL, 65);
	memset(kdbus_item_payload(item), 'x', 64);
	KUNIT_EXPECT_EQ(test, -ENAMETOOLONG,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));

	/* multi items, and the first one is reported */
	kdbus_test_init(b, sizeof(struct kdbus_cmd), 0);
	kdbus_test_add_str(b, KDBUS_ITEM_NAME, "foo.bar");
	kdbus_test_add(b, KDBUS_ITEM_POLICY_ACCESS, NULL,
		       sizeof(struct kdbus_policy_access));
	kdbus_test_add_str(b, KDBUS_ITEM_NAME, "foo.baz");
	kdbus_test_add(b, KDBUS_ITEM_POLICY_ACCESS, NULL,
		       sizeof(struct kdbus_policy_access));
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_test_check(b, KDBUS_CMD_ENDPOINT_UPDATE, &args));
	item = kdbus_args_item(&args, KDBUS_ITEM_NAME);
	KUNIT_ASSERT_NOT_NULL(test, item);
	KUNIT_EXPECT_STREQ(test, "foo.bar", (char *)kdbus_item_payload(item));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_test_check(b, KDBUS_CMD_CONN_INFO, &args));

	/* broken tiling in the tail */
	kdbus_test_bus_make_args(b);
	b->size += 8;
	((struct kdbus_cmd *)b->data)->size = b->size;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));

	/* the fixed part of larger commands is not parsed as items */
	kdbus_test_init(b, sizeof(struct kdbus_cmd_hello), 0);
	memset((u8 *)b->data + 24, 0xff, sizeof(struct kdbus_cmd_hello) - 24);
	KUNIT_EXPECT_EQ(test, 0, kdbus_test_check(b, KDBUS_CMD_HELLO, &args));
	KUNIT_EXPECT_EQ(test, 0UL, args.items_size);
}

static struct kunit_case kdbus_item_test_cases[] = {
	KUNIT_CASE(kdbus_test_tiling),
	KUNIT_CASE(kdbus_test_payloads),
	KUNIT_CASE(kdbus_test_attach_flags),
	KUNIT_CASE(kdbus_test_negotiate),
	KUNIT_CASE(kdbus_test_args),
	{}
};

static struct kunit_suite kdbus_item_test_suite = {
	.name = "kdbus_item",
	.test_cases = kdbus_item_test_cases,
};

kunit_test_suite(kdbus_item_test_suite);
