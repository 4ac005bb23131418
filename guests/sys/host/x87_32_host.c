/* The workload of the x87_32 kernel on the host, whose long double is the x87's
 * too: check_x87_host.sh compares what it prints with the start of
 * guests/sys/x87_32.expected. */
#include <stdio.h>
#include <string.h>

#include "../x87_32_workload.h"

static void report(const char* name, long double value) {
  unsigned char bytes[10];
  memcpy(bytes, &value, sizeof bytes);
  unsigned long long significand = 0;
  for (int i = 7; i >= 0; --i) significand = significand << 8 | bytes[i];
  printf("%s: %04x:%016llx\n", name, bytes[8] | bytes[9] << 8, significand);
}
static void report_int(const char* name, long long value) { printf("%s: %lld\n", name, value); }

int main(void) {
  printf("# a numeric workload on the x87\n");
  const struct x87_reporter r = {report, report_int};
  x87_workload(&r);
  return 0;
}
