/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - name validation
 *
 * Syntax checks for the names of buses, endpoints and connection
 * descriptions ("sysnames") and for well-known bus names. Pure functions
 * without state.
 */

#ifndef __KDBUS_VALIDATE_H
#define __KDBUS_VALIDATE_H

#include <linux/types.h>
#include <linux/uidgid.h>

struct user_namespace;

int kdbus_sysname_validate(const char *name, size_t len);
int kdbus_sysname_check_prefix(const char *name, struct user_namespace *ns,
			       kuid_t euid);
bool kdbus_name_is_valid(const char *name, bool allow_wildcard);

#endif /* __KDBUS_VALIDATE_H */
