/* cm.h - cmocka includes in the order cmocka requires. */
#ifndef PS_TEST_CM_H
#define PS_TEST_CM_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#endif
