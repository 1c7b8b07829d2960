/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - the kdbusfs file system
 *
 * Every mount of kdbusfs gets a new superblock with a new domain
 * (s_fs_info, one reference), which kill_sb tears down.
 *
 * Inodes: one per node and superblock, numbered with the node id; the
 * inode holds a reference to its node (i_private), dropped at eviction.
 * Dentries are never cached beyond their last use and are revalidated
 * against the node state, so torn down nodes vanish from the namespace at
 * once. Locking is that of the VFS plus kdbus_node.lock for walking the
 * children of a directory.
 */

#ifndef __KDBUS_FS_H
#define __KDBUS_FS_H

/* statfs f_type of kdbusfs: "DBus" */
#define KDBUS_SUPER_MAGIC	0x44427573

int kdbus_fs_init(void);
void kdbus_fs_exit(void);

#endif /* __KDBUS_FS_H */
