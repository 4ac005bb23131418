// i8042 keyboard controller, 16550 UART, port 0x92, reset control, POST port.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "devices/i8042.h"
#include "devices/port92.h"
#include "devices/post_port.h"
#include "devices/reset_control.h"
#include "devices/uart16550.h"
#include "device_test_util.h"

namespace orcvm {
namespace {

class I8042Test : public ::testing::Test {
 protected:
  I8042Test()
      : kbc(&irq1, &irq12, [this](const char* source) { reset_sources.push_back(source); },
            [this](bool on) { a20_events.push_back(on); }) {}
  test::RecordingIrq irq1, irq12;
  std::vector<std::string> reset_sources;
  std::vector<bool> a20_events;
  I8042 kbc;
};

TEST_F(I8042Test, IdleControllerStatus) {
  EXPECT_EQ(kbc.port_read(0x64, 1) & 0x01, 0u);  // output buffer empty
  EXPECT_EQ(kbc.port_read(0x64, 1) & 0x02, 0u);  // input buffer empty
  EXPECT_EQ(kbc.port_read(0x64, 1) & 0x10, 0x10u);  // keyboard not inhibited
}

TEST_F(I8042Test, SelfTestAnswers55) {
  kbc.port_write(0x64, 1, 0xaa);
  EXPECT_EQ(kbc.port_read(0x64, 1) & 0x05, 0x05u);  // output full, system flag
  EXPECT_EQ(kbc.port_read(0x60, 1), 0x55u);
  EXPECT_EQ(kbc.port_read(0x64, 1) & 0x01, 0u);
  kbc.port_write(0x64, 1, 0xab);
  EXPECT_EQ(kbc.port_read(0x60, 1), 0x00u);
}

TEST_F(I8042Test, ResetViaFe) {
  kbc.port_write(0x64, 1, 0xfe);
  kbc.port_write(0x64, 1, 0xff);  // pulses nothing
  EXPECT_EQ(reset_sources, std::vector<std::string>{"i8042 reset (port 0x64 <- 0xfe)"});
}

TEST_F(I8042Test, CommandByteReadWrite) {
  kbc.port_write(0x64, 1, 0x60);
  kbc.port_write(0x60, 1, 0x45);
  EXPECT_EQ(kbc.command_byte(), 0x45);
  kbc.port_write(0x64, 1, 0x20);
  EXPECT_EQ(kbc.port_read(0x60, 1), 0x45u);
  kbc.port_write(0x64, 1, 0xad);
  EXPECT_EQ(kbc.command_byte() & 0x10, 0x10);
  kbc.port_write(0x64, 1, 0xae);
  EXPECT_EQ(kbc.command_byte() & 0x10, 0);
}

TEST_F(I8042Test, OutputPortA20AndReset) {
  kbc.port_write(0x64, 1, 0xd1);
  kbc.port_write(0x60, 1, 0xcd);  // A20 off
  ASSERT_EQ(a20_events.size(), 1u);
  EXPECT_FALSE(a20_events[0]);
  EXPECT_FALSE(kbc.a20());
  kbc.port_write(0x64, 1, 0xdf);  // A20 on
  EXPECT_TRUE(kbc.a20());
  kbc.port_write(0x64, 1, 0xd0);
  EXPECT_EQ(kbc.port_read(0x60, 1) & 0x03, 0x03u);
  kbc.port_write(0x64, 1, 0xd1);
  kbc.port_write(0x60, 1, 0xce);  // reset line low
  EXPECT_EQ(reset_sources, std::vector<std::string>{"i8042 output port (reset bit cleared)"});
}

TEST_F(I8042Test, KeyboardResetAndIrq1) {
  kbc.port_write(0x60, 1, 0xff);
  EXPECT_TRUE(irq1.level);  // command byte bit 0 is set at power-on
  EXPECT_EQ(kbc.port_read(0x60, 1), 0xfau);
  EXPECT_EQ(kbc.port_read(0x60, 1), 0xaau);
  EXPECT_FALSE(irq1.level);
}

TEST_F(I8042Test, MouseThroughD4) {
  kbc.port_write(0x64, 1, 0xd4);
  kbc.port_write(0x60, 1, 0xf2);
  EXPECT_EQ(kbc.port_read(0x64, 1) & 0x21, 0x21u);  // mouse data in the buffer
  EXPECT_TRUE(irq12.level);
  EXPECT_EQ(kbc.port_read(0x60, 1), 0xfau);
  EXPECT_EQ(kbc.port_read(0x60, 1), 0x00u);
  EXPECT_FALSE(irq12.level);
}

TEST(Port92, A20AndFastReset) {
  int resets = 0;
  bool a20 = true;
  Port92 p([&] { ++resets; }, [&](bool on) { a20 = on; });
  EXPECT_EQ(p.port_read(0x92, 1), 0x02u);
  p.port_write(0x92, 1, 0x00);
  EXPECT_FALSE(a20);
  p.port_write(0x92, 1, 0x03);
  EXPECT_TRUE(a20);
  EXPECT_EQ(resets, 1);
}

TEST(ResetControl, Cf9) {
  int resets = 0;
  ResetControl r([&] { ++resets; });
  r.port_write(0xcf9, 1, 0x02);
  EXPECT_EQ(resets, 0);
  EXPECT_EQ(r.port_read(0xcf9, 1), 0x02u);
  r.port_write(0xcf9, 1, 0x06);
  EXPECT_EQ(resets, 1);
}

TEST(PostPort, SwallowsWrites) {
  PostPort p;
  p.port_write(0x80, 1, 0x42);
  EXPECT_EQ(p.last(), 0x42);
  EXPECT_EQ(p.port_read(0x80, 1), 0xffu);
}

class UartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out = std::tmpfile();
    uart = std::make_unique<Uart16550>(out);
    uart->connect_irq(&irq4);
  }
  void TearDown() override { std::fclose(out); }
  std::string output() {
    std::fflush(out);
    std::rewind(out);
    std::string s;
    for (int c; (c = std::fgetc(out)) != EOF;) s.push_back(static_cast<char>(c));
    return s;
  }
  FILE* out = nullptr;
  test::RecordingIrq irq4;
  std::unique_ptr<Uart16550> uart;
};

