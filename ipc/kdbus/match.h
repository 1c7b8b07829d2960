/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - match rules
 */

#ifndef __KDBUS_MATCH_H
#define __KDBUS_MATCH_H

#include <linux/list.h>
#include <linux/rwsem.h>
#include <linux/types.h>

struct kdbus_bus;
struct kdbus_conn;
struct kdbus_staging;

/**
 * DOC: match rules
 *
 * A connection receives signals and broadcast kernel notifications only
 * through its matches. A match (struct kdbus_match_entry, installed by one
 * KDBUS_CMD_MATCH_ADD and tagged with a cookie) is a list of rules, all of
 * which must accept a message; a connection accepts a message if any of
 * its matches does.
 *
 * A match either can accept messages of connections (all its rules are
 * BLOOM_MASK, NAME or ID rules), or kernel notifications (all its rules
 * are NAME_* or ID_* rules), both (no rules), or nothing (a mix). The
 * database counts the matches of each kind, and the bus keeps two lists of
 * the connections that have at least one match of a kind: a broadcast
 * visits only the connections of its list, so a connection without any
 * match costs nothing, and a connection whose matches do not accept the
 * message costs one test per rule of those matches (a BLOOM_MASK rule is
 * one masked compare of the bloom filter).
 *
 * Ownership: the database is embedded in its connection; its entries are
 * owned by it and freed with kdbus_match_db_clear() when the connection is
 * disconnected. An entry carries a copy of the rule items it was made of.
 *
 * Locking: &kdbus_match_db.lock protects the entries and counters; the
 * sender of a unicast signal takes it shared to test the matches of its
 * receiver (the only lock it takes besides the receiver's), MATCH_ADD and
 * MATCH_REMOVE take it exclusively. The bus's conn_rwlock protects the
 * two bus lists and is taken first: MATCH_ADD and MATCH_REMOVE hold it for
 * writing, so replacing the matches of a cookie is atomic with respect to
 * broadcasts, which hold it for reading while they test the matches, and
 * which therefore need no lock of the databases they test.
 */

/**
 * struct kdbus_match_db - the matches of a connection
 * @lock:	Protects everything below
 * @entries:	Matches, in the order they were added
 * @n_entries:	Number of @entries
 * @n_msg:	Matches that can accept messages of connections
 * @n_notify:	Matches that can accept kernel notifications
 */
struct kdbus_match_db {
	struct rw_semaphore lock; /* protects the entries and counters */
	struct list_head entries;
	unsigned int n_entries;
	unsigned int n_msg;
	unsigned int n_notify;
};

void kdbus_match_db_init(struct kdbus_match_db *mdb);
void kdbus_match_db_clear(struct kdbus_match_db *mdb);
bool kdbus_match_db_match(struct kdbus_match_db *mdb, struct kdbus_bus *bus,
			  const struct kdbus_conn *conn_src,
			  const struct kdbus_staging *staging);

bool kdbus_match_db_match_bus(struct kdbus_match_db *mdb,
			      struct kdbus_bus *bus,
			      const struct kdbus_conn *conn_src,
			      const struct kdbus_staging *staging);

int kdbus_cmd_match_add(struct kdbus_conn *conn, void __user *argp);
int kdbus_cmd_match_remove(struct kdbus_conn *conn, void __user *argp);

#endif /* __KDBUS_MATCH_H */
