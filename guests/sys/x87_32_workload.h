/* A numeric workload in C whose floating point is the x87's (long double
 * throughout, so that a 32-bit guest built with -mfpmath=387 and an x86-64 host,
 * whose long double is the x87's as well, run the same roundings): series, square
 * roots, Newton iterations, a linear system, and conversions to integers and to
 * the memory formats. Each result goes to report() as its 80-bit image or to
 * report_int(). */
#pragma once

struct x87_reporter {
  void (*report)(const char* name, long double value);
  void (*report_int)(const char* name, long long value);
};

void x87_workload(const struct x87_reporter* r);
