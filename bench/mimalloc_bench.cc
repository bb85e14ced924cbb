// The mimalloc baseline (bench/malloc_baseline.h), in a binary of its own:
// Debian's libmimalloc exports malloc and free as well as mi_malloc and
// mi_free, so linking it makes mimalloc the malloc of the whole process, and
// glibc's malloc could no longer be measured beside it. The benchmarks call
// mimalloc's own API.
#include <mimalloc.h>

#include <string>
#include <string_view>

#include "bench/allocation_patterns.h"
#include "bench/malloc_baseline.h"

namespace gclab::bench {
namespace {

struct Mimalloc {
  static constexpr std::string_view kName = "mimalloc";
  static constexpr const char* kSymbol = "mi_malloc";
  static constexpr std::string_view kLibrary = "libmimalloc";
  static void* allocate(std::size_t bytes) { return mi_malloc(bytes); }
  static void release(void* block) { mi_free(block); }
  // mi_version() is the major version and two digits of minor: 209 for
  // 2.0.9.
  static std::string version() {
    int version = mi_version();
    return "mimalloc " + std::to_string(version / 100) + "." +
           std::to_string(version / 10 % 10) + "." +
           std::to_string(version % 10);
  }
};

}  // namespace
}  // namespace gclab::bench

int main(int argc, char** argv) {
  return gclab::bench::run_benchmarks(argc, argv, [](int&, char**) {
    gclab::bench::register_malloc_benchmarks<gclab::bench::Mimalloc>();
  });
}
