// SPDX-License-Identifier: GPL-2.0
/*
 * proxy-match - D-Bus match rules for the kdbus proxy
 *
 * The parser follows the D-Bus specification ("Match Rules") and the
 * reference bus daemon: comma-separated key=value pairs; a value may be
 * quoted with apostrophes, inside which backslash is literal; outside
 * quotes \' is a literal apostrophe and any other backslash is literal.
 *
 * A parsed rule is translated to kdbus matches (bloom mask + sender item
 * for ordinary signals, notification items for NameOwnerChanged); bloom
 * filters are approximate, so every signal is re-checked against the full
 * rule with match_rule_matches() before it reaches a client.
 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kdbus.h>

#include "kdbus-bloom.h"
#include "kdbus-lib.h"
#include "proxy-match.h"

#define ERR(...)	snprintf(err, err_size, __VA_ARGS__)

enum {
	KEY_TYPE		= 1 << 0,
	KEY_SENDER		= 1 << 1,
	KEY_INTERFACE		= 1 << 2,
	KEY_MEMBER		= 1 << 3,
	KEY_PATH		= 1 << 4,
	KEY_PATH_NAMESPACE	= 1 << 5,
	KEY_DESTINATION		= 1 << 6,
	KEY_EAVESDROP		= 1 << 7,
};

/**
 * match_rule_free() - free a parsed rule
 * @rule:	Rule or NULL
 */
void match_rule_free(struct match_rule *rule)
{
	unsigned int i;

	if (!rule)
		return;
	free(rule->sender);
	free(rule->interface);
	free(rule->member);
	free(rule->path);
	free(rule->path_namespace);
	free(rule->destination);
	for (i = 0; i < MATCH_MAX_ARGS; i++)
		free(rule->args[i].value);
	free(rule);
}

/* a bus namespace: a well-known bus name that may have a single element */
static bool valid_namespace(const char *ns)
{
	size_t len = strlen(ns);
	char *tmp;
	bool ok;

	if (!len || ns[0] == ':' || len > 253)
		return false;
	tmp = malloc(len + 3);
	if (!tmp)
		return false;
	memcpy(tmp, ns, len);
	memcpy(tmp + len, ".x", 3);
	ok = dbus_validate_bus_name(tmp, NULL);
	free(tmp);
	return ok;
}

/*
 * Read one value starting at *pp into a new string; advance *pp past the
 * terminating comma (if any). Returns NULL with @err set on error.
 */
static char *parse_value(const char **pp, char *err, size_t err_size)
{
	const char *p = *pp;
	char quote = 0;
	size_t n = 0;
	char *out;

	out = malloc(strlen(p) * 2 + 2);
	if (!out) {
		ERR("Out of memory");
		return NULL;
	}

	for (; *p; p++) {
		if (quote == 0) {
			if (*p == '\'') {
				quote = '\'';
			} else if (*p == ',') {
				p++;
				break;
			} else if (*p == '\\') {
				quote = '\\';
			} else {
				out[n++] = *p;
			}
		} else if (quote == '\\') {
			/* backslash only escapes an apostrophe */
			if (*p != '\'')
				out[n++] = '\\';
			out[n++] = *p;
			quote = 0;
		} else {
			if (*p == '\'')
				quote = 0;
			else
				out[n++] = *p;
		}
	}

	if (quote == '\\') {
		out[n++] = '\\';
	} else if (quote == '\'') {
		ERR("Unbalanced quotation marks in match rule");
		free(out);
		return NULL;
	}

	out[n] = 0;
	*pp = p;
	return out;
}

/* parse "argN", "argNpath", "arg0namespace"; returns argument number */
static int parse_arg_key(const char *key, size_t len,
			 enum match_arg_kind *kind)
{
	const char *p = key + 3;
	const char *end = key + len;
	int n = 0, digits = 0;

	if (len < 4 || strncmp(key, "arg", 3) != 0)
		return -1;
	while (p < end && isdigit((unsigned char)*p) && digits < 3) {
		n = n * 10 + (*p - '0');
		p++;
		digits++;
	}
	if (!digits || n >= MATCH_MAX_ARGS)
		return -1;

	if (p == end)
		*kind = MATCH_ARG_STRING;
	else if ((size_t)(end - p) == 4 && !strncmp(p, "path", 4))
		*kind = MATCH_ARG_PATH;
	else if ((size_t)(end - p) == 9 && !strncmp(p, "namespace", 9) &&
		 n == 0)
		*kind = MATCH_ARG_NAMESPACE;
	else
		return -1;
	return n;
}

