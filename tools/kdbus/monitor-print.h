/* SPDX-License-Identifier: GPL-2.0 */
/*
 * monitor-print - human-readable output of kdbus messages for kdbus-monitor
 */

#ifndef MONITOR_PRINT_H
#define MONITOR_PRINT_H

#include "kdbus-lib.h"

void print_kdbus_msg(const struct kdbus_conn *conn,
		     const struct kdbus_msg *msg);

#endif /* MONITOR_PRINT_H */
