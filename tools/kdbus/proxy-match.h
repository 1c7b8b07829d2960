/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proxy-match - D-Bus match rules: parser, matcher, and their translation
 * to kdbus matches (bloom masks, sender items, notification items)
 */

#ifndef PROXY_MATCH_H
#define PROXY_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <dbus/dbus.h>

#define MATCH_MAX_ARGS		64
#define MATCH_MAX_RULE_LEN	1024

#define DRIVER_NAME		"org.freedesktop.DBus"
#define DRIVER_PATH		"/org/freedesktop/DBus"
#define DRIVER_IFACE		"org.freedesktop.DBus"

enum match_arg_kind {
	MATCH_ARG_NONE,
	MATCH_ARG_STRING,	/* argN= */
	MATCH_ARG_PATH,		/* argNpath= */
	MATCH_ARG_NAMESPACE,	/* arg0namespace= */
};

struct match_arg {
	enum match_arg_kind kind;
	char *value;
};

struct match_rule {
	int type;		/* DBUS_MESSAGE_TYPE_*, INVALID = any */
	char *sender;
	char *interface;
	char *member;
	char *path;
	char *path_namespace;
	char *destination;
	int eavesdrop;		/* -1 unset, 0, 1 */
	unsigned int n_args;	/* highest argument index used + 1 */
	struct match_arg args[MATCH_MAX_ARGS];
};

/* callback: does the connection @unique own @name right now? */
typedef bool (*match_owner_fn)(void *data, const char *name,
			       const char *unique);

/* callback: install one kdbus match made of @size bytes of @items */
typedef int (*match_add_fn)(void *data, const void *items, size_t size);

int match_rule_parse(const char *text, struct match_rule **rule,
		     char *err, size_t err_size);
void match_rule_free(struct match_rule *rule);
bool match_rule_equal(const struct match_rule *a,
		      const struct match_rule *b);
bool match_rule_matches(const struct match_rule *rule, DBusMessage *msg,
			match_owner_fn owner, void *data);
int match_rule_to_kdbus(const struct match_rule *rule, size_t bloom_size,
			unsigned int n_hash, match_add_fn add, void *data);
void match_bloom_message(DBusMessage *msg, uint64_t *filter, size_t size,
			 unsigned int n_hash);

#endif /* PROXY_MATCH_H */