/* the key of @klen bytes at @key equals @name */
static bool key_is(const char *key, size_t klen, const char *name)
{
	return klen == strlen(name) && !strncmp(key, name, klen);
}

static int set_key(struct match_rule *r, const char *key, size_t klen,
		   char *value, unsigned int *seen, char *err,
		   size_t err_size)
{
	enum match_arg_kind kind;
	char **slot = NULL;
	unsigned int bit = 0;
	int n;

	if (key_is(key, klen, "type")) {
		bit = KEY_TYPE;
	} else if (key_is(key, klen, "sender")) {
		bit = KEY_SENDER;
		slot = &r->sender;
	} else if (key_is(key, klen, "interface")) {
		bit = KEY_INTERFACE;
		slot = &r->interface;
	} else if (key_is(key, klen, "member")) {
		bit = KEY_MEMBER;
		slot = &r->member;
	} else if (key_is(key, klen, "path")) {
		bit = KEY_PATH;
		slot = &r->path;
	} else if (key_is(key, klen, "path_namespace")) {
		bit = KEY_PATH_NAMESPACE;
		slot = &r->path_namespace;
	} else if (key_is(key, klen, "destination")) {
		bit = KEY_DESTINATION;
		slot = &r->destination;
	} else if (key_is(key, klen, "eavesdrop")) {
		bit = KEY_EAVESDROP;
	}

	if (bit) {
		if (*seen & bit) {
			ERR("Key %.*s specified twice in match rule",
			    (int)klen, key);
			return -EINVAL;
		}
		*seen |= bit;
	}

	switch (bit) {
	case KEY_TYPE:
		r->type = dbus_message_type_from_string(value);
		if (r->type == DBUS_MESSAGE_TYPE_INVALID) {
			ERR("Invalid message type \"%s\" in match rule",
			    value);
			return -EINVAL;
		}
		free(value);
		return 0;
	case KEY_EAVESDROP:
		if (!strcmp(value, "true")) {
			r->eavesdrop = 1;
		} else if (!strcmp(value, "false")) {
			r->eavesdrop = 0;
		} else {
			ERR("eavesdrop='%s' is invalid, must be 'true' or 'false'",
			    value);
			return -EINVAL;
		}
		free(value);
		return 0;
	case KEY_SENDER:
	case KEY_DESTINATION:
		if (!dbus_validate_bus_name(value, NULL)) {
			ERR("Bus name '%s' is invalid", value);
			return -EINVAL;
		}
		break;
	case KEY_INTERFACE:
		if (!dbus_validate_interface(value, NULL)) {
			ERR("Interface name '%s' is invalid", value);
			return -EINVAL;
		}
		break;
	case KEY_MEMBER:
		if (!dbus_validate_member(value, NULL)) {
			ERR("Member name '%s' is invalid", value);
			return -EINVAL;
		}
		break;
	case KEY_PATH:
	case KEY_PATH_NAMESPACE:
		if (!dbus_validate_path(value, NULL)) {
			ERR("Path '%s' is invalid", value);
			return -EINVAL;
		}
		break;
	}

	if (slot) {
		*slot = value;
		return 0;
	}

	n = parse_arg_key(key, klen, &kind);
	if (n < 0) {
		ERR("Unknown key \"%.*s\" in match rule", (int)klen, key);
		return -EINVAL;
	}
	if (r->args[n].kind != MATCH_ARG_NONE) {
		ERR("Argument %d matched more than once in match rule", n);
		return -EINVAL;
	}
	if (kind == MATCH_ARG_NAMESPACE && !valid_namespace(value)) {
		ERR("arg0namespace='%s' is not a valid prefix of a bus name",
		    value);
		return -EINVAL;
	}
	r->args[n].kind = kind;
	r->args[n].value = value;
	if ((unsigned int)n + 1 > r->n_args)
		r->n_args = n + 1;
	return 0;
}

/**
 * match_rule_parse() - parse a D-Bus match rule
 * @text:	The rule, e.g. "type='signal',interface='org.foo'"
 * @rule:	Output: the new rule
 * @err:	Output: error message on failure
 * @err_size:	Size of @err
 *
 * Return: 0, -EINVAL for an invalid rule (MatchRuleInvalid), -ENOMEM.
 */
