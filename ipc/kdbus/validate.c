// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - name validation
 */

#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "limits.h"
#include "validate.h"

static bool kdbus_is_ascii_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool kdbus_is_ascii_digit(char c)
{
	return c >= '0' && c <= '9';
}

/**
 * kdbus_sysname_validate() - check the syntax of a bus or endpoint name
 * @name:	The name; need not be NUL-terminated
 * @len:	Length of @name in bytes, terminating NUL not included
 *
 * A sysname consists of 1 to KDBUS_SYSNAME_MAX_LEN ASCII letters, digits
 * and '_'; '-' and '.' are allowed too, but not as the first or the last
 * character. The same rules apply to connection descriptions.
 *
 * Return: 0 if valid, -ENAMETOOLONG if too long, -EINVAL otherwise.
 */
int kdbus_sysname_validate(const char *name, size_t len)
{
	size_t i;

	if (len == 0)
		return -EINVAL;
	if (len > KDBUS_SYSNAME_MAX_LEN)
		return -ENAMETOOLONG;

	for (i = 0; i < len; i++) {
		char c = name[i];

		if (kdbus_is_ascii_alpha(c) || kdbus_is_ascii_digit(c) ||
		    c == '_')
			continue;
		if ((c == '-' || c == '.') && i > 0 && i < len - 1)
			continue;
		return -EINVAL;
	}

	return 0;
}

/**
 * kdbus_sysname_check_prefix() - check the uid prefix of a sysname
 * @name:	NUL-terminated name, already syntax-checked
 * @ns:		User namespace of the domain
 * @euid:	Effective uid of the caller
 *
 * Names of buses and custom endpoints must start with the decimal value
 * of the caller's effective uid, as seen in the domain's user namespace,
 * followed by '-'.
 *
 * Return: 0 if the prefix is right, -EINVAL if not or if @euid has no
 * mapping in @ns.
 */
int kdbus_sysname_check_prefix(const char *name, struct user_namespace *ns,
			       kuid_t euid)
{
	char prefix[16];
	uid_t uid;
	int n;

	uid = from_kuid(ns, euid);
	if (uid == (uid_t)-1)
		return -EINVAL;

	n = snprintf(prefix, sizeof(prefix), "%u-", uid);
	if (strncmp(name, prefix, n))
		return -EINVAL;

	return 0;
}

/**
 * kdbus_name_is_valid() - check the syntax of a well-known name
 * @name:		NUL-terminated name
 * @allow_wildcard:	Whether the last element may be "*" (policy names)
 *
 * A well-known name has at least two elements separated by '.', each made
 * of ASCII letters, digits, '_' and '-', not starting with a digit, and
 * is at most KDBUS_NAME_MAX_LEN characters long. With @allow_wildcard, the
 * last element may be exactly "*" (it counts as an element).
 *
 * Return: true if @name is valid.
 */
bool kdbus_name_is_valid(const char *name, bool allow_wildcard)
{
	size_t i, len, elements = 1;
	bool elem_start = true;

	len = strnlen(name, KDBUS_NAME_MAX_LEN + 1);
	if (len == 0 || len > KDBUS_NAME_MAX_LEN)
		return false;

	if (allow_wildcard && len >= 2 &&
	    name[len - 2] == '.' && name[len - 1] == '*') {
		len -= 2;
		elements++;
	}

	for (i = 0; i < len; i++) {
		char c = name[i];

		if (c == '.') {
			if (elem_start)
				return false;
			elem_start = true;
			elements++;
			continue;
		}

		if (kdbus_is_ascii_digit(c)) {
			if (elem_start)
				return false;
		} else if (!kdbus_is_ascii_alpha(c) && c != '_' && c != '-') {
			return false;
		}

		elem_start = false;
	}

	/* empty last element (or nothing before ".*") */
	if (elem_start)
		return false;

	return elements >= 2;
}

#if IS_ENABLED(CONFIG_KDBUS_KUNIT_TEST)
#include "validate_test.c"
#endif
