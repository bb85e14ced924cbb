// Result files are written whole or not at all: the document goes to
// FILE.tmp, which is renamed onto FILE only once fully written and flushed,
// so a crash, a full disk or a failed run never leaves a truncated FILE.
#ifndef GCLAB_HARNESS_JSON_FILE_H_
#define GCLAB_HARNESS_JSON_FILE_H_

#include <nlohmann/json.hpp>
#include <string>

namespace gclab {

// Throws ConfigError when FILE's directory does not exist or is not
// writable: checked before a run, so that a long run is not wasted.
void check_output_path(const std::string& path);

// Throws ConfigError (and leaves neither FILE.tmp nor a new FILE) on failure.
void write_json_file(const std::string& path,
                     const nlohmann::ordered_json& document);

// Throws ConfigError when FILE cannot be read or is not JSON.
nlohmann::ordered_json read_json_file(const std::string& path);

}  // namespace gclab

#endif  // GCLAB_HARNESS_JSON_FILE_H_