TEST_F(UartTest, TransmitAndIdleLineStatus) {
  EXPECT_EQ(uart->port_read(0x3fd, 1), 0x60u);
  for (char c : std::string("ok\n")) uart->port_write(0x3f8, 1, c);
  EXPECT_EQ(output(), "ok\n");
  EXPECT_EQ(uart->port_read(0x3fa, 1), 0x01u);  // no interrupt
  EXPECT_FALSE(irq4.level);
}

TEST_F(UartTest, ThreInterrupt) {
  uart->port_write(0x3f9, 1, 0x02);  // ETBEI
  EXPECT_TRUE(irq4.level);
  EXPECT_EQ(uart->port_read(0x3fa, 1), 0x02u);
  EXPECT_FALSE(irq4.level);  // reading IIR cleared the THRE source
  EXPECT_EQ(uart->port_read(0x3fa, 1), 0x01u);
  uart->port_write(0x3f8, 1, 'x');
  EXPECT_TRUE(irq4.level);  // transmitter empty again
}

TEST_F(UartTest, ReceiveDataAvailable) {
  uart->port_write(0x3f9, 1, 0x01);  // ERBFI
  uart->receive('a');
  EXPECT_TRUE(irq4.level);
  EXPECT_EQ(uart->port_read(0x3fd, 1) & 0x01, 0x01u);
  EXPECT_EQ(uart->port_read(0x3fa, 1), 0x04u);
  EXPECT_EQ(uart->port_read(0x3f8, 1), uint32_t{'a'});
  EXPECT_EQ(uart->port_read(0x3fd, 1) & 0x01, 0u);
  EXPECT_FALSE(irq4.level);
}

