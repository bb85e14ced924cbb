#include "bench/malloc_baseline.h"

#include <dlfcn.h>

namespace gclab::bench {

std::string library_defining(const char* symbol) {
  // RTLD_DEFAULT finds the definition the process's own calls bind to: the
  // first in load order, so an interposed malloc is found, not libc's.
  void* address = dlsym(RTLD_DEFAULT, symbol);
  if (address == nullptr) return "no loaded object";
  Dl_info info;
  if (dladdr(address, &info) == 0 || info.dli_fname == nullptr) {
    return "an address outside every loaded object";
  }
  return info.dli_fname;
}

}  // namespace gclab::bench
