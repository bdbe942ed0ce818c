/*
 * clock.h - the monotonic clock, in milliseconds, for the times -v
 * prints (never the wall clock: a step of it is not a duration).
 */
#ifndef PS_CLOCK_H
#define PS_CLOCK_H

double clock_ms(void);

#endif
