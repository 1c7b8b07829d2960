// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - D-Bus in the kernel
 *
 * Module setup: the sysfs mount point /sys/fs/kdbus and the kdbusfs file
 * system type.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <uapi/linux/kdbus.h>

#include "fs.h"
#include "main.h"
#include "metadata.h"

u64 kdbus_attach_flags_mask = KDBUS_ATTACH_MASK_DEFAULT;
module_param_named(attach_flags_mask, kdbus_attach_flags_mask, ullong, 0644);
MODULE_PARM_DESC(attach_flags_mask,
		 "Mask of the metadata kinds (KDBUS_ATTACH_*) kdbus may attach");

/* /sys/fs/kdbus, the conventional mount point */
static struct kobject *kdbus_dir;

static int __init kdbus_init(void)
{
	int ret;

	kdbus_dir = kobject_create_and_add(KBUILD_MODNAME, fs_kobj);
	if (!kdbus_dir)
		return -ENOMEM;

	ret = kdbus_fs_init();
	if (ret < 0) {
		pr_err("cannot register file system: %d\n", ret);
		kobject_put(kdbus_dir);
		return ret;
	}

	return 0;
}

static void __exit kdbus_exit(void)
{
	kdbus_fs_exit();
	kobject_put(kdbus_dir);
}

module_init(kdbus_init);
module_exit(kdbus_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("D-Bus, powerful, easy to use interprocess communication");
MODULE_ALIAS_FS(KBUILD_MODNAME "fs");
