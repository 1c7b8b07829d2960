// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for memfd_get_seals()
 *
 * This file is included by mm/memfd.c so that the tests can prepare a
 * file exactly as memfd_create() does, through memfd_file_seals_ptr().
 */

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/shmem_fs.h>

static struct file *memfd_kunit_shmem(struct kunit *test, bool sealable)
{
	struct file *file;

	file = shmem_file_setup("memfd-kunit", PAGE_SIZE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	if (sealable)
		*memfd_file_seals_ptr(file) &= ~F_SEAL_SEAL;
	return file;
}

/* A file created without MFD_ALLOW_SEALING carries F_SEAL_SEAL only. */
static void memfd_get_seals_unsealable(struct kunit *test)
{
	struct file *file = memfd_kunit_shmem(test, false);

	KUNIT_EXPECT_EQ(test, memfd_get_seals(file), F_SEAL_SEAL);
	KUNIT_EXPECT_EQ(test, memfd_fcntl(file, F_GET_SEALS, 0),
			(long)F_SEAL_SEAL);
	KUNIT_EXPECT_EQ(test, memfd_add_seals(file, F_SEAL_WRITE), -EPERM);
	KUNIT_EXPECT_EQ(test, memfd_get_seals(file), F_SEAL_SEAL);
	fput(file);
}

/* Seals added one by one are reported exactly, as F_GET_SEALS does. */
static void memfd_get_seals_added(struct kunit *test)
{
	struct file *file = memfd_kunit_shmem(test, true);
	unsigned int want = 0;
	static const unsigned int steps[] = {
		F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE, F_SEAL_SEAL,
	};
	int i;

	KUNIT_EXPECT_EQ(test, memfd_get_seals(file), 0);
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		KUNIT_ASSERT_EQ(test, memfd_add_seals(file, steps[i]), 0);
		want |= steps[i];
		KUNIT_EXPECT_EQ(test, memfd_get_seals(file), (int)want);
		KUNIT_EXPECT_EQ(test, memfd_fcntl(file, F_GET_SEALS, 0),
				(long)want);
	}
	/* F_SEAL_SEAL is in place now: nothing changes any more. */
	KUNIT_EXPECT_EQ(test, memfd_add_seals(file, F_SEAL_EXEC), -EPERM);
	KUNIT_EXPECT_EQ(test, memfd_get_seals(file), (int)want);
	fput(file);
}

static const struct file_operations memfd_kunit_fops = {
	.owner = THIS_MODULE,
};

/* A file that is neither shmem nor hugetlbfs has no seals at all. */
static void memfd_get_seals_not_memfd(struct kunit *test)
{
	struct file *file;

	file = anon_inode_getfile("memfd-kunit", &memfd_kunit_fops, NULL,
				  O_RDWR);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_EXPECT_EQ(test, memfd_get_seals(file), -EINVAL);
	KUNIT_EXPECT_EQ(test, memfd_fcntl(file, F_GET_SEALS, 0), -EINVAL);
	fput(file);
}

static struct kunit_case memfd_seals_test_cases[] = {
	KUNIT_CASE(memfd_get_seals_unsealable),
	KUNIT_CASE(memfd_get_seals_added),
	KUNIT_CASE(memfd_get_seals_not_memfd),
	{}
};

static struct kunit_suite memfd_seals_test_suite = {
	.name = "memfd_seals",
	.test_cases = memfd_seals_test_cases,
};

kunit_test_suite(memfd_seals_test_suite);
