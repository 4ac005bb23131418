#include "difftest/kvm_oracle.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "difftest/host_oracle.h"
#include "difftest/kvm_setup.h"

namespace orcvm::difftest {
namespace {

constexpr int kTimerSignal = SIGUSR2;

void on_timer(int) {}  // only interrupts KVM_RUN

std::string errno_text(const char* what) { return std::string(what) + ": " + strerror(errno); }

}  // namespace

struct KvmOracle::Vm {
  int kvm = -1, vm = -1, vcpu = -1;
  uint8_t* memory = nullptr;
  kvm_run* run = nullptr;
  size_t run_size = 0;
  timer_t timer{};
  bool timer_made = false;

  ~Vm() {
    if (timer_made) timer_delete(timer);
    if (run) munmap(run, run_size);
    if (memory) munmap(memory, kvm::kGuestMemorySize);
    for (int fd : {vcpu, vm, kvm})
      if (fd >= 0) close(fd);
  }
};

bool KvmOracle::device_is_pvm() { return access("/sys/module/kvm_pvm", F_OK) == 0; }

KvmOracle::KvmOracle(const char* device, bool allow_pvm) {
  if (!allow_pvm && std::string(device) == "/dev/kvm" && access(device, F_OK) == 0 && device_is_pvm()) {
    unavailable_ = "/dev/kvm is kvm-pvm (no hardware virtualization; PVM emulates descriptor instructions, "
                   "IRET and INT n differently from the CPU): use the kvm-pvm oracle to run it anyway";
    return;
  }
  auto vm = std::make_unique<Vm>();
  vm->kvm = open(device, O_RDWR | O_CLOEXEC);
  if (vm->kvm < 0) {
    unavailable_ = errno == ENOENT ? std::string("no ") + device : errno_text(device);
    return;
  }
  if (ioctl(vm->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
    unavailable_ = "KVM_GET_API_VERSION: not version 12";
    return;
  }
  vm->vm = ioctl(vm->kvm, KVM_CREATE_VM, 0);
  if (vm->vm < 0) {
    unavailable_ = errno_text("KVM_CREATE_VM");
    return;
  }
  ioctl(vm->vm, KVM_SET_TSS_ADDR, 0xfffbd000ul);  // Intel wants it; harmless elsewhere
  void* memory = mmap(nullptr, kvm::kGuestMemorySize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                      -1, 0);
  if (memory == MAP_FAILED) {
    unavailable_ = errno_text("mmap guest memory");
    return;
  }
  vm->memory = static_cast<uint8_t*>(memory);
  kvm_userspace_memory_region region{};
  region.slot = 0;
  region.guest_phys_addr = 0;
  region.memory_size = kvm::kGuestMemorySize;
  region.userspace_addr = reinterpret_cast<uint64_t>(memory);
  if (ioctl(vm->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
    unavailable_ = errno_text("KVM_SET_USER_MEMORY_REGION");
    return;
  }
  vm->vcpu = ioctl(vm->vm, KVM_CREATE_VCPU, 0);
  if (vm->vcpu < 0) {
    unavailable_ = errno_text("KVM_CREATE_VCPU");
    return;
  }
  const int run_size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
  if (run_size <= 0) {
    unavailable_ = errno_text("KVM_GET_VCPU_MMAP_SIZE");
    return;
  }
  vm->run_size = static_cast<size_t>(run_size);
  void* run = mmap(nullptr, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
  if (run == MAP_FAILED) {
    unavailable_ = errno_text("mmap kvm_run");
    return;
  }
  vm->run = static_cast<kvm_run*>(run);
  // The host's CPUID, as KVM supports it: BMI, ADX, MOVBE, LZCNT... must not #UD.
  // The ioctl takes a kvm_cpuid2: nent, padding, then the entries, 8 bytes in. g++
  // lays out the flexible array member at offset 12 (and so encodes another size in
  // KVM_GET_SUPPORTED_CPUID), so the buffer and the request numbers are built by hand.
  constexpr uint32_t kEntries = 256;
  constexpr size_t kHeader = 8;
  constexpr unsigned long kGetSupportedCpuid = _IOC(_IOC_READ | _IOC_WRITE, KVMIO, 0x05, kHeader);
  constexpr unsigned long kSetCpuid2 = _IOC(_IOC_WRITE, KVMIO, 0x90, kHeader);
  std::vector<uint8_t> buffer(kHeader + kEntries * sizeof(kvm_cpuid_entry2));
  std::memcpy(buffer.data(), &kEntries, 4);
  if (ioctl(vm->kvm, kGetSupportedCpuid, buffer.data()) < 0) {
    unavailable_ = errno_text("KVM_GET_SUPPORTED_CPUID");
    return;
  }
  if (ioctl(vm->vcpu, kSetCpuid2, buffer.data()) < 0) {
    unavailable_ = errno_text("KVM_SET_CPUID2");
    return;
  }
  struct sigaction action {};
  action.sa_handler = on_timer;
  sigemptyset(&action.sa_mask);
  sigaction(kTimerSignal, &action, nullptr);  // no SA_RESTART: KVM_RUN returns EINTR
  sigevent event{};
  event.sigev_notify = SIGEV_THREAD_ID;
  event.sigev_signo = kTimerSignal;
  event._sigev_un._tid = static_cast<pid_t>(syscall(SYS_gettid));  // sigev_notify_thread_id
  if (timer_create(CLOCK_MONOTONIC, &event, &vm->timer) != 0) {
    unavailable_ = errno_text("timer_create");
    return;
  }
  vm->timer_made = true;
  vm_ = std::move(vm);
}

KvmOracle::~KvmOracle() = default;

OracleResult KvmOracle::run(const TestCase& test) {
  OracleResult r;
  if (!vm_) {
    r.status = OracleResult::Status::Error;
    r.message = "kvm oracle: skipped: " + unavailable_;
    return r;
  }
  auto fail = [&](const std::string& why) {
    r.status = OracleResult::Status::Error;
    r.message = "kvm oracle: case '" + test.name + "': " + why;
    return r;
  };
  if (test.input.rip != kCodeAddress || test.code.size() + 2 > kDataAddress - kCodeAddress)
    return fail("the case does not fit the guest layout");
  kvm::write_case(vm_->memory, test);
  kvm_sregs sregs = kvm::make_sregs();
  kvm_regs regs = kvm::to_kvm_regs(test.input);
  if (ioctl(vm_->vcpu, KVM_SET_SREGS, &sregs) < 0) return fail(errno_text("KVM_SET_SREGS"));
  if (ioctl(vm_->vcpu, KVM_SET_REGS, &regs) < 0) return fail(errno_text("KVM_SET_REGS"));
  kvm_fpu fpu{};
  fpu.fcw = 0x37f;  // as FNINIT and Linux leave it
  std::memcpy(fpu.xmm, test.input.xmm, sizeof fpu.xmm);
  fpu.mxcsr = test.input.mxcsr;
  if (ioctl(vm_->vcpu, KVM_SET_FPU, &fpu) < 0) return fail(errno_text("KVM_SET_FPU"));
  itimerspec deadline{};
  deadline.it_value.tv_sec = kHostTimeout.count() / 1000;
  deadline.it_value.tv_nsec = (kHostTimeout.count() % 1000) * 1000000;
  timer_settime(vm_->timer, 0, &deadline, nullptr);
  const int rc = ioctl(vm_->vcpu, KVM_RUN, 0);
  const int run_errno = errno;
  itimerspec off{};
  timer_settime(vm_->timer, 0, &off, nullptr);
  if (rc < 0) {
    if (run_errno == EINTR) {
      r.status = OracleResult::Status::Timeout;
      r.message = "kvm oracle: case '" + test.name + "' did not end within " + std::to_string(kHostTimeout.count()) + " ms";
      return r;
    }
    errno = run_errno;
    return fail(errno_text("KVM_RUN"));
  }
  if (ioctl(vm_->vcpu, KVM_GET_REGS, &regs) < 0) return fail(errno_text("KVM_GET_REGS"));
  if (ioctl(vm_->vcpu, KVM_GET_FPU, &fpu) < 0) return fail(errno_text("KVM_GET_FPU"));
  r = kvm::decode_exit(vm_->run->exit_reason, regs, vm_->memory, test);
  std::memcpy(r.outcome.state.xmm, fpu.xmm, sizeof fpu.xmm);  // the exception stubs leave them alone
  r.outcome.state.mxcsr = fpu.mxcsr;
  return r;
}

}  // namespace orcvm::difftest
