/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unit-test - the failure counting shared by the host unit tests
 * (make check); header-only, include it once per test program.
 */

#ifndef KDBUS_UNIT_TEST_H
#define KDBUS_UNIT_TEST_H

#include <stdio.h>

/* Number of failed checks so far */
static int failures;

/* count a failure and print the printf-style message if @cond is false */
#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			failures++;					\
			printf("FAIL %s:%d: ", __FILE__, __LINE__);	\
			printf(__VA_ARGS__);				\
			printf("\n");					\
		}							\
	} while (0)

/**
 * test_summary() - print the result of test program @name
 * @name:	Program name, e.g. "bloom-test"
 *
 * Return: the exit status of the program, 0 if all checks passed.
 */
static inline int test_summary(const char *name)
{
	if (failures) {
		printf("%s: %d failure(s)\n", name, failures);
		return 1;
	}
	printf("%s: all tests passed\n", name);
	return 0;
}

#endif /* KDBUS_UNIT_TEST_H */
