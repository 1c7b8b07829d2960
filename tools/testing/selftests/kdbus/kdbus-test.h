/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Common includes of the kdbus test programs: the kselftest harness and
 * the kdbus helpers.
 */

#ifndef KDBUS_TEST_H
#define KDBUS_TEST_H

/*
 * The harness is not -Wextra clean: its timeout handler has an unused
 * parameter, and the TEST_F() wrapper keeps a local across setjmp() that
 * gcc -O2 reports as possibly clobbered in every test function (the value
 * is not used after longjmp()). These tests use no setjmp() of their own.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#pragma GCC diagnostic ignored "-Wclobbered"

#include "kdbus-util.h"

#endif /* KDBUS_TEST_H */
