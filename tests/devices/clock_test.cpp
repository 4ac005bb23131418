// The instruction clock of --icount: time follows the VCPU's instruction budget.
#include <gtest/gtest.h>

#include "devices/clock.h"

namespace orcvm {
namespace {

TEST(InstructionClock, TimeIsTheInstructionsRetiredFromTheBudget) {
  InstructionClock clock(2);  // 2 ns per instruction
  int64_t budget = 0;
  EXPECT_EQ(clock.now(), 0u);
  clock.attach_budget(&budget);
  clock.grant_until(100);
  EXPECT_EQ(budget, 50);
  budget -= 10;  // a block of ten instructions starts
  EXPECT_EQ(clock.now(), 20u);
  clock.end_grant_by(40);  // a timer armed for t = 40
  EXPECT_EQ(budget, 10);
  EXPECT_EQ(clock.now(), 20u);
  clock.end_grant_by(1000);  // after the grant's end: no change
  EXPECT_EQ(budget, 10);
  budget -= 12;  // the last block overshoots the grant
  EXPECT_EQ(clock.now(), 44u);
}

TEST(InstructionClock, GrantsAtLeastOneInstruction) {
  InstructionClock clock(2);
  int64_t budget = 0;
  clock.attach_budget(&budget);
  clock.grant_until(kNoDeadline);
  EXPECT_EQ(budget, INT64_MAX);
  budget -= 3;
  clock.grant_until(9);  // rounds up to whole instructions
  EXPECT_EQ(budget, 2);
  clock.grant_until(1);  // already passed
  EXPECT_EQ(budget, 1);
}

TEST(InstructionClock, WarpEndsTheGrant) {
  InstructionClock clock;
  int64_t budget = 0;
  clock.attach_budget(&budget);
  clock.grant_until(500);
  budget -= 100;
  clock.warp_to(1000);
  EXPECT_EQ(clock.now(), 1000u);
  EXPECT_EQ(budget, 0);  // the VCPU returns to be granted time up to the next deadline
  clock.warp_to(500);    // never backwards
  EXPECT_EQ(clock.now(), 1000u);
}

}  // namespace
}  // namespace orcvm
