#include "heap/arena.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstddef>

namespace gclab {
namespace {

long minor_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

TEST(Arena, PretouchCommitsEveryPageAndKeepsWhatWasWritten) {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t pages = 512;
  Arena arena(pages * page);
  // Written before the pretouch, as an allocator writes its first headers.
  arena.begin()[0] = std::byte{0x5a};
  arena.begin()[page * 7 + 3] = std::byte{0xa5};

  long before = minor_faults();
  arena.pretouch();
  long pretouch_faults = minor_faults() - before;
  EXPECT_GE(pretouch_faults, static_cast<long>(pages) - 2)
      << "the untouched pages are committed by the pretouch";

  EXPECT_EQ(arena.begin()[0], std::byte{0x5a});
  EXPECT_EQ(arena.begin()[page * 7 + 3], std::byte{0xa5});
  EXPECT_EQ(arena.begin()[page * 100], std::byte{0}) << "fresh pages read 0";

  before = minor_faults();
  for (std::size_t i = 0; i < pages; ++i) {
    arena.begin()[i * page + 1] = std::byte{1};
  }
  EXPECT_LT(minor_faults() - before, static_cast<long>(pages) / 4)
      << "writing to a pretouched page faults no more";
}

}  // namespace
}  // namespace gclab
