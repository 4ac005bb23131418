// Fails when an instruction that orcvm must implement is never executed by the
// test programs: the guest programs and the instruction corpus, run here once more
// in the interpreter with per-mnemonic counters.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "difftest/case_format.h"
#include "difftest/orcvm_oracle.h"
#include "loader/elf.h"
#include "runtime/vcpu/machine.h"

namespace orcvm {
namespace {

constexpr uint64_t kGuestElfSizeLimit = 64ull << 20;  // the test guests are a few KiB

// The general-purpose ISA of issue 2, by orcvm mnemonic name.
constexpr const char* kRequired[] = {
    "MOV", "MOVZX", "MOVSX", "MOVSXD", "MOVBE", "LEA", "XCHG", "XADD", "CMPXCHG", "CMPXCHG8B",
    "CMPXCHG16B", "ADD", "ADC", "SUB", "SBB", "CMP", "INC", "DEC", "NEG", "AND", "OR", "XOR", "NOT",
    "TEST", "SHL", "SHR", "SAR", "ROL", "ROR", "RCL", "RCR", "SHLD", "SHRD", "MUL", "IMUL", "DIV",
    "IDIV", "BT", "BTS", "BTR", "BTC", "BSF", "BSR", "TZCNT", "LZCNT", "POPCNT", "BSWAP", "ENDBR64",
    "NOP", "CBW", "CWDE", "CDQE", "CWD", "CDQ", "CQO",
    "SETO", "SETNO", "SETB", "SETNB", "SETZ", "SETNZ", "SETBE", "SETNBE", "SETS", "SETNS", "SETP",
    "SETNP", "SETL", "SETNL", "SETLE", "SETNLE",
    "CMOVO", "CMOVNO", "CMOVB", "CMOVNB", "CMOVZ", "CMOVNZ", "CMOVBE", "CMOVNBE", "CMOVS", "CMOVNS",
    "CMOVP", "CMOVNP", "CMOVL", "CMOVNL", "CMOVLE", "CMOVNLE",
    "JO", "JNO", "JB", "JNB", "JZ", "JNZ", "JBE", "JNBE", "JS", "JNS", "JP", "JNP", "JL", "JNL", "JLE",
    "JNLE", "LOOP", "LOOPE", "LOOPNE", "JRCXZ", "CALL", "RET", "JMP", "PUSH", "POP", "PUSHFQ", "POPFQ",
    "ENTER", "LEAVE", "MOVSB", "MOVSW", "MOVSD", "MOVSQ", "STOSB", "STOSW", "STOSD", "STOSQ", "LODSB",
    "LODSW", "LODSD", "LODSQ", "CMPSB", "CMPSW", "CMPSD", "CMPSQ", "SCASB", "SCASW", "SCASD", "SCASQ",
    "LAHF", "SAHF", "CLC", "STC", "CMC", "CLD", "STD", "UD2", "ADCX", "ADOX", "ANDN", "BEXTR", "BLSI",
    "BLSMSK", "BLSR", "BZHI", "MULX", "PDEP", "PEXT", "RORX", "SARX", "SHLX", "SHRX", "CPUID", "RDTSC",
    "IN", "OUT", "HLT", "INVLPG"};

std::vector<std::string> lines_of(const char* path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

TEST(Coverage, EveryRequiredInstructionIsExecuted) {
  std::vector<uint64_t> executed(static_cast<size_t>(Mnemonic::Count));

  for (const std::string& elf : lines_of(ORCVM_GUEST_ELF_LIST_FILE)) {
    MachineConfig config;
    config.ram_size = 64ull << 20;
    config.serial = nullptr;
    config.vcpu.tier = Tier::Interpreter;
    config.vcpu.executed_mnemonics = executed.data();
    Machine machine(config);
    std::vector<uint8_t> image = read_file(elf, kGuestElfSizeLimit);
    enter_long_mode(machine.memory(), machine.vcpu().cpu(), load_elf64(image, machine.memory()));
    RunResult result = machine.run();
    EXPECT_EQ(result.kind, RunResult::Kind::Exited) << elf << ": " << result.message;
  }

  difftest::OrcvmConfig interpreter{difftest::Tier::Interpreter, false, false, executed.data()};
  for (const auto& file : std::filesystem::directory_iterator(ORCVM_INSN_CASE_DIR))
    if (file.path().extension() == ".cases")
      for (const difftest::InsnCase& c : difftest::parse_case_file(file.path()))
        difftest::run_in_orcvm(c.test, interpreter);

  std::map<std::string, uint64_t> by_name;
  for (size_t m = 1; m < executed.size(); ++m) by_name[std::string(mnemonic_name(static_cast<Mnemonic>(m)))] = executed[m];
  size_t covered = 0;
  for (const char* name : kRequired) {
    ASSERT_TRUE(by_name.count(name)) << name << " is not an orcvm mnemonic";
    if (by_name[name] > 0) ++covered;
    EXPECT_GT(by_name[name], 0u) << name << " is never executed by any test program";
  }
  size_t implemented_executed = 0;
  for (const auto& [name, count] : by_name) implemented_executed += count > 0;
  std::printf("coverage: %zu of %zu required mnemonics executed; %zu of %zu known mnemonics executed\n", covered,
              std::size(kRequired), implemented_executed, by_name.size());
}

}  // namespace
}  // namespace orcvm
