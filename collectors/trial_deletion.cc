#include "collectors/trial_deletion.h"

#include "heap/fatal.h"
#include "heap/ref_count_word.h"

namespace gclab {
namespace {

using ref_count::Colour;

using ref_count::load;
using ref_count::store;

}  // namespace

TrialDeletion::Freed TrialDeletion::collect(std::vector<Object*>& candidates) {
  Freed freed;
  std::vector<Object*> roots;
  for (Object* candidate : candidates) {
    std::uint32_t word = load(candidate);
    if (ref_count::colour(word) == Colour::kPurple &&
        ref_count::count(word) > 0) {
      mark_grey(candidate);
      roots.push_back(candidate);
      continue;
    }
    store(candidate, word & ~ref_count::kCandidate);
    if (ref_count::colour(word) == Colour::kBlack &&
        ref_count::count(word) == 0) {
      freed.released.push_back(candidate);
    }
  }
  candidates.clear();
  for (Object* root : roots) scan(root);
  for (Object* root : roots) {
    store(root, load(root) & ~ref_count::kCandidate);
    collect_white(root, freed.cyclic);
  }
  return freed;
}

void TrialDeletion::mark_grey(Object* object) {
  std::uint32_t word = load(object);
  if (ref_count::colour(word) == Colour::kGrey) return;
  store(object, ref_count::with_colour(word, Colour::kGrey));
  stack_.push_back(object);
  while (!stack_.empty()) {
    Object* grey = stack_.back();
    stack_.pop_back();
    for (std::size_t i = 0; i < grey->num_refs(); ++i) {
      Object* child = grey->load_slot(i);
      if (child == nullptr) continue;
      std::uint32_t child_word = load(child);
      if (!stuck(child_word)) {
        if (ref_count::count(child_word) == 0) {
          fatal(
              "ref-count: trial deletion found a reference the count "
              "does not include (count underflow)");
        }
        child_word -= ref_count::kOne;
      }
      if (ref_count::colour(child_word) != Colour::kGrey) {
        child_word = ref_count::with_colour(child_word, Colour::kGrey);
        stack_.push_back(child);
      }
      store(child, child_word);
    }
  }
}

void TrialDeletion::scan(Object* object) {
  stack_.push_back(object);
  while (!stack_.empty()) {
    Object* next = stack_.back();
    stack_.pop_back();
    std::uint32_t word = load(next);
    if (ref_count::colour(word) != Colour::kGrey) continue;
    if (ref_count::count(word) > 0) {
      scan_black(next);
      continue;
    }
    store(next, ref_count::with_colour(word, Colour::kWhite));
    for (std::size_t i = 0; i < next->num_refs(); ++i) {
      if (Object* child = next->load_slot(i)) stack_.push_back(child);
    }
  }
}

void TrialDeletion::scan_black(Object* object) {
  store(object, ref_count::with_colour(load(object), Colour::kBlack));
  black_stack_.push_back(object);
  while (!black_stack_.empty()) {
    Object* black = black_stack_.back();
    black_stack_.pop_back();
    for (std::size_t i = 0; i < black->num_refs(); ++i) {
      Object* child = black->load_slot(i);
      if (child == nullptr) continue;
      std::uint32_t child_word = load(child);
      if (!stuck(child_word)) child_word += ref_count::kOne;
      if (ref_count::colour(child_word) != Colour::kBlack) {
        child_word = ref_count::with_colour(child_word, Colour::kBlack);
        black_stack_.push_back(child);
      }
      store(child, child_word);
    }
  }
}

// Whites left in the buffer are collected in their own turn, so that each
// object is taken once.
void TrialDeletion::collect_white(Object* object,
                                  std::vector<Object*>& whites) {
  auto take = [&](Object* white) {
    std::uint32_t word = load(white);
    if (ref_count::colour(word) != Colour::kWhite ||
        (word & ref_count::kCandidate) != 0) {
      return;
    }
    store(white, ref_count::with_colour(word, Colour::kBlack));
    whites.push_back(white);
    stack_.push_back(white);
  };
  take(object);
  while (!stack_.empty()) {
    Object* white = stack_.back();
    stack_.pop_back();
    for (std::size_t i = 0; i < white->num_refs(); ++i) {
      if (Object* child = white->load_slot(i)) take(child);
    }
  }
}

}  // namespace gclab
