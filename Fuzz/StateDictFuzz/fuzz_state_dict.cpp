// libFuzzer target for the state-dict reader (Sources/CTorchShim/fl_state_dict_reader.hpp):
// the zip records, the pickle opcodes and the tensor bounds of a `torch.save` archive, without
// libtorch. scripts/fuzz.sh builds it with AddressSanitizer and UndefinedBehaviorSanitizer
// (signed overflow in the bounds arithmetic is a finding) and seeds it with real torch.save
// files (write_seeds.py).
//
// Besides crashes, leaks and hangs it checks what the reader promises: bad input is a
// std::runtime_error with a message, and every tensor it accepts lies inside its storage.
#include "../../Sources/CTorchShim/fl_state_dict_reader.hpp"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace fl::state_dict;
  std::vector<NamedTensor> tensors;
  try {
    tensors = read_state_dict(Bytes(data, size));
  } catch (const std::runtime_error &e) {
    if (std::string(e.what()).empty()) {
      std::fprintf(stderr, "state-dict: an error without a message\n");
      std::abort();
    }
    return 0;
  }
  for (const auto &t : tensors) {
    // Read every element the view reaches, as the shim's as_strided(...).clone() does:
    // AddressSanitizer reports any that lies outside the file.
    size_t element = element_size(t.tensor.dtype);
    if (t.numel == 0) continue;
    int64_t last = t.tensor.offset;
    for (size_t i = 0; i < t.tensor.size.size(); i++) last += (t.tensor.size[i] - 1) * t.tensor.stride[i];
    volatile uint8_t sink = t.storage[size_t(t.tensor.offset) * element] ^ t.storage[size_t(last) * element + element - 1];
    (void)sink;
  }
  return 0;
}
