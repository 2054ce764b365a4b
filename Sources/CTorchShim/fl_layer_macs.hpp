// fl_layer_macs.hpp — multiply-accumulates of the convolution and linear layers a forward
// pass runs, observed at libtorch's dispatcher.
//
// The count watches the operators the network actually calls (at::RecordFunction, the hook
// PyTorch's profiler uses), so it follows the one definition of each network
// (fl_torch_nets.hpp, or a TorchScript module) instead of a second table of its layers.
// A convolution reaches `aten::convolution` (a traced TorchScript module calls
// `aten::_convolution` directly); a linear layer is `aten::linear` in TorchScript and
// `aten::addmm` or `aten::matmul` in the C++ frontend (torch::nn::functional::linear).
// Only the outermost counted operator of a layer counts (convolution calls _convolution,
// linear calls addmm, a slow convolution may call mm), so each layer counts once.
#pragma once
#include <ATen/record_function.h>
#include <torch/torch.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

namespace fl {

namespace layer_macs_detail {

/// Where the callbacks append; set only on the counting thread for the span of one count.
inline thread_local std::vector<int64_t> *sink = nullptr;

/// How many counted operators are running on this thread (the outermost one counts).
inline thread_local int depth = 0;

/// A counted operator's multiply-accumulates per output element, carried from its start
/// (inputs) to its end (output shape); negative for one inside another, which is not counted.
struct LayerCost : at::ObserverContext {
  explicit LayerCost(int64_t per_output) : per_output(per_output) {}
  int64_t per_output;
};

enum class Kind { none, convolution, transposed_convolution, matrix_product };

/// What `fn` is; the inputs are read only for convolutions (whether transposed).
inline Kind kind(const char *name, const at::RecordFunction &fn) {
  if (std::strcmp(name, "aten::convolution") == 0 || std::strcmp(name, "aten::_convolution") == 0) {
    auto in = fn.inputs();
    return in.size() >= 7 && in[6].isBool() && in[6].toBool() ? Kind::transposed_convolution : Kind::convolution;
  }
  for (const char *product : {"aten::linear", "aten::addmm", "aten::mm", "aten::matmul", "aten::bmm"})
    if (std::strcmp(name, product) == 0) return Kind::matrix_product;
  return Kind::none;
}

/// Multiply-accumulates per output element: for a convolution C_in/groups · kh · kw (the
/// weight [C_out, C_in/groups, kh, kw] without its first dimension); for a matrix product the
/// contraction length (the last dimension of the first matrix; addmm's first is its bias).
inline int64_t per_output(Kind k, const char *name, c10::ArrayRef<const c10::IValue> in) {
  if (k == Kind::convolution) {
    if (in.size() < 2 || !in[1].isTensor()) return -1;
    const auto weight = in[1].toTensor();
    int64_t n = 1;
    for (int64_t d = 1; d < weight.dim(); d++) n *= weight.size(d);
    return n;
  }
  const size_t first = std::strcmp(name, "aten::addmm") == 0 ? 1 : 0;
  if (in.size() <= first || !in[first].isTensor() || in[first].toTensor().dim() < 1) return -1;
  return in[first].toTensor().size(-1);
}

inline std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction &fn) {
  if (sink == nullptr) return nullptr;
  const char *name = fn.name();
  const Kind k = kind(name, fn);
  if (k == Kind::none) return nullptr; // only these operators' inputs are read
  if (depth++ > 0) return std::make_unique<LayerCost>(-1);
  const auto in = fn.inputs();
  if (k == Kind::transposed_convolution) {
    // weight [C_in, C_out/groups, kh, kw]: each input element feeds C_out/groups · kh · kw outputs.
    if (in.size() >= 2 && in[0].isTensor() && in[1].isTensor()) {
      const auto weight = in[1].toTensor();
      int64_t per_input = 1;
      for (int64_t d = 1; d < weight.dim(); d++) per_input *= weight.size(d);
      sink->push_back(in[0].toTensor().numel() * per_input);
    }
    return std::make_unique<LayerCost>(-1);
  }
  return std::make_unique<LayerCost>(per_output(k, name, in));
}

inline void on_end(const at::RecordFunction &fn, at::ObserverContext *context) {
  if (sink == nullptr || context == nullptr) return;
  depth--;
  const auto cost = static_cast<LayerCost *>(context)->per_output;
  const auto &outputs = fn.outputs();
  if (cost < 0 || outputs.empty() || !outputs[0].isTensor()) return;
  sink->push_back(outputs[0].toTensor().numel() * cost);
}

} // namespace layer_macs_detail

/// The multiply-accumulates of every convolution and linear layer `forward` runs on this
/// thread, in call order. Bias additions, normalisation, activations and pooling are not
/// counted (a few operations per activation, as roofline figures for CNNs usually leave out).
inline std::vector<int64_t> count_layer_macs(const std::function<void()> &forward) {
  namespace d = layer_macs_detail;
  std::vector<int64_t> macs;
  auto handle = at::addThreadLocalCallback(
      at::RecordFunctionCallback(&d::on_start, &d::on_end).needsInputs(true).needsOutputs(true));
  d::sink = &macs;
  struct Reset {
    at::CallbackHandle handle;
    ~Reset() {
      layer_macs_detail::sink = nullptr;
      layer_macs_detail::depth = 0;
      at::removeCallback(handle);
    }
  } reset{handle};
  forward();
  return macs;
}

} // namespace fl
