// The jemalloc baseline (bench/malloc_baseline.h), in a binary of its own:
// Debian's jemalloc has no prefixed API (its je_ names are macros for
// malloc and free), so linking it makes jemalloc the malloc of the whole
// process, and glibc's malloc could no longer be measured beside it. The
// benchmarks call malloc and free, and check that they resolve into
// libjemalloc.
#include <jemalloc/jemalloc.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "bench/allocation_patterns.h"
#include "bench/malloc_baseline.h"

namespace gclab::bench {
namespace {

struct Jemalloc {
  static constexpr std::string_view kName = "jemalloc";
  static constexpr const char* kSymbol = "malloc";
  static constexpr std::string_view kLibrary = "libjemalloc";
  static void* allocate(std::size_t bytes) { return std::malloc(bytes); }
  static void release(void* block) { std::free(block); }
  // The version of the library loaded, which mallctl also makes sure is
  // linked.
  static std::string version() {
    const char* version = nullptr;
    std::size_t length = sizeof version;
    if (mallctl("version", &version, &length, nullptr, 0) != 0) {
      return "jemalloc (version unknown)";
    }
    return std::string("jemalloc ") + version;
  }
};

}  // namespace
}  // namespace gclab::bench

int main(int argc, char** argv) {
  return gclab::bench::run_benchmarks(argc, argv, [](int&, char**) {
    gclab::bench::register_malloc_benchmarks<gclab::bench::Jemalloc>();
  });
}
