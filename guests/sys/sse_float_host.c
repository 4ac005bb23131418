/* Runs the cases of sse_float_cases.h on the host CPU, where the sse_float
 * kernels run them in a VM, and checks them against sse_float_expected.h.
 *
 *   sse_float_host             one line per group, as the kernels print them
 *   sse_float_host --print     writes sse_float_expected.h (to stdout)
 *   sse_float_host --dump NAME every record of group NAME, in the kernels'
 *                              format for a group that failed
 *
 * A fault is the signal's: SIGFPE with trap number 19 for #XM, SIGSEGV with 13
 * for #GP(0); XMM0, RAX and MXCSR are read from the signal frame, which holds
 * them as the faulting instruction left them. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "sse_float_cases.h"
#include "sse_float_expected.h"

static sigjmp_buf resume;
static struct fp_io* running;
static int fault_vector;

static void on_fault(int signal, siginfo_t* info, void* context) {
  (void)signal, (void)info;
  const ucontext_t* uc = context;
  fault_vector = (int)uc->uc_mcontext.gregs[REG_TRAPNO];
  memcpy(&running->out, &uc->uc_mcontext.fpregs->_xmm[0], sizeof running->out);
  running->mxcsr = uc->uc_mcontext.fpregs->mxcsr;
  running->gpr_out = (uint64_t)uc->uc_mcontext.gregs[REG_RAX];
  siglongjmp(resume, 1);
}

static int fp_execute(void (*fn)(struct fp_io*), struct fp_io* io) {
  running = io;
  if (sigsetjmp(resume, 1)) return fault_vector;
  fn(io);
  return -1;
}

static void dump_group(const struct fp_op* op, const struct fp_class* c, uint8_t kind, const char* name) {
  static struct fp_io io;
  for (unsigned m = 0; m < c->count; ++m)
    for (unsigned set = 0; set < fp_set_count(op->input); ++set) {
      if (fp_set_kind(op->input, set) != kind) continue;
      const int vector = fp_run_case(op, c->form, set, c->mxcsr[m], &io);
      printf("%s mxcsr=0x%x set=%u: out=%016llx:%016llx rax=0x%llx flags=0x%x mxcsr=0x%x vector=%d\n", name, c->mxcsr[m], set,
             (unsigned long long)io.out.hi, (unsigned long long)io.out.lo, (unsigned long long)io.gpr_out,
             io.rflags & 0x8d5, io.mxcsr, vector);
    }
}

static uint64_t expected_hash(const char* name, int* found) {
  for (unsigned i = 0; i < sizeof fp_expected_groups / sizeof fp_expected_groups[0]; ++i)
    if (fp_expected_groups[i].name && strcmp(fp_expected_groups[i].name, name) == 0) {
      *found = 1;
      return fp_expected_groups[i].hash;
    }
  *found = 0;
  return 0;
}

int main(int argc, char** argv) {
  const int print = argc == 2 && strcmp(argv[1], "--print") == 0;
  const char* dump = argc == 3 && strcmp(argv[1], "--dump") == 0 ? argv[2] : NULL;
  if (argc > 1 && !print && !dump) {
    fprintf(stderr, "usage: %s [--print | --dump GROUP]\n", argv[0]);
    return 2;
  }
  struct sigaction action = {0};
  action.sa_sigaction = on_fault;
  action.sa_flags = SA_SIGINFO;
  sigaction(SIGFPE, &action, NULL);
  sigaction(SIGSEGV, &action, NULL);
  sigaction(SIGILL, &action, NULL);

  unsigned failed = 0, passed = 0;
  if (print) {
    printf("/* What the host CPU gives for each group of sse_float_cases.h: written by\n"
           " * `sse_float_host --print` (guests/sys/sse_float_host.c); do not edit. */\n"
           "static const struct fp_expected_group fp_expected_groups[] = {\n");
  }
  char name[64];
  for (unsigned i = 0; i < FP_OP_COUNT; ++i)
    for (unsigned k = 0; k < FP_CLASS_COUNT; ++k)
      for (uint8_t kind = FP_PLAIN; kind <= FP_NAN_DENORMAL; ++kind) {
      if (!fp_group_exists(&fp_ops[i], kind)) continue;
      fp_group_name(name, sizeof name, &fp_ops[i], &fp_classes[k], kind);
      if (dump) {
        if (strcmp(name, dump) == 0) dump_group(&fp_ops[i], &fp_classes[k], kind, name);
        continue;
      }
      const uint64_t h = fp_group_hash(&fp_ops[i], &fp_classes[k], kind);
      int found;
      if (print) {
        printf("    {\"%s\", %#llx},\n", name, (unsigned long long)h);
      } else if (expected_hash(name, &found) == h && found) {
        ++passed;
      } else {
        ++failed;
        printf("FAIL %s\n", name);
      }
    }
  if (dump) return 0;
  if (print) printf("};\n\nstatic const struct fp_expected_approximation fp_expected_approximations[] = {\n");
  static struct fp_io io;
  for (unsigned i = 0; i < FP_OP_COUNT; ++i) {
    if (fp_ops[i].output != FP_APPROXIMATE) continue;
    for (unsigned set = 0; set < fp_set_count(fp_ops[i].input); ++set) {
      fp_run_case(&fp_ops[i], 0, set, 0x1f80, &io);
      if (print) {
        printf("    {\"%s\", %u, %#llx, %#llx},\n", fp_ops[i].name, set, (unsigned long long)io.out.lo,
               (unsigned long long)io.out.hi);
        continue;
      }
      int found = 0;
      for (unsigned e = 0; e < sizeof fp_expected_approximations / sizeof fp_expected_approximations[0]; ++e) {
        const struct fp_expected_approximation* x = &fp_expected_approximations[e];
        if (x->name && strcmp(x->name, fp_ops[i].name) == 0 && x->set == set)
          found = x->lo == io.out.lo && x->hi == io.out.hi;
      }
      if (found) {
        ++passed;
      } else {
        ++failed;
        printf("FAIL %s.set%u\n", fp_ops[i].name, set);
      }
    }
  }
  if (print) {
    printf("};\n");
    return 0;
  }
  printf("%s: %u checks passed, %u failed\n", failed ? "FAIL" : "PASS", passed, failed);
  return failed != 0;
}
