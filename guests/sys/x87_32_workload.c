#include "x87_32_workload.h"

/* Inputs read at run time, so that nothing is folded at compile time. */
static volatile int terms = 2000, factorials = 25, machin_terms = 40, newton_steps = 8;
static volatile long double two = 2.0L, three = 3.0L, growth = 1.7L, start = 0.1L;

static long double arctan_inverse(int n, int count) {
  /* atan(1/n) = sum (-1)^k / ((2k + 1) n^(2k+1)) */
  long double power = 1.0L / n, sum = 0.0L;
  const long double n2 = (long double)n * n;
  for (int k = 0; k < count; ++k) {
    const long double term = power / (2 * k + 1);
    sum = k & 1 ? sum - term : sum + term;
    power /= n2;
  }
  return sum;
}

#define N 5
static void hilbert_system(const struct x87_reporter* r) {
  long double a[N][N], b[N], x[N];
  for (int i = 0; i < N; ++i) {
    b[i] = 0;
    for (int j = 0; j < N; ++j) {
      a[i][j] = 1.0L / (i + j + 1 + (two - 2));
      b[i] += a[i][j];  /* the solution is all ones */
    }
  }
  long double determinant = 1;
  for (int k = 0; k < N; ++k) {
    int pivot = k;
    for (int i = k + 1; i < N; ++i)
      if (__builtin_fabsl(a[i][k]) > __builtin_fabsl(a[pivot][k])) pivot = i;
    if (pivot != k) {
      for (int j = 0; j < N; ++j) {
        const long double t = a[k][j];
        a[k][j] = a[pivot][j];
        a[pivot][j] = t;
      }
      const long double t = b[k];
      b[k] = b[pivot];
      b[pivot] = t;
      determinant = -determinant;
    }
    determinant *= a[k][k];
    for (int i = k + 1; i < N; ++i) {
      const long double f = a[i][k] / a[k][k];
      for (int j = k; j < N; ++j) a[i][j] -= f * a[k][j];
      b[i] -= f * b[k];
    }
  }
  for (int i = N - 1; i >= 0; --i) {
    long double s = b[i];
    for (int j = i + 1; j < N; ++j) s -= a[i][j] * x[j];
    x[i] = s / a[i][i];
  }
  r->report("hilbert5.determinant", determinant);
  r->report_int("hilbert5.inverse_determinant", (long long)(1 / determinant + 0.5L));
  static const char* names[N] = {"hilbert5.x0", "hilbert5.x1", "hilbert5.x2", "hilbert5.x3", "hilbert5.x4"};
  for (int i = 0; i < N; ++i) r->report(names[i], x[i]);
}

void x87_workload(const struct x87_reporter* r) {
  long double zeta2 = 0;
  for (int n = terms; n >= 1; --n) zeta2 += 1.0L / ((long double)n * n);
  r->report("zeta2_partial", zeta2);

  long double e = 0, term = 1;
  for (int k = 0; k <= factorials; ++k) {
    e += term;
    term /= k + 1;
  }
  r->report("e_series", e);

  long double harmonic = 0, compensation = 0;
  for (int n = 1; n <= terms; ++n) {
    const long double y = 1.0L / n - compensation, t = harmonic + y;
    compensation = (t - harmonic) - y;
    harmonic = t;
  }
  r->report("harmonic_kahan", harmonic);

  const long double pi = 16 * arctan_inverse(5, machin_terms) - 4 * arctan_inverse(239, machin_terms);
  r->report("pi_machin", pi);
  r->report_int("pi_times_1e15", (long long)(pi * 1e15L));
  r->report_int("minus_e_times_1e12", (long long)(-e * 1e12L));

  r->report("sqrt2", __builtin_sqrtl(two));
  long double root = three;
  for (int i = 0; i < newton_steps; ++i) root = (root + three / root) / 2;
  r->report("sqrt3_newton", root);
  r->report("sqrt3_newton_error", root - __builtin_sqrtl(three));
  long double cube = two;
  for (int i = 0; i < newton_steps; ++i) cube -= (cube * cube * cube - 10) / (3 * cube * cube);
  r->report("cbrt10_newton", cube);

  const double pi_double = (double)pi;
  const float pi_float = (float)pi;
  r->report("pi_as_double", pi_double);
  r->report("pi_as_float", pi_float);
  r->report_int("e_as_int", (int)(e * 1000));

  int steps = 0;
  for (long double x = start; x < 1e6L; x *= growth) ++steps;
  r->report_int("geometric_steps", steps);

  hilbert_system(r);
}
