// SPDX-License-Identifier: GPL-2.0
/*
 * proxy-driver-match - AddMatch / RemoveMatch of the bus driver: each
 * rule becomes kdbus matches sharing one cookie (see proxy-match.c)
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy.h"
#include "proxy-driver.h"

struct add_ctx {
	struct client *c;
	uint64_t cookie;
};

static int add_kdbus_match(void *data, const void *items, size_t size)
{
	struct add_ctx *ctx = data;

	return kdbus_lib_match_add(&ctx->c->kconn, ctx->cookie, 0, items,
				   size);
}

/*
 * The match rule @text given in the call @msg, or NULL if it is invalid
 * (the error is sent, or @c is killed if out of memory).
 */
struct match_rule *rule_parse(struct client *c, DBusMessage *msg,
			      const char *text)
{
	struct match_rule *rule;
	char err[256];
	int ret;

	ret = match_rule_parse(text, &rule, err, sizeof(err));
	if (ret == -ENOMEM) {
		client_kill(c, "out of memory");
		return NULL;
	}
	if (ret < 0) {
		send_error(c, msg, DBUS_ERROR_MATCH_RULE_INVALID, "%s", err);
		return NULL;
	}
	return rule;
}

/* the LimitsExceeded error of AddMatch and BecomeMonitor */
void rules_limit_error(struct client *c, DBusMessage *msg)
{
	send_error(c, msg, DBUS_ERROR_LIMITS_EXCEEDED,
		   "Connection \"%s\" is not allowed to add more match rules",
		   c->unique);
}

/* the match rule of the only argument of @msg, as rule_parse() */
static struct match_rule *rule_arg(struct client *c, DBusMessage *msg)
{
	const char *text;

	if (!get_args(c, msg, DBUS_TYPE_STRING, &text, DBUS_TYPE_INVALID))
		return NULL;
	return rule_parse(c, msg, text);
}

void m_add_match(struct client *c, DBusMessage *msg)
{
	struct client_rule *cr;
	struct match_rule *rule;
	struct add_ctx ctx;
	int ret;

	rule = rule_arg(c, msg);
	if (!rule)
		return;
	if (c->n_rules >= PROXY_MAX_RULES) {
		match_rule_free(rule);
		rules_limit_error(c, msg);
		return;
	}
	cr = calloc(1, sizeof(*cr));
	if (!cr) {
		match_rule_free(rule);
		client_kill(c, "out of memory");
		return;
	}

	ctx.c = c;
	ctx.cookie = c->next_cookie++;
	ret = match_rule_to_kdbus(rule, c->kconn.bloom_size,
				  c->kconn.bloom_n_hash, add_kdbus_match, &ctx);
	if (ret < 0) {
		kdbus_lib_match_remove(&c->kconn, ctx.cookie);
		match_rule_free(rule);
		free(cr);
		send_error(c, msg, ret == -EMFILE ? DBUS_ERROR_LIMITS_EXCEEDED :
			   DBUS_ERROR_FAILED, "Adding the match failed: %s",
			   strerror(-ret));
		return;
	}

	cr->rule = rule;
	cr->cookie = ctx.cookie;
	cr->next = c->rules;
	c->rules = cr;
	c->n_rules++;
	reply_args(c, msg, DBUS_TYPE_INVALID);
}

void m_remove_match(struct client *c, DBusMessage *msg)
{
	struct client_rule **pp, *cr;
	struct match_rule *rule;

	rule = rule_arg(c, msg);
	if (!rule)
		return;

	for (pp = &c->rules; (cr = *pp); pp = &cr->next)
		if (match_rule_equal(cr->rule, rule))
			break;
	match_rule_free(rule);
	if (!cr) {
		send_error(c, msg, DBUS_ERROR_MATCH_RULE_NOT_FOUND,
			   "The given match rule wasn't found and can't be removed");
		return;
	}

	/* -EBADSLT: the rule needed no kdbus match */
	kdbus_lib_match_remove(&c->kconn, cr->cookie);
	*pp = cr->next;
	c->n_rules--;
	match_rule_free(cr->rule);
	free(cr);
	reply_args(c, msg, DBUS_TYPE_INVALID);
}
