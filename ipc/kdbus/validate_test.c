// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - KUnit tests of name validation
 *
 * Included at the end of names.c when CONFIG_KDBUS_KUNIT_TEST is set, so
 * the tests reach its static functions.
 */

static void kdbus_test_sysname(struct kunit *test)
{
	static const char ok63[] =
		"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
	static const char x64[] =
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	static const struct {
		const char *name;
		int ret;
	} cases[] = {
		{ "a", 0 },
		{ "1000-foo", 0 },
		{ "0-a.b_c-d", 0 },
		{ "_", 0 },
		{ "", -EINVAL },
		{ "-foo", -EINVAL },
		{ "foo-", -EINVAL },
		{ ".foo", -EINVAL },
		{ "foo.", -EINVAL },
		{ "-", -EINVAL },
		{ "1000-f@o", -EINVAL },
		{ "1000-f/o", -EINVAL },
		{ "1000-f o", -EINVAL },
		{ "1000-\xc3\xa4", -EINVAL },
	};
	char buf[80];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, cases[i].ret,
				    kdbus_sysname_validate(cases[i].name,
							   strlen(cases[i].name)),
				    "name \"%s\"", cases[i].name);

	KUNIT_ASSERT_EQ(test, strlen(ok63), 63);
	KUNIT_ASSERT_EQ(test, strlen(x64), 64);
	KUNIT_EXPECT_EQ(test, 0, kdbus_sysname_validate(ok63, 63));
	KUNIT_EXPECT_EQ(test, 0, kdbus_sysname_validate(x64, 63));
	KUNIT_EXPECT_EQ(test, -ENAMETOOLONG, kdbus_sysname_validate(x64, 64));
	/* too long wins over bad characters */
	memcpy(buf, x64, 64);
	buf[0] = '-';
	buf[64] = '-';
	KUNIT_EXPECT_EQ(test, -ENAMETOOLONG, kdbus_sysname_validate(buf, 65));
}

static void kdbus_test_sysname_prefix(struct kunit *test)
{
	struct user_namespace *ns = &init_user_ns;

	KUNIT_EXPECT_EQ(test, 0,
			kdbus_sysname_check_prefix("0-foo", ns, GLOBAL_ROOT_UID));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_sysname_check_prefix("00-foo", ns,
						   GLOBAL_ROOT_UID));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_sysname_check_prefix("0foo", ns, GLOBAL_ROOT_UID));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_sysname_check_prefix("foo", ns, GLOBAL_ROOT_UID));
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_sysname_check_prefix("1000-foo", ns,
						   KUIDT_INIT(1000)));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_sysname_check_prefix("100-foo", ns,
						   KUIDT_INIT(1000)));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_sysname_check_prefix("1001-foo", ns,
						   KUIDT_INIT(1000)));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_sysname_check_prefix("10000-foo", ns,
						   KUIDT_INIT(1000)));
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_sysname_check_prefix("4294967294-x", ns,
						   KUIDT_INIT(4294967294U)));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_sysname_check_prefix("4294967295-x", ns,
						   INVALID_UID));
}

static void kdbus_test_name(struct kunit *test)
{
	static const struct {
		const char *name;
		bool valid;
		bool valid_wildcard;
	} cases[] = {
		{ "foo.bar", true, true },
		{ "foo.bar.baz", true, true },
		{ "a.b", true, true },
		{ "_foo.-bar", true, true },
		{ "foo.b1", true, true },
		{ "Foo_1.Bar-2", true, true },
		{ ".bar.baz", false, false },
		{ ".bla.blaz", false, false },
		{ "foo", false, false },
		{ "foo..bar", false, false },
		{ "foo.", false, false },
		{ "foo.1a", false, false },
		{ "1foo.bar", false, false },
		{ "foo.b@r", false, false },
		{ "foo.b r", false, false },
		{ "foo.bar.*", false, true },
		{ "foo.*", false, true },
		{ "foo.bla.bl.*", false, true },
		{ ".*", false, false },
		{ "*", false, false },
		{ "foo.*.bar", false, false },
		{ "foo.bar*", false, false },
		{ "foo..*", false, false },
		{ "", false, false },
	};
	char buf[KDBUS_NAME_MAX_LEN + 2];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		KUNIT_EXPECT_EQ_MSG(test, cases[i].valid,
				    kdbus_name_is_valid(cases[i].name, false),
				    "name \"%s\"", cases[i].name);
		KUNIT_EXPECT_EQ_MSG(test, cases[i].valid_wildcard,
				    kdbus_name_is_valid(cases[i].name, true),
				    "wildcard name \"%s\"", cases[i].name);
	}

	/* 255 characters are fine, 256 are not */
	memset(buf, 'a', sizeof(buf));
	buf[1] = '.';
	buf[KDBUS_NAME_MAX_LEN] = '\0';
	KUNIT_EXPECT_TRUE(test, kdbus_name_is_valid(buf, false));
	buf[KDBUS_NAME_MAX_LEN] = 'a';
	buf[KDBUS_NAME_MAX_LEN + 1] = '\0';
	KUNIT_EXPECT_FALSE(test, kdbus_name_is_valid(buf, false));
	KUNIT_EXPECT_FALSE(test, kdbus_name_is_valid(buf, true));
}

static struct kunit_case kdbus_validate_test_cases[] = {
	KUNIT_CASE(kdbus_test_sysname),
	KUNIT_CASE(kdbus_test_sysname_prefix),
	KUNIT_CASE(kdbus_test_name),
	{}
};

static struct kunit_suite kdbus_validate_test_suite = {
	.name = "kdbus_validate",
	.test_cases = kdbus_validate_test_cases,
};

kunit_test_suite(kdbus_validate_test_suite);