int match_rule_parse(const char *text, struct match_rule **rule, char *err,
		     size_t err_size)
{
	struct match_rule *r;
	unsigned int seen = 0;
	const char *p = text;
	int ret;

	if (strlen(text) > MATCH_MAX_RULE_LEN) {
		ERR("Match rule text is %zu bytes, maximum is %d",
		    strlen(text), MATCH_MAX_RULE_LEN);
		return -EINVAL;
	}

	r = calloc(1, sizeof(*r));
	if (!r) {
		ERR("Out of memory");
		return -ENOMEM;
	}
	r->eavesdrop = -1;

	while (*p) {
		const char *key;
		size_t klen;
		char *value;

		while (*p && isspace((unsigned char)*p))
			p++;
		key = p;
		while (*p && *p != '=' && !isspace((unsigned char)*p))
			p++;
		klen = p - key;
		while (*p && isspace((unsigned char)*p))
			p++;
		if (klen == 0) {
			if (*p) {
				ERR("Match rule has a key with no name");
				ret = -EINVAL;
				goto fail;
			}
			break;
		}
		if (*p != '=') {
			ERR("Match rule has a key with no subsequent '=' character");
			ret = -EINVAL;
			goto fail;
		}
		p++;

		value = parse_value(&p, err, err_size);
		if (!value) {
			ret = -EINVAL;
			goto fail;
		}
		ret = set_key(r, key, klen, value, &seen, err, err_size);
		if (ret < 0) {
			free(value);
			goto fail;
		}
	}

	if (r->path && r->path_namespace) {
		ERR("path and path_namespace cannot both appear in a match rule");
		ret = -EINVAL;
		goto fail;
	}

	*rule = r;
	return 0;

fail:
	match_rule_free(r);
	return ret;
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

/**
 * match_rule_equal() - are two rules the same rule (for RemoveMatch)?
 * @a:		Rule
 * @b:		Rule
 *
 * Return: true if all keys and values are equal.
 */
bool match_rule_equal(const struct match_rule *a, const struct match_rule *b)
{
	unsigned int i;

	if (a->type != b->type || a->eavesdrop != b->eavesdrop ||
	    a->n_args != b->n_args)
		return false;
	if (!str_eq(a->sender, b->sender) ||
	    !str_eq(a->interface, b->interface) ||
	    !str_eq(a->member, b->member) || !str_eq(a->path, b->path) ||
	    !str_eq(a->path_namespace, b->path_namespace) ||
	    !str_eq(a->destination, b->destination))
		return false;
	for (i = 0; i < a->n_args; i++)
		if (a->args[i].kind != b->args[i].kind ||
		    !str_eq(a->args[i].value, b->args[i].value))
			return false;
	return true;
}

/* @path equals @ns or lies below it */
static bool path_in_namespace(const char *path, const char *ns)
{
	size_t len = strlen(ns);

	if (!strcmp(ns, "/"))
		return true;
	return !strncmp(path, ns, len) && (path[len] == 0 || path[len] == '/');
}

/* D-Bus argNpath: equal, or one is a '/'-terminated prefix of the other */
static bool arg_path_matches(const char *value, const char *rule)
{
	size_t lv = strlen(value), lr = strlen(rule);

	if (!strcmp(value, rule))
		return true;
	if (lr && rule[lr - 1] == '/' && lv > lr && !strncmp(value, rule, lr))
		return true;
	if (lv && value[lv - 1] == '/' && lr > lv && !strncmp(value, rule, lv))
		return true;
	return false;
}

static bool args_match(const struct match_rule *r, DBusMessage *msg)
{
	DBusMessageIter it;
	unsigned int i;
	bool have;

	have = dbus_message_iter_init(msg, &it);
	for (i = 0; i < r->n_args; i++) {
		const struct match_arg *a = &r->args[i];
		const char *value = NULL;
		int type = have ? dbus_message_iter_get_arg_type(&it) :
				  DBUS_TYPE_INVALID;

		if (a->kind != MATCH_ARG_NONE) {
			if (type == DBUS_TYPE_STRING ||
			    (type == DBUS_TYPE_OBJECT_PATH &&
			     a->kind == MATCH_ARG_PATH))
				dbus_message_iter_get_basic(&it, &value);
			if (!value)
				return false;

			switch (a->kind) {
			case MATCH_ARG_STRING:
				if (strcmp(value, a->value))
					return false;
				break;
			case MATCH_ARG_PATH:
				if (!arg_path_matches(value, a->value))
					return false;
				break;
			case MATCH_ARG_NAMESPACE:
				if (strncmp(value, a->value,
					    strlen(a->value)) ||
				    (value[strlen(a->value)] != 0 &&
				     value[strlen(a->value)] != '.'))
					return false;
				break;
			default:
				break;
			}
		}
		if (have)
			have = dbus_message_iter_next(&it);
	}
	return true;
}

/**
 * match_rule_matches() - full D-Bus match of a rule against a message
 * @rule:	Rule
 * @msg:	Message with sender and destination already set by the proxy
 * @owner:	Callback deciding well-known sender names (may be NULL)
 * @data:	Callback data
 *
 * Return: true if the message matches.
 */
bool match_rule_matches(const struct match_rule *rule, DBusMessage *msg,
			match_owner_fn owner, void *data)
{
	const char *s;

	if (rule->type != DBUS_MESSAGE_TYPE_INVALID &&
	    rule->type != dbus_message_get_type(msg))
		return false;

	if (rule->sender) {
		s = dbus_message_get_sender(msg);
		if (!s)
			return false;
		if (rule->sender[0] == ':' ||
		    !strcmp(rule->sender, DRIVER_NAME)) {
			if (strcmp(s, rule->sender))
				return false;
		} else if (!strcmp(s, DRIVER_NAME) || !owner ||
			   !owner(data, rule->sender, s)) {
			return false;
		}
	}

	if (rule->interface && !str_eq(rule->interface,
				       dbus_message_get_interface(msg)))
		return false;
	if (rule->member && !str_eq(rule->member,
				    dbus_message_get_member(msg)))
		return false;
	if (rule->path && !str_eq(rule->path, dbus_message_get_path(msg)))
		return false;
	if (rule->path_namespace) {
		s = dbus_message_get_path(msg);
		if (!s || !path_in_namespace(s, rule->path_namespace))
			return false;
	}
	s = dbus_message_get_destination(msg);
	if (rule->destination && !str_eq(rule->destination, s))
		return false;

	return args_match(rule, msg);
}

/* could @rule match a NameOwnerChanged signal of the bus driver? */
static bool rule_wants_name_owner_changed(const struct match_rule *r)
{
	unsigned int i;

	if (r->type != DBUS_MESSAGE_TYPE_INVALID &&
	    r->type != DBUS_MESSAGE_TYPE_SIGNAL)
		return false;
	if (r->sender && strcmp(r->sender, DRIVER_NAME))
		return false;
	if (r->interface && strcmp(r->interface, DRIVER_IFACE))
		return false;
	if (r->member && strcmp(r->member, "NameOwnerChanged"))
		return false;
	if (r->path && strcmp(r->path, DRIVER_PATH))
		return false;
	if (r->path_namespace &&
	    !path_in_namespace(DRIVER_PATH, r->path_namespace))
		return false;
	if (r->destination)
		return false;
	for (i = 3; i < r->n_args; i++)
		if (r->args[i].kind != MATCH_ARG_NONE)
			return false;
	return true;
}

/* could @rule match a signal sent by an ordinary connection? */
static bool rule_wants_signals(const struct match_rule *r)
{
	if (r->type != DBUS_MESSAGE_TYPE_INVALID &&
	    r->type != DBUS_MESSAGE_TYPE_SIGNAL)
		return false;
	if (r->sender && !strcmp(r->sender, DRIVER_NAME))
		return false;
	return true;
}

struct item_buf {
	uint64_t buf[(KDBUS_ITEM_HEADER_SIZE + 4096 + 512) / 8];
	size_t size;
};

static struct kdbus_item *ibuf_add(struct item_buf *b, uint64_t type,
				   size_t payload)
{
	struct kdbus_item *item;

	if (b->size + KDBUS_ITEM_SIZE(payload) > sizeof(b->buf))
		return NULL;
	item = (struct kdbus_item *)((uint8_t *)b->buf + b->size);
	memset(item, 0, KDBUS_ITEM_SIZE(payload));
	item->size = KDBUS_ITEM_HEADER_SIZE + payload;
	item->type = type;
	b->size += KDBUS_ITEM_SIZE(payload);
	return item;
}

static int add_name_notify(uint64_t type, const char *name,
			   match_add_fn add, void *data)
{
	size_t len = name ? strlen(name) + 1 : 0;
	struct item_buf b = { .size = 0 };
	struct kdbus_item *item;

	item = ibuf_add(&b, type, sizeof(struct kdbus_notify_name_change) +
			len);
	if (!item)
		return -EINVAL;
	item->name_change.old_id.id = KDBUS_MATCH_ID_ANY;
	item->name_change.new_id.id = KDBUS_MATCH_ID_ANY;
	if (name)
		memcpy(item->name_change.name, name, len);
	return add(data, b.buf, b.size);
}

static int add_id_notify(uint64_t type, uint64_t id, match_add_fn add,
			 void *data)
{
	struct item_buf b = { .size = 0 };
	struct kdbus_item *item;

	item = ibuf_add(&b, type, sizeof(struct kdbus_notify_id_change));
	if (!item)
		return -EINVAL;
	item->id_change.id = id;
	return add(data, b.buf, b.size);
}

static int add_notify_matches(const struct match_rule *r, match_add_fn add,
			      void *data)
{
	const struct match_arg *a0 = r->n_args ? &r->args[0] : NULL;
	const char *name = NULL;
	uint64_t id = KDBUS_MATCH_ID_ANY;
	bool ids = true, names = true;
	int ret;

	if (a0 && a0->kind == MATCH_ARG_STRING) {
		if (a0->value[0] == ':') {
			names = false;
			if (kdbus_lib_parse_unique(a0->value, &id) < 0)
				return 0;	/* can never match */
		} else {
			ids = false;
			if (!dbus_validate_bus_name(a0->value, NULL))
				return 0;
			name = a0->value;
		}
	} else if (a0 && a0->kind == MATCH_ARG_NAMESPACE) {
		ids = false;
	}

	if (names) {
		ret = add_name_notify(KDBUS_ITEM_NAME_ADD, name, add, data);
		if (!ret)
			ret = add_name_notify(KDBUS_ITEM_NAME_REMOVE, name, add,
					      data);
		if (!ret)
			ret = add_name_notify(KDBUS_ITEM_NAME_CHANGE, name, add,
					      data);
		if (ret)
			return ret;
	}
	if (ids) {
		ret = add_id_notify(KDBUS_ITEM_ID_ADD, id, add, data);
		if (!ret)
			ret = add_id_notify(KDBUS_ITEM_ID_REMOVE, id, add, data);
		if (ret)
			return ret;
	}
	return 0;
}

static int add_signal_match(const struct match_rule *r, size_t bloom_size,
			    unsigned int n_hash, match_add_fn add, void *data)
{
	struct item_buf b = { .size = 0 };
	struct kdbus_item *item;
	uint64_t mask[4096 / 8] = { 0 };
	bool used = false;
	char key[32];
	unsigned int i;
	size_t w;

	if (bloom_size > sizeof(mask) ||
	    kdbus_bloom_check_params(bloom_size, n_hash) < 0)
		return -EINVAL;

	if (r->type == DBUS_MESSAGE_TYPE_SIGNAL) {
		kdbus_bloom_add_pair(mask, bloom_size, n_hash, "message-type",
				     "signal");
		used = true;
	}
	if (r->interface) {
		kdbus_bloom_add_pair(mask, bloom_size, n_hash, "interface",
				     r->interface);
		used = true;
	}
	if (r->member) {
		kdbus_bloom_add_pair(mask, bloom_size, n_hash, "member",
				     r->member);
		used = true;
	}
	if (r->path) {
		kdbus_bloom_add_pair(mask, bloom_size, n_hash, "path", r->path);
		used = true;
	}
	if (r->path_namespace) {
		kdbus_bloom_add_pair(mask, bloom_size, n_hash,
				     "path-slash-prefix", r->path_namespace);
		used = true;
	}
	for (i = 0; i < r->n_args; i++) {
		const struct match_arg *a = &r->args[i];

		if (a->kind == MATCH_ARG_STRING) {
			snprintf(key, sizeof(key), "arg%u", i);
		} else if (a->kind == MATCH_ARG_NAMESPACE) {
			snprintf(key, sizeof(key), "arg%u-dot-prefix", i);
		} else {
			/* argNpath: two-way prefix, checked in the proxy */
			continue;
		}
		kdbus_bloom_add_pair(mask, bloom_size, n_hash, key, a->value);
		used = true;
	}

	if (used) {
		item = ibuf_add(&b, KDBUS_ITEM_BLOOM_MASK, bloom_size);
		if (!item)
			return -EINVAL;
		memcpy(item->data64, mask, bloom_size);
	}

	if (r->sender && r->sender[0] == ':') {
		uint64_t id;

		if (kdbus_lib_parse_unique(r->sender, &id) < 0)
			return 0;	/* no such connection can exist */
		item = ibuf_add(&b, KDBUS_ITEM_ID, sizeof(uint64_t));
		if (!item)
			return -EINVAL;
		item->id = id;
	} else if (r->sender) {
		w = strlen(r->sender) + 1;
		item = ibuf_add(&b, KDBUS_ITEM_NAME, w);
		if (!item)
			return -EINVAL;
		memcpy(item->str, r->sender, w);
	}

	return add(data, b.buf, b.size);
}

/**
 * match_rule_to_kdbus() - translate a rule into kdbus matches
 * @rule:	Parsed rule
 * @bloom_size:	Bus bloom size in bytes
 * @n_hash:	Bus bloom n_hash
 * @add:	Called once per kdbus match (items are ANDed within a match)
 * @data:	Callback data
 *
 * All matches of one rule must be installed with the same cookie.
 * Nothing is installed for rules that can only match non-signals (those
 * messages reach the client only when addressed to it).
 *
 * Return: 0 or the first error returned by @add (or -EINVAL).
 */
int match_rule_to_kdbus(const struct match_rule *rule, size_t bloom_size,
			unsigned int n_hash, match_add_fn add, void *data)
{
	int ret;

	if (rule_wants_signals(rule)) {
		ret = add_signal_match(rule, bloom_size, n_hash, add, data);
		if (ret)
			return ret;
	}
	if (rule_wants_name_owner_changed(rule)) {
		ret = add_notify_matches(rule, add, data);
		if (ret)
			return ret;
	}
	return 0;
}

static bool is_stringlike(int type)
{
	return type == DBUS_TYPE_STRING || type == DBUS_TYPE_OBJECT_PATH ||
	       type == DBUS_TYPE_SIGNATURE;
}

/**
 * match_bloom_message() - compute the bloom filter of a signal
 * @msg:	The signal
 * @filter:	Output, @size bytes (zeroed here)
 * @size:	Bus bloom size
 * @n_hash:	Bus bloom n_hash
 *
 * Elements as in bloom-scheme.txt §4.
 */
void match_bloom_message(DBusMessage *msg, uint64_t *filter, size_t size,
			 unsigned int n_hash)
{
	DBusMessageIter it, sub;
	const char *s;
	unsigned int i;

	memset(filter, 0, size);
	kdbus_bloom_add_pair(filter, size, n_hash, "message-type",
			     dbus_message_type_to_string(dbus_message_get_type(msg)));

	s = dbus_message_get_interface(msg);
	if (s)
		kdbus_bloom_add_pair(filter, size, n_hash, "interface", s);
	s = dbus_message_get_member(msg);
	if (s)
		kdbus_bloom_add_pair(filter, size, n_hash, "member", s);
	s = dbus_message_get_path(msg);
	if (s) {
		kdbus_bloom_add_pair(filter, size, n_hash, "path", s);
		kdbus_bloom_add_prefixes(filter, size, n_hash,
					 "path-slash-prefix", s, '/');
	}

	if (!dbus_message_iter_init(msg, &it))
		return;

	for (i = 0; i <= KDBUS_BLOOM_MAX_ARG; i++) {
		int type = dbus_message_iter_get_arg_type(&it);

		if (is_stringlike(type)) {
			dbus_message_iter_get_basic(&it, &s);
			kdbus_bloom_add_arg(filter, size, n_hash, i, s);
		} else if (type == DBUS_TYPE_ARRAY &&
			   is_stringlike(dbus_message_iter_get_element_type(&it))) {
			dbus_message_iter_recurse(&it, &sub);
			while (dbus_message_iter_get_arg_type(&sub) !=
			       DBUS_TYPE_INVALID) {
				dbus_message_iter_get_basic(&sub, &s);
				kdbus_bloom_add_arg_has(filter, size, n_hash, i,
							s);
				dbus_message_iter_next(&sub);
			}
		} else {
			break;
		}
		if (!dbus_message_iter_next(&it))
			break;
	}
}
