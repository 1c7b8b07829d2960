/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proxy-fds - moving unix fds between DBusMessages and kdbus FDS items
 */

#ifndef PROXY_FDS_H
#define PROXY_FDS_H

#include <stddef.h>
#include <stdint.h>
#include <dbus/dbus.h>

int fds_neutralize_header(uint8_t *data, size_t len, uint32_t *n_fds);
DBusMessage *fds_attach(DBusMessage *src, const int *fds, unsigned int n_fds,
			int *error);
DBusMessage *fds_detach(DBusMessage *src, int **fds, unsigned int *n_fds,
			int *error);
void fds_close_array(int *fds, unsigned int n_fds);

#endif /* PROXY_FDS_H */
