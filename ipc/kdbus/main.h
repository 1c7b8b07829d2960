/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - module-wide settings
 */

#ifndef __KDBUS_MAIN_H
#define __KDBUS_MAIN_H

#include <linux/types.h>

/*
 * Mask of the metadata kinds (KDBUS_ATTACH_* bits) the kernel may attach
 * at all; module parameter "attach_flags_mask", writable at run time and
 * therefore read with READ_ONCE().
 */
extern u64 kdbus_attach_flags_mask;

#endif /* __KDBUS_MAIN_H */
