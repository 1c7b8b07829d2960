/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - limits
 *
 * Fixed limits of the kdbus implementation. The values are part of the
 * observable behaviour of the user-space interface; see the "Limits"
 * section of Documentation/kdbus.txt.
 */

#ifndef __KDBUS_LIMITS_H
#define __KDBUS_LIMITS_H

#include <linux/sizes.h>

/* maximum size of a message: header and items, not vector data */
#define KDBUS_MSG_MAX_SIZE		SZ_8K

/* maximum number of items in one message */
#define KDBUS_MSG_MAX_ITEMS		128

/* maximum number of memfd items in one message */
#define KDBUS_MSG_MAX_MEMFD_ITEMS	16

/* maximum size of the argument of any ioctl */
#define KDBUS_CMD_MAX_SIZE		SZ_32K

/* maximum number of fds in one message and in flight per user */
#define KDBUS_CONN_MAX_FDS_PER_USER	16

/* maximum sum of the PAYLOAD_VEC sizes in one message */
#define KDBUS_MSG_MAX_PAYLOAD_VEC_SIZE	SZ_2M

/* bloom filter size limits, in bytes */
#define KDBUS_BUS_BLOOM_MIN_SIZE	8
#define KDBUS_BUS_BLOOM_MAX_SIZE	SZ_4K

/* maximum length of a well-known name, NUL not counted */
#define KDBUS_NAME_MAX_LEN		255

/* maximum length of bus/endpoint names and descriptions, NUL not counted */
#define KDBUS_SYSNAME_MAX_LEN		63

/* maximum number of matches per connection */
#define KDBUS_MATCH_MAX			256

/* maximum number of queued messages per receiver and sending user */
#define KDBUS_CONN_MAX_MSGS		256

/* maximum number of well-known names owned per connection */
#define KDBUS_CONN_MAX_NAMES		256

/* maximum number of pending reply trackers per calling connection */
#define KDBUS_CONN_MAX_REQUESTS_PENDING	128

/* maximum number of connections per user and domain */
#define KDBUS_USER_MAX_CONN		1024

/* maximum number of buses per user (real uid) and domain */
#define KDBUS_USER_MAX_BUSES		16

/* minimum size of a message */
#define KDBUS_MSG_MIN_SIZE		64

#endif /* __KDBUS_LIMITS_H */