TEST_F(UartTest, FifoTriggerAndTimeout) {
  uart->port_write(0x3fa, 1, 0xc7);  // FIFO on, clear, trigger 14
  uart->port_write(0x3f9, 1, 0x01);
  EXPECT_EQ(uart->port_read(0x3fa, 1) & 0xc0, 0xc0u);
  for (int i = 0; i < 3; ++i) uart->receive('0' + i);
  EXPECT_EQ(uart->port_read(0x3fa, 1), 0xccu);  // character timeout below the trigger
  for (int i = 3; i < 14; ++i) uart->receive('0' + i);
  EXPECT_EQ(uart->port_read(0x3fa, 1), 0xc4u);  // trigger level reached
  for (int i = 0; i < 14; ++i) EXPECT_EQ(uart->port_read(0x3f8, 1), uint32_t('0' + i));
  EXPECT_EQ(uart->port_read(0x3fa, 1), 0xc1u);
}

TEST_F(UartTest, OverrunHasLineStatusPriority) {
  uart->port_write(0x3f9, 1, 0x07);  // RDA, THRE, RLS
  uart->receive('a');
  uart->receive('b');  // no FIFO: overrun
  EXPECT_EQ(uart->port_read(0x3fa, 1), 0x06u);
  EXPECT_EQ(uart->port_read(0x3fd, 1) & 0x03, 0x03u);  // DR + OE; clears OE
  EXPECT_EQ(uart->port_read(0x3fa, 1), 0x04u);
}

TEST_F(UartTest, LoopbackAsLinuxProbes) {
  uart->port_write(0x3fc, 1, 0x1a);  // LOOP | OUT2 | RTS
  EXPECT_EQ(uart->port_read(0x3fe, 1) & 0xf0, 0x90u);
  uart->port_write(0x3f8, 1, 'z');
  EXPECT_EQ(uart->port_read(0x3f8, 1), uint32_t{'z'});
  EXPECT_EQ(output(), "");
}

TEST_F(UartTest, ScratchIerMaskAndDivisor) {
  uart->port_write(0x3ff, 1, 0x5a);
  EXPECT_EQ(uart->port_read(0x3ff, 1), 0x5au);
  uart->port_write(0x3f9, 1, 0xff);
  EXPECT_EQ(uart->port_read(0x3f9, 1), 0x0fu);
  uart->port_write(0x3f9, 1, 0x00);
  uart->port_write(0x3fb, 1, 0x83);
  uart->port_write(0x3f8, 1, 0x01);
  uart->port_write(0x3f9, 1, 0x00);
  EXPECT_EQ(uart->port_read(0x3f8, 1), 0x01u);
  uart->port_write(0x3fb, 1, 0x03);
  EXPECT_EQ(uart->port_read(0x3fb, 1), 0x03u);
}

TEST_F(UartTest, InputFromHostDescriptor) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  uart->set_input_fd(fds[0]);
  uart->port_write(0x3fa, 1, 0x01);  // FIFO on, trigger 1
  uart->port_write(0x3f9, 1, 0x01);
  EXPECT_FALSE(uart->poll_input());  // nothing yet, and no blocking
  ASSERT_EQ(write(fds[1], "hi", 2), 2);
  EXPECT_TRUE(uart->poll_input());
  EXPECT_TRUE(irq4.level);
  EXPECT_EQ(uart->port_read(0x3f8, 1), uint32_t{'h'});
  EXPECT_EQ(uart->port_read(0x3f8, 1), uint32_t{'i'});
  close(fds[1]);
  uart->poll_input();
  EXPECT_EQ(uart->input_fd(), -1);  // end of input seen
  close(fds[0]);
}

}  // namespace
}  // namespace orcvm
