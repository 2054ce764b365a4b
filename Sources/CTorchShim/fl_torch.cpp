// fl_torch.cpp — the extern "C" shim over libtorch declared in include/fl_torch.h.
//
// Every exported function body runs inside `guarded`, which turns any C++ exception into
// a status code and a thread-local message, so no exception ever crosses into Swift.
#include "fl_torch.h"
#include "fl_layer_macs.hpp"
#include "fl_state_dict_reader.hpp"
#include "fl_torch_nets.hpp"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/export.h>
#include <torch/csrc/jit/serialization/pickler.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

thread_local std::string g_last_error;

/// Guards libtorch's global generator for the span of a training step (seed, then dropout),
/// so that concurrent steps on different models stay reproducible.
std::mutex g_generator_mutex;

/// An error with a status code chosen by the shim (argument or I/O problems).
struct ShimError : std::runtime_error {
  int code;
  ShimError(int code, const std::string &message) : std::runtime_error(message), code(code) {}
};

[[noreturn]] void fail(int code, const std::string &message) { throw ShimError(code, message); }

/// Runs `body`, converting exceptions into a status code and g_last_error.
template <class F> int guarded(F &&body) {
  try {
    return body();
  } catch (const ShimError &e) {
    g_last_error = e.what();
    return e.code;
  } catch (const c10::Error &e) {
    g_last_error = e.what_without_backtrace();
    return FLT_ERR_TORCH;
  } catch (const std::bad_alloc &) {
    g_last_error = "out of memory";
    return FLT_ERR_INTERNAL;
  } catch (const std::exception &e) {
    g_last_error = e.what();
    return FLT_ERR_INTERNAL;
  } catch (...) {
    g_last_error = "unknown C++ exception";
    return FLT_ERR_INTERNAL;
  }
}

void require(bool condition, const std::string &message) {
  if (!condition) fail(FLT_ERR_ARGUMENT, message);
}

std::string shape_string(c10::IntArrayRef sizes) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < sizes.size(); i++) s << (i ? ", " : "") << sizes[i];
  s << "]";
  return s.str();
}

/// The orthonormal DCT-II matrix C[k][j] = a(k)·cos(π(2j + 1)k / 2N), a(0) = √(1/N),
/// a(k > 0) = √(2/N), so that C x is the DCT of a column x and Cᵀ its inverse.
torch::Tensor dct_matrix(int64_t size, torch::ScalarType dtype, torch::Device device) {
  auto k = torch::arange(size, torch::kDouble).view({size, 1});
  auto j = torch::arange(size, torch::kDouble).view({1, size});
  auto c = torch::cos(M_PI * (2 * j + 1) * k / double(2 * size)) * std::sqrt(2.0 / double(size));
  c[0] /= std::sqrt(2.0);
  return c.to(device, dtype);
}

/// Copies a tensor (any device, any floating or integer dtype) into caller memory as `T`.
template <class T> void copy_to_host(const torch::Tensor &t, T *out) {
  auto host = t.detach().to(torch::kCPU, c10::CppTypeToScalarType<T>::value).contiguous();
  std::memcpy(out, host.template data_ptr<T>(), size_t(host.numel()) * sizeof(T));
}

/// Reads a whole file; a missing or unreadable file is an I/O error naming it.
std::vector<char> read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(FLT_ERR_IO, "cannot open for reading");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail(FLT_ERR_IO, "read failed");
  return bytes;
}

/// A temporary name next to `path`, unique per process and call.
std::string temporary_path(const std::string &path) {
  static std::atomic<uint64_t> counter{0};
  auto slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return dir + "." + base + ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

/// Writes through `write(tmp)` then renames tmp over `path`, removing tmp on failure.
template <class W> void write_atomically(const std::string &path, W &&write) {
  std::string tmp = temporary_path(path);
  try {
    write(tmp);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string reason = std::strerror(errno);
    std::remove(tmp.c_str());
    fail(FLT_ERR_IO, "cannot rename temporary file (" + reason + ")");
  }
}

} // namespace

// ---- the model handle ------------------------------------------------------------------

struct flt_model {
  std::string arch;
  int64_t channels = 0, classes = 0, height = 0, width = 0;
  torch::Tensor mean, std; // [1, C, 1, 1], in the model's dtype
  torch::ScalarType dtype = torch::kFloat;
  /// Where weights, buffers and every call's tensors live (flt_model_to_device).
  torch::Device device = torch::kCPU;
  /// Run convolutions on channels-last (NHWC) tensors, which oneDNN prefers.
  bool channels_last = false;
  std::shared_ptr<fl::Net> net;                 // a built-in architecture, or
  std::unique_ptr<torch::jit::Module> script;   // a TorchScript module

  /// DCT-II matrices of masked passes by size, made once for the model's dtype and device.
  std::map<int64_t, torch::Tensor> dct_matrices;
  torch::Tensor dct(int64_t size) {
    auto &m = dct_matrices[size];
    if (!m.defined() || m.device() != device || m.scalar_type() != dtype) m = dct_matrix(size, dtype, device);
    return m;
  }

  /// In evaluation mode, run the network with BatchNorm folded into the convolutions.
  bool fold_batchnorm = true;
  /// Identity of the parameters and buffers the folded weights were computed from.
  uint64_t folded_signature = 0;
  bool folded_valid = false;

  /// Recomputes the folded weights when a parameter or buffer has changed since (a training
  /// step, loaded weights, another dtype or memory order): in-place updates bump a tensor's
  /// version counter, replacements change its storage.
  void ensure_folded() {
    uint64_t sig = 1469598103934665603ull;
    auto mix = [&](const torch::Tensor &t) {
      sig = (sig ^ uint64_t(reinterpret_cast<uintptr_t>(t.data_ptr()))) * 1099511628211ull;
      sig = (sig ^ uint64_t(t._version())) * 1099511628211ull;
    };
    for (const auto &p : net->parameters()) mix(p);
    for (const auto &b : net->buffers()) mix(b);
    if (folded_valid && sig == folded_signature) return;
    // Folded weights must be ordinary tensors (not inference tensors): input gradients save them.
    c10::InferenceMode normal(false);
    net->fold();
    folded_signature = sig;
    folded_valid = true;
  }

  /// Normalises pixel-space input (on the model's device) as the model does.
  torch::Tensor normalise(const torch::Tensor &x) const { return (x.to(dtype) - mean) / std; }

  /// Normalises pixel-space input and runs the network in its current mode.
  torch::Tensor run(const torch::Tensor &x) { return run_normalised(normalise(x)); }

  /// Runs the network in its current mode on an already normalised batch.
  torch::Tensor run_normalised(torch::Tensor normalised) {
    if (channels_last) normalised = normalised.contiguous(torch::MemoryFormat::ChannelsLast);
    if (net && fold_batchnorm && !net->is_training()) {
      ensure_folded();
      return net->forward_folded(normalised);
    }
    if (net) return net->forward(normalised);
    auto out = script->forward({normalised});
    if (!out.isTensor()) fail(FLT_ERR_TORCH, "the TorchScript module returned " + out.tagKind() + ", not a tensor of logits");
    return out.toTensor();
  }

  bool is_training() const { return net ? net->is_training() : script->is_training(); }
  void set_training(bool on) {
    if (net) net->train(on);
    else script->train(on);
  }

  std::vector<torch::Tensor> parameters() const {
    if (net) return net->parameters();
    std::vector<torch::Tensor> out;
    for (const auto &p : script->parameters()) out.push_back(p);
    return out;
  }

  /// Every parameter and buffer with its state-dict name (aliases the module's storage).
  std::vector<std::pair<std::string, torch::Tensor>> state() const {
    if (net) return fl::state_dict_entries(*net);
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto &p : script->named_parameters()) out.emplace_back(p.name, p.value);
    for (const auto &b : script->named_buffers()) out.emplace_back(b.name, b.value);
    return out;
  }

  /// Caller memory as a tensor on the model's device: a view on the CPU, a copy elsewhere.
  torch::Tensor on_device(const torch::Tensor &host) const { return device.is_cpu() ? host : host.to(device); }

  /// A [n, c, h, w] batch of caller memory on the model's device, after checking the shape
  /// fits the model.
  torch::Tensor wrap_input(const float *input, int64_t n, int64_t c, int64_t h, int64_t w) const {
    require(input != nullptr, "input buffer is null");
    require(n > 0, "empty batch");
    if (c != channels || h != height || w != width)
      fail(FLT_ERR_SHAPE, "input shape " + shape_string({n, c, h, w}) + " does not match the model's input " +
                shape_string({channels, height, width}));
    return on_device(torch::from_blob(const_cast<float *>(input), {n, c, h, w}, torch::kFloat));
  }

  void check_logits(const torch::Tensor &logits, int64_t n) const {
    if (logits.dim() != 2 || logits.size(0) != n || logits.size(1) != classes)
      fail(FLT_ERR_SHAPE, "the model produced logits of shape " + shape_string(logits.sizes()) +
                                 ", expected " + shape_string({n, classes}));
  }
};

struct flt_optimizer {
  std::unique_ptr<torch::optim::Optimizer> impl;
  int kind = FLT_OPTIMIZER_SGD;
};

namespace {

/// Switches a model into evaluation or training mode for one call, then restores it.
struct ModeGuard {
  flt_model *model;
  bool previous;
  ModeGuard(flt_model *m, bool training) : model(m), previous(m->is_training()) {
    if (previous != training) model->set_training(training);
  }
  ~ModeGuard() {
    if (model->is_training() != previous) model->set_training(previous);
  }
};

/// Freezes every parameter (requires_grad = false) for one call, so that an input gradient
/// builds no graph through the weights; restores the previous flags afterwards.
struct FrozenParameters {
  std::vector<std::pair<torch::Tensor, bool>> saved;
  explicit FrozenParameters(const flt_model *m) {
    for (auto &p : m->parameters()) {
      saved.emplace_back(p, p.requires_grad());
      if (p.requires_grad()) p.set_requires_grad(false);
    }
  }
  ~FrozenParameters() {
    for (auto &[p, flag] : saved)
      if (p.requires_grad() != flag) p.set_requires_grad(flag);
  }
};

torch::Tensor channel_vector(const float *values, int channels, const char *what) {
  require(values != nullptr, std::string(what) + " is null");
  auto t = torch::from_blob(const_cast<float *>(values), {1, channels, 1, 1}, torch::kFloat).clone();
  if (std::string(what) == "std")
    require((t > 0).all().item<bool>(), "every std entry must be positive");
  require(torch::isfinite(t).all().item<bool>(), std::string(what) + " has a non-finite entry");
  return t;
}

/// Copies named tensors (from a file) into the model, checking that the names and shapes
/// match exactly. Messages name no file: the caller knows which one it passed.
void copy_state(flt_model *model, const c10::Dict<c10::IValue, c10::IValue> &dict) {
  std::map<std::string, torch::Tensor> incoming;
  bool all_prefixed = dict.size() > 0;
  for (const auto &kv : dict) {
    if (!kv.key().isString()) fail(FLT_ERR_IO, "a key of the state dict is not a string");
    if (!kv.value().isTensor())
      fail(FLT_ERR_IO, "entry '" + kv.key().toStringRef() + "' is not a tensor");
    const auto &name = kv.key().toStringRef();
    if (name.rfind("module.", 0) != 0) all_prefixed = false;
    incoming[name] = kv.value().toTensor();
  }
  if (all_prefixed) { // saved from nn.DataParallel
    std::map<std::string, torch::Tensor> stripped;
    for (auto &[k, v] : incoming) stripped[k.substr(7)] = v;
    incoming.swap(stripped);
  }
  auto entries = model->state();
  std::vector<std::string> missing, wrong;
  for (auto &[name, target] : entries) {
    auto it = incoming.find(name);
    if (it == incoming.end()) {
      missing.push_back(name);
      continue;
    }
    if (it->second.sizes() != target.sizes())
      wrong.push_back(name + " " + shape_string(it->second.sizes()) + " (model " + shape_string(target.sizes()) + ")");
  }
  std::vector<std::string> unexpected;
  for (auto &[name, t] : incoming) {
    bool known = false;
    for (auto &e : entries)
      if (e.first == name) known = true;
    if (!known) unexpected.push_back(name);
  }
  auto list = [](const std::vector<std::string> &v) {
    std::string s;
    for (size_t i = 0; i < v.size() && i < 5; i++) s += (i ? ", " : "") + v[i];
    if (v.size() > 5) s += ", ... (" + std::to_string(v.size()) + " in all)";
    return s;
  };
  if (!missing.empty()) fail(FLT_ERR_IO, "missing tensors for the " + model->arch + " model: " + list(missing));
  if (!wrong.empty()) fail(FLT_ERR_IO, "tensors of the wrong shape: " + list(wrong));
  if (!unexpected.empty()) fail(FLT_ERR_IO, "tensors the " + model->arch + " model does not have: " + list(unexpected));
  torch::NoGradGuard no_grad;
  for (auto &[name, target] : entries) target.copy_(incoming[name].to(target.dtype()));
}

/// The bytes `torch.save(d, path)` writes for a dict of tensors d: a zip archive with the
/// pickle in data.pkl and each tensor's storage in data/<i>. torch::pickle_save writes the
/// same archive but tags the dict with its TorchScript type (torch.jit._pickle.restore_type_tag),
/// which torch.load refuses by default since PyTorch 2.6 (weights_only=True); without the tag
/// it is a plain dict that `torch.load(path)` reads as is.
std::vector<char> torch_save_bytes(const c10::Dict<std::string, torch::Tensor> &dict) {
  std::vector<char> pickle;
  torch::jit::Pickler pickler([&](const char *bytes, size_t size) { pickle.insert(pickle.end(), bytes, bytes + size); },
                              nullptr, nullptr, nullptr, nullptr, /*tag_aggregates=*/false);
  pickler.protocol();
  pickler.pushIValue(dict);
  pickler.stop();
  std::vector<char> archive;
  caffe2::serialize::PyTorchStreamWriter writer([&](const void *bytes, size_t size) {
    archive.insert(archive.end(), static_cast<const char *>(bytes), static_cast<const char *>(bytes) + size);
    return size;
  });
  torch::jit::writeArchiveAndTensors("data", pickle.data(), pickle.size(), pickler.tensorData(), writer);
  writer.writeEndOfFile();
  return archive;
}

/// The element type of a storage as libtorch names it.
torch::ScalarType scalar_type(fl::state_dict::DType t) {
  using fl::state_dict::DType;
  switch (t) {
  case DType::Float32: return torch::kFloat;
  case DType::Float64: return torch::kDouble;
  case DType::Float16: return torch::kHalf;
  case DType::BFloat16: return torch::kBFloat16;
  case DType::Int64: return torch::kLong;
  case DType::Int32: return torch::kInt;
  case DType::Int16: return torch::kShort;
  case DType::Int8: return torch::kChar;
  case DType::UInt8: return torch::kByte;
  case DType::Bool: return torch::kBool;
  }
  fail(FLT_ERR_INTERNAL, "unknown storage element type");
}

/// Reads the state dict of a `torch.save` archive: what Python writes with
/// `torch.save(model.state_dict(), path)` (an OrderedDict) or `torch.save(dict(...), path)`,
/// and what flt_model_save_weights writes (fl_state_dict_reader.hpp says why not pickle_load).
/// The reader checks every tensor's bounds; here each becomes an owned copy of its view.
c10::Dict<c10::IValue, c10::IValue> read_tensor_dict(const std::string &path) {
  auto bytes = read_file(path); // a clear error for a missing or unreadable file
  c10::impl::GenericDict dict(c10::StringType::get(), c10::TensorType::get());
  try {
    auto file = fl::state_dict::Bytes(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
    std::map<std::pair<std::string, torch::ScalarType>, torch::Tensor> storages;  // shared storages, copied once
    for (const auto &t : fl::state_dict::read_state_dict(file)) {
      auto type = scalar_type(t.tensor.dtype);
      auto &storage = storages[{t.tensor.storage, type}];
      if (!storage.defined()) {
        storage = torch::empty({int64_t(t.storage.size() / c10::elementSize(type))}, torch::TensorOptions(type));
        if (!t.storage.empty()) std::memcpy(storage.data_ptr(), t.storage.data(), t.storage.size());
      }
      dict.insert(t.name, storage.as_strided(t.tensor.size, t.tensor.stride, t.tensor.offset).clone());
    }
  } catch (const std::exception &e) {
    std::string what = e.what();
    if (auto *ce = dynamic_cast<const c10::Error *>(&e)) what = ce->what_without_backtrace();
    auto newline = what.find('\n');
    if (newline != std::string::npos) what = what.substr(0, newline);
    fail(FLT_ERR_IO, "not a readable PyTorch state dict (" + what + "); save it with torch.save(model.state_dict(), path)");
  }
  return dict;
}

void require_classes(const flt_model *model, int64_t classes) {
  require(classes == model->classes, "caller expects " + std::to_string(classes) + " classes, the model has " +
                                         std::to_string(model->classes));
}

/// What an objective compares the logits with (labels or soft targets), on the model's device;
/// owned copies, since a masked pass keeps them for its backward pass after the call returns.
struct ObjectiveTarget {
  int objective = FLT_OBJECTIVE_CROSS_ENTROPY;
  torch::Tensor labels, targets;

  static ObjectiveTarget from(const flt_model *model, int objective, const int64_t *labels, const float *targets,
                              int64_t n) {
    ObjectiveTarget out;
    out.objective = objective;
    const int64_t k = model->classes;
    switch (objective) {
    case FLT_OBJECTIVE_CROSS_ENTROPY:
    case FLT_OBJECTIVE_LOGIT_MARGIN: {
      require(labels != nullptr, "this objective needs labels");
      auto y = torch::from_blob(const_cast<int64_t *>(labels), {n}, torch::kLong);
      require(((y >= 0) & (y < k)).all().item<bool>(), "a label is outside 0..." + std::to_string(k - 1));
      require(objective != FLT_OBJECTIVE_LOGIT_MARGIN || k >= 2, "the logit margin needs at least two classes");
      out.labels = model->on_device(y.clone());
      break;
    }
    case FLT_OBJECTIVE_SOFT_CROSS_ENTROPY: {
      require(targets != nullptr, "soft cross-entropy needs targets");
      auto t = torch::from_blob(const_cast<float *>(targets), {n, k}, torch::kFloat);
      require(torch::isfinite(t).all().item<bool>(), "a soft target is not finite");
      out.targets = model->on_device(t.clone()).to(model->dtype);
      break;
    }
    default:
      fail(FLT_ERR_ARGUMENT, "unknown objective " + std::to_string(objective));
    }
    return out;
  }

  /// One loss per row of logits z [n, K].
  torch::Tensor per_sample_loss(const torch::Tensor &z) const {
    const int64_t n = z.size(0);
    if (objective == FLT_OBJECTIVE_CROSS_ENTROPY) return -torch::log_softmax(z, 1).gather(1, labels.view({n, 1})).squeeze(1);
    if (objective == FLT_OBJECTIVE_SOFT_CROSS_ENTROPY) return -(targets * torch::log_softmax(z, 1)).sum(1);
    auto zy = z.gather(1, labels.view({n, 1})).squeeze(1);
    auto own = torch::zeros_like(z, torch::kBool).scatter_(1, labels.view({n, 1}), true);
    auto other = z.masked_fill(own, -std::numeric_limits<double>::infinity()).amax(1);
    return other - zy;
  }
};

/// Per-image weights of the summed loss on the model's device: the caller's, or 1/n each.
torch::Tensor sample_weights(const flt_model *model, const float *weights, int64_t n) {
  if (!weights) return torch::full({n}, 1.0 / double(n), torch::TensorOptions(model->dtype).device(model->device));
  return model->on_device(torch::from_blob(const_cast<float *>(weights), {n}, torch::kFloat)).to(model->dtype);
}


} // namespace

// ---- library -----------------------------------------------------------------------------

extern "C" const char *flt_last_error(void) { return g_last_error.c_str(); }

extern "C" int flt_version(void) { return TORCH_VERSION_MAJOR * 100 + TORCH_VERSION_MINOR; }

extern "C" int flt_set_num_threads(int n) {
  return guarded([&] {
    require(n >= 1, "thread count must be at least 1");
    torch::set_num_threads(n);
    // A shared OpenBLAS keeps its own pool; libtorch sizes OpenMP and MKL.
    if (auto setter = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) setter(n);
    return FLT_OK;
  });
}

extern "C" int flt_keep_freed_memory(size_t *mmap_threshold) {
  return guarded([&] {
    // Largest threshold glibc accepts (the limit depends on the heap size of the build).
    size_t threshold = size_t(1) << 30;
    while (threshold >= (size_t(1) << 20) && mallopt(M_MMAP_THRESHOLD, int(threshold)) == 0) threshold /= 2;
    if (threshold < (size_t(1) << 20)) fail(FLT_ERR_INTERNAL, "mallopt(M_MMAP_THRESHOLD) refused every value");
    if (mallopt(M_TRIM_THRESHOLD, int(std::min<size_t>(threshold * 2, size_t(INT_MAX)))) == 0)
      fail(FLT_ERR_INTERNAL, "mallopt(M_TRIM_THRESHOLD) failed");
    if (mmap_threshold) *mmap_threshold = threshold;
    return FLT_OK;
  });
}

extern "C" int flt_get_num_threads(void) { return torch::get_num_threads(); }

extern "C" int flt_manual_seed(uint64_t seed) {
  return guarded([&] {
    torch::manual_seed(seed);
    return FLT_OK;
  });
}

extern "C" int flt_blas_library(char *out, size_t cap) {
  return guarded([&] {
    require(out != nullptr && cap > 0, "output buffer is empty");
    // The PyPI wheel links MKL statically (BLAS_INFO=mkl in its build configuration); a
    // libtorch that calls a shared BLAS exports sgemm_ from it, which names the library.
    std::string name;
    std::string config = at::show_config();
    auto at = config.find("BLAS_INFO=");
    if (at != std::string::npos) {
      auto end = config.find_first_of(",\n", at);
      name = config.substr(at + 10, end == std::string::npos ? std::string::npos : end - at - 10);
    }
    if (void *sym = dlsym(RTLD_DEFAULT, "sgemm_")) {
      Dl_info info;
      if (dladdr(sym, &info) && info.dli_fname) name += (name.empty() ? "" : ", sgemm_ from ") + std::string(info.dli_fname);
    }
    std::snprintf(out, cap, "%s", name.empty() ? "unknown" : name.c_str());
    return FLT_OK;
  });
}

extern "C" int flt_benchmark_matmul(int n, int repeats, double *gflops) {
  return guarded([&] {
    require(n > 0 && repeats > 0 && gflops != nullptr, "bad benchmark arguments");
    torch::InferenceMode guard;
    auto a = torch::randn({n, n});
    auto b = torch::randn({n, n});
    auto c = torch::mm(a, b); // warm-up
    double best = 1e30;
    for (int r = 0; r < repeats; r++) {
      auto t0 = std::chrono::steady_clock::now();
      c = torch::mm(a, b);
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (s < best) best = s;
    }
    *gflops = 2.0 * double(n) * n * n / best / 1e9;
    return FLT_OK;
  });
}

extern "C" int flt_mkldnn_available(void) { return at::hasMKLDNN() ? 1 : 0; }

// ---- devices -------------------------------------------------------------------------------

namespace {

/// libtorch's CUDA half, loaded once: dlopen of libtorch_cuda.so from the directory of
/// libtorch_cpu.so registers CUDA with libtorch (its static initialisers install the CUDA
/// hooks), after which torch::cuda::device_count() sees the GPUs. Loading it needs the NVIDIA
/// libraries it names (cuBLAS, cuDNN, cuFFT, ... from the wheel's pip dependencies) and,
/// for a device count above 0, a driver and a GPU.
struct CudaRuntime {
  int count = 0;
  std::string reason;
  CudaRuntime() {
    Dl_info info{};
    if (!dladdr(reinterpret_cast<void *>(&at::show_config), &info) || !info.dli_fname) {
      reason = "cannot locate libtorch_cpu.so";
      return;
    }
    std::string dir = info.dli_fname;
    dir = dir.substr(0, dir.find_last_of('/') + 1);
    if (!dlopen((dir + "libtorch_cuda.so").c_str(), RTLD_NOW | RTLD_GLOBAL)) {
      const char *why = dlerror();
      reason = std::string("libtorch's CUDA library did not load (") + (why ? why : "unknown reason") + ")";
      return;
    }
    count = int(torch::cuda::device_count());
    if (count == 0) reason = "libtorch found no CUDA device (no GPU or no driver)";
  }
};

const CudaRuntime &cuda_runtime() {
  static CudaRuntime runtime; // thread-safe one-time initialisation
  return runtime;
}

} // namespace

extern "C" int flt_cuda_device_count(int *count, char *reason, size_t reason_cap) {
  return guarded([&] {
    require(count != nullptr, "null argument");
    const auto &runtime = cuda_runtime();
    *count = runtime.count;
    if (reason && reason_cap > 0) std::snprintf(reason, reason_cap, "%s", runtime.reason.c_str());
    return FLT_OK;
  });
}

// ---- models --------------------------------------------------------------------------------

namespace {
// A model's description without its network (built-in or TorchScript), checked: what both
// constructors share.
std::unique_ptr<flt_model> model_shell(const std::string &arch, int in_channels, int classes, int height, int width,
                                       const float *mean, const float *std) {
  require(in_channels >= 1 && classes >= 1 && height >= 1 && width >= 1,
          "channels, classes, height and width must be positive");
  auto model = std::make_unique<flt_model>();
  model->arch = arch;
  model->channels = in_channels;
  model->classes = classes;
  model->height = height;
  model->width = width;
  model->mean = channel_vector(mean, in_channels, "mean");
  model->std = channel_vector(std, in_channels, "std");
  return model;
}
} // namespace

extern "C" int flt_model_create(const char *arch, int in_channels, int classes, int height, int width,
                                const float *mean, const float *std, uint64_t seed, flt_model **out) {
  return guarded([&] {
    require(out != nullptr && arch != nullptr, "null argument");
    auto model = model_shell(arch, in_channels, classes, height, width, mean, std);
    try {
      model->net = fl::make_net(model->arch, in_channels, classes, height, width, seed);
    } catch (const std::invalid_argument &e) {
      fail(FLT_ERR_ARGUMENT, e.what());
    }
    if (!model->net) fail(FLT_ERR_ARGUMENT, "unknown architecture '" + model->arch + "' (known: " + fl::known_architectures() + ")");
    model->net->eval();
    *out = model.release();
    return FLT_OK;
  });
}

namespace {
// A model's own weights.pt and a PyTorch state dict are the same file format (torch.save of a
// dict of tensors, read by the reader that runs no pickle code): one loader for both entry
// points, which differ only in what they tell a TorchScript model.
int load_tensor_file(flt_model *model, const char *path, const char *torchscript_refusal) {
  return guarded([&] {
    require(model != nullptr && path != nullptr, "null argument");
    require(model->net != nullptr, torchscript_refusal);
    copy_state(model, read_tensor_dict(path));
    return FLT_OK;
  });
}
} // namespace

extern "C" int flt_model_load_weights(flt_model *model, const char *path) {
  return load_tensor_file(model, path, "a TorchScript model carries its weights in its module file");
}

extern "C" int flt_model_save_weights(const flt_model *model, const char *path) {
  return guarded([&] {
    require(model != nullptr && path != nullptr, "null argument");
    require(model->net != nullptr, "use flt_model_save_torchscript for a TorchScript model");
    c10::Dict<std::string, torch::Tensor> dict;
    for (auto &[name, t] : model->state()) dict.insert(name, t.detach().to(torch::kCPU).contiguous().clone());
    auto bytes = torch_save_bytes(dict);
    write_atomically(path, [&](const std::string &tmp) {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      if (!f) fail(FLT_ERR_IO, "cannot create " + tmp);
      f.write(bytes.data(), std::streamsize(bytes.size()));
      f.flush();
      if (!f) fail(FLT_ERR_IO, "write failed");
    });
    return FLT_OK;
  });
}

extern "C" int flt_model_load_state_dict(flt_model *model, const char *path) {
  return load_tensor_file(model, path, "state dicts load into built-in architectures only");
}

extern "C" int flt_model_load_named_tensors(flt_model *model, int64_t count,
                                            const char *const *names, const int *dtypes, const int *ranks,
                                            const int64_t *shapes, const void *const *data) {
  return guarded([&] {
    require(model != nullptr && count >= 0, "null argument");
    require(count == 0 || (names && dtypes && ranks && shapes && data), "null argument");
    require(model->net != nullptr, "state dicts load into built-in architectures only");
    c10::impl::GenericDict dict(c10::StringType::get(), c10::TensorType::get());
    const int64_t *dims = shapes;
    for (int64_t i = 0; i < count; i++) {
      torch::ScalarType type;
      switch (dtypes[i]) {
      case FLT_DTYPE_FLOAT32: type = torch::kFloat; break;
      case FLT_DTYPE_FLOAT64: type = torch::kDouble; break;
      case FLT_DTYPE_FLOAT16: type = torch::kHalf; break;
      case FLT_DTYPE_BFLOAT16: type = torch::kBFloat16; break;
      case FLT_DTYPE_INT64: type = torch::kLong; break;
      default: fail(FLT_ERR_ARGUMENT, "unknown element type " + std::to_string(dtypes[i]));
      }
      require(ranks[i] >= 0 && names[i] != nullptr && data[i] != nullptr, "bad tensor description");
      std::vector<int64_t> shape(dims, dims + ranks[i]);
      dims += ranks[i];
      dict.insert(std::string(names[i]), torch::from_blob(const_cast<void *>(data[i]), shape, type));
    }
    copy_state(model, dict);
    return FLT_OK;
  });
}

extern "C" int flt_model_load_torchscript(const char *path, int in_channels, int height, int width, int classes,
                                          const float *mean, const float *std, flt_model **out) {
  return guarded([&] {
    require(out != nullptr && path != nullptr, "null argument");
    auto model = model_shell("torchscript", in_channels, classes, height, width, mean, std);
    { read_file(path); } // a clear error for a missing or unreadable file
    try {
      model->script = std::make_unique<torch::jit::Module>(torch::jit::load(path, torch::kCPU));
    } catch (const c10::Error &e) {
      std::string what = e.what_without_backtrace();
      auto newline = what.find('\n');
      if (newline != std::string::npos) what = what.substr(0, newline);
      fail(FLT_ERR_IO, "not a loadable TorchScript module (" + what + ")");
    }
    model->script->eval();
    // Probe once so that a module for another input size or class count fails here, naming the file.
    try {
      c10::InferenceMode inference;
      auto z = model->run(torch::full({1, in_channels, height, width}, 0.5f));
      model->check_logits(z, 1);
    } catch (const std::exception &e) {
      std::string what = e.what();
      if (auto *ce = dynamic_cast<const c10::Error *>(&e)) what = ce->what_without_backtrace();
      auto newline = what.find('\n');
      if (newline != std::string::npos) what = what.substr(0, newline);
      fail(FLT_ERR_ARGUMENT, "the module does not map input " +
                                 shape_string({1, in_channels, height, width}) + " to " + std::to_string(classes) +
                                 " logits (" + what + ")");
    }
    *out = model.release();
    return FLT_OK;
  });
}

extern "C" int flt_model_save_torchscript(const flt_model *model, const char *path) {
  return guarded([&] {
    require(model != nullptr && path != nullptr, "null argument");
    require(model->script != nullptr, "not a TorchScript model");
    write_atomically(path, [&](const std::string &tmp) { model->script->save(tmp); });
    return FLT_OK;
  });
}

extern "C" int flt_model_set_double_precision(flt_model *model, int on) {
  return guarded([&] {
    require(model != nullptr, "null model");
    model->dtype = on ? torch::kDouble : torch::kFloat;
    if (model->net) model->net->to(model->dtype);
    else model->script->to(model->dtype);
    model->mean = model->mean.to(model->dtype);
    model->std = model->std.to(model->dtype);
    return FLT_OK;
  });
}

extern "C" int flt_model_set_channels_last(flt_model *model, int on) {
  return guarded([&] {
    require(model != nullptr, "null model");
    auto format = on ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
    torch::NoGradGuard no_grad;
    for (auto &entry : model->state())
      if (entry.second.dim() == 4) entry.second.set_data(entry.second.contiguous(format));
    model->channels_last = on != 0;
    return FLT_OK;
  });
}

extern "C" int flt_model_to_device(flt_model *model, const char *device) {
  return guarded([&] {
    require(model != nullptr && device != nullptr, "null argument");
    std::optional<torch::Device> target;
    try {
      target = torch::Device(device);
    } catch (const c10::Error &) {
      fail(FLT_ERR_ARGUMENT, std::string("unknown device '") + device + "' (cpu, cuda or cuda:N)");
    }
    if (target->is_cuda()) {
      const auto &runtime = cuda_runtime();
      if (runtime.count == 0) fail(FLT_ERR_DEVICE, std::string("device '") + device + "' is not available: " + runtime.reason);
      if (target->has_index() && target->index() >= runtime.count)
        fail(FLT_ERR_DEVICE, std::string("device '") + device + "' is not available: libtorch sees " +
                                 std::to_string(runtime.count) + " CUDA device(s)");
      if (!target->has_index()) target = torch::Device(torch::kCUDA, 0);
    } else {
      require(target->is_cpu(), std::string("unsupported device '") + device + "' (cpu, cuda or cuda:N)");
    }
    torch::NoGradGuard no_grad;
    if (model->net) model->net->to(*target);
    else model->script->to(*target);
    model->mean = model->mean.to(*target);
    model->std = model->std.to(*target);
    model->device = *target;
    model->folded_valid = false;
    return FLT_OK;
  });
}

extern "C" int flt_model_device(const flt_model *model, char *out, size_t cap) {
  return guarded([&] {
    require(model != nullptr && out != nullptr && cap > 0, "null argument");
    std::snprintf(out, cap, "%s", model->device.str().c_str());
    return FLT_OK;
  });
}

extern "C" int flt_model_set_fold_batchnorm(flt_model *model, int on) {
  return guarded([&] {
    require(model != nullptr, "null model");
    model->fold_batchnorm = on != 0;
    model->folded_valid = false;
    return FLT_OK;
  });
}

extern "C" void flt_model_free(flt_model *model) { delete model; }

extern "C" int flt_model_is_torchscript(const flt_model *model) { return model && model->script ? 1 : 0; }

extern "C" int flt_model_tensor_count(const flt_model *model, int64_t *tensors, int64_t *elements) {
  return guarded([&] {
    require(model != nullptr && tensors != nullptr && elements != nullptr, "null argument");
    auto entries = model->state();
    *tensors = int64_t(entries.size());
    *elements = 0;
    for (auto &e : entries) *elements += e.second.numel();
    return FLT_OK;
  });
}

extern "C" int flt_model_tensor_info(const flt_model *model, int64_t index, char *name, size_t name_cap,
                                     int64_t *shape, int shape_cap, int *rank) {
  return guarded([&] {
    require(model != nullptr && name != nullptr && shape != nullptr && rank != nullptr, "null argument");
    auto entries = model->state();
    require(index >= 0 && index < int64_t(entries.size()), "tensor index out of range");
    const auto &[n, t] = entries[size_t(index)];
    require(n.size() < name_cap, "name buffer too small");
    require(t.dim() <= shape_cap, "shape buffer too small");
    std::snprintf(name, name_cap, "%s", n.c_str());
    *rank = int(t.dim());
    for (int64_t i = 0; i < t.dim(); i++) shape[i] = t.size(i);
    return FLT_OK;
  });
}

extern "C" int flt_model_forward(flt_model *model, const float *input, int64_t n, int64_t c, int64_t h, int64_t w,
                                 float *logits, int64_t classes) {
  return guarded([&] {
    require(model != nullptr && logits != nullptr, "null argument");
    require(classes == model->classes, "caller expects " + std::to_string(classes) + " classes, the model has " +
                                           std::to_string(model->classes));
    auto x = model->wrap_input(input, n, c, h, w);
    ModeGuard eval(model, false);
    c10::InferenceMode inference;
    auto out = model->run(x);
    model->check_logits(out, n);
    copy_to_host(out, logits);
    return FLT_OK;
  });
}

extern "C" int flt_model_layer_macs(flt_model *model, int64_t *macs, int64_t capacity, int64_t *count) {
  return guarded([&] {
    require(model != nullptr && count != nullptr && (macs != nullptr || capacity == 0), "null argument");
    require(capacity >= 0, "negative capacity");
    ModeGuard eval(model, false);
    c10::InferenceMode inference;
    auto x = torch::zeros({1, model->channels, model->height, model->width}, torch::TensorOptions().device(model->device));
    auto layers = fl::count_layer_macs([&] { model->check_logits(model->run(x), 1); });
    *count = int64_t(layers.size());
    for (int64_t i = 0; i < std::min(capacity, *count); i++) macs[i] = layers[size_t(i)];
    return FLT_OK;
  });
}

extern "C" int flt_model_loss_gradient(flt_model *model, const float *input, int64_t n, int64_t c, int64_t h,
                                       int64_t w, int objective, const int64_t *labels, const float *targets,
                                       const float *weights, int64_t classes, double *losses, float *logits,
                                       float *gradient) {
  return guarded([&] {
    require(model != nullptr && losses != nullptr && gradient != nullptr, "null argument");
    require_classes(model, classes);
    auto x = model->wrap_input(input, n, c, h, w).detach().requires_grad_(true);
    auto target = ObjectiveTarget::from(model, objective, labels, targets, n);
    auto wt = sample_weights(model, weights, n);

    ModeGuard eval(model, false);
    FrozenParameters frozen(model);
    auto z = model->run(x);
    model->check_logits(z, n);
    auto per_sample = target.per_sample_loss(z);
    auto total = (per_sample * wt).sum();
    auto grad = torch::autograd::grad({total}, {x}, /*grad_outputs=*/{}, /*retain_graph=*/false)[0];
    copy_to_host(grad, gradient);
    copy_to_host(per_sample, losses);
    if (logits) copy_to_host(z, logits);
    return FLT_OK;
  });
}

// ---- the frequency stage on the model's device -----------------------------------------


struct flt_masked_pass {
  torch::Tensor masks;  // the leaf [mask_count, mask_channels, H, W] whose gradient is wanted
  torch::Tensor losses; // [n] per-image losses, with the graph back to `masks`
  int64_t n = 0;
};

extern "C" int flt_masked_forward(flt_model *model, const float *input, int64_t n, int64_t c, int64_t h, int64_t w,
                                  int transform, const float *masks, int64_t mask_count, int per_channel,
                                  const int64_t *assignment, int objective, const int64_t *labels,
                                  const float *targets, int64_t classes, double *losses, float *logits,
                                  flt_masked_pass **out) {
  return guarded([&] {
    require(model != nullptr && masks != nullptr && losses != nullptr && out != nullptr, "null argument");
    require_classes(model, classes);
    require(transform == FLT_TRANSFORM_DFT || transform == FLT_TRANSFORM_DCT, "unknown transform " + std::to_string(transform));
    require(mask_count >= 1, "at least one mask is needed");
    require(mask_count == 1 || assignment != nullptr, "several masks need an assignment of images to masks");
    auto x = model->wrap_input(input, n, c, h, w);
    auto target = ObjectiveTarget::from(model, objective, labels, targets, n);
    const int64_t mc = per_channel ? c : 1;
    auto pass = std::make_unique<flt_masked_pass>();
    pass->n = n;
    // Copies of caller memory: the graph outlives this call.
    pass->masks = model->on_device(torch::from_blob(const_cast<float *>(masks), {mask_count, mc, h, w}, torch::kFloat).clone())
                      .to(model->dtype)
                      .detach()
                      .requires_grad_(true);
    torch::Tensor per_image = pass->masks; // [n or 1, mc, H, W], broadcast over channels when mc = 1
    if (mask_count > 1) {
      auto index = model->on_device(torch::from_blob(const_cast<int64_t *>(assignment), {n}, torch::kLong).clone());
      require(((index >= 0) & (index < mask_count)).all().item<bool>(), "an assignment is outside 0..." + std::to_string(mask_count - 1));
      per_image = pass->masks.index_select(0, index);
    }

    ModeGuard eval(model, false);
    FrozenParameters frozen(model);
    auto xn = model->normalise(x);
    torch::Tensor xm;
    if (transform == FLT_TRANSFORM_DFT) {
      // x_M = Re(DFT⁻¹(M ⊙ DFT(x))), M in the unshifted layout ([0, 0] is DC).
      xm = torch::real(torch::fft::ifft2(per_image * torch::fft::fft2(xn)));
    } else {
      // x_M = C_Hᵀ (M ⊙ C_H x C_Wᵀ) C_W with the orthonormal DCT-II matrices.
      auto ch = model->dct(h), cw = model->dct(w);
      auto coefficients = torch::matmul(torch::matmul(ch, xn), cw.t());
      xm = torch::matmul(torch::matmul(ch.t(), per_image * coefficients), cw);
    }
    auto z = model->run_normalised(xm.contiguous());
    model->check_logits(z, n);
    pass->losses = target.per_sample_loss(z);
    copy_to_host(pass->losses, losses);
    if (logits) copy_to_host(z, logits);
    *out = pass.release();
    return FLT_OK;
  });
}

extern "C" int flt_masked_backward(flt_masked_pass *pass, const float *loss_weights, float *mask_gradient) {
  return guarded([&] {
    require(pass != nullptr && loss_weights != nullptr && mask_gradient != nullptr, "null argument");
    require(pass->losses.defined() && pass->losses.requires_grad(), "the pass's backward has already run");
    auto weights = torch::from_blob(const_cast<float *>(loss_weights), {pass->n}, torch::kFloat);
    weights = weights.to(pass->losses.device(), pass->losses.scalar_type());
    auto total = (pass->losses * weights).sum();
    auto grad = torch::autograd::grad({total}, {pass->masks}, /*grad_outputs=*/{}, /*retain_graph=*/false)[0];
    copy_to_host(grad, mask_gradient);
    pass->losses = pass->losses.detach();
    return FLT_OK;
  });
}

extern "C" void flt_masked_pass_free(flt_masked_pass *pass) { delete pass; }

// ---- training ------------------------------------------------------------------------------

extern "C" int flt_optimizer_create(flt_model *model, int kind, double lr, double momentum, double weight_decay,
                                    int nesterov, flt_optimizer **out) {
  return guarded([&] {
    require(model != nullptr && out != nullptr, "null argument");
    require(model->net != nullptr, "training needs a built-in architecture");
    require(lr > 0 && momentum >= 0 && weight_decay >= 0, "learning rate must be positive, momentum and weight decay non-negative");
    auto opt = std::make_unique<flt_optimizer>();
    opt->kind = kind;
    auto params = model->net->parameters();
    if (kind == FLT_OPTIMIZER_SGD) {
      require(!nesterov || momentum > 0, "Nesterov momentum needs momentum > 0");
      opt->impl = std::make_unique<torch::optim::SGD>(
          params, torch::optim::SGDOptions(lr).momentum(momentum).weight_decay(weight_decay).nesterov(nesterov != 0));
    } else if (kind == FLT_OPTIMIZER_ADAM) {
      opt->impl = std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(lr).weight_decay(weight_decay));
    } else {
      fail(FLT_ERR_ARGUMENT, "unknown optimizer kind " + std::to_string(kind));
    }
    *out = opt.release();
    return FLT_OK;
  });
}

extern "C" void flt_optimizer_free(flt_optimizer *optimizer) { delete optimizer; }

extern "C" int flt_optimizer_set_lr(flt_optimizer *optimizer, double lr) {
  return guarded([&] {
    require(optimizer != nullptr, "null optimizer");
    require(lr >= 0 && std::isfinite(lr), "learning rate must be finite and non-negative");
    for (auto &group : optimizer->impl->param_groups()) group.options().set_lr(lr);
    return FLT_OK;
  });
}

extern "C" int flt_optimizer_save(const flt_optimizer *optimizer, const char *path) {
  return guarded([&] {
    require(optimizer != nullptr && path != nullptr, "null argument");
    write_atomically(path, [&](const std::string &tmp) {
      torch::serialize::OutputArchive archive;
      optimizer->impl->save(archive);
      archive.save_to(tmp);
    });
    return FLT_OK;
  });
}

extern "C" int flt_optimizer_load(flt_optimizer *optimizer, const char *path) {
  return guarded([&] {
    require(optimizer != nullptr && path != nullptr, "null argument");
    { read_file(path); } // a clear error for a missing file
    try {
      // The state (momenta, moments) goes where the parameters are.
      std::optional<torch::Device> device;
      for (auto &group : optimizer->impl->param_groups())
        if (!group.params().empty()) device = group.params().front().device();
      torch::serialize::InputArchive archive;
      archive.load_from(path, device);
      optimizer->impl->load(archive);
    } catch (const c10::Error &e) {
      std::string what = e.what_without_backtrace();
      auto newline = what.find('\n');
      if (newline != std::string::npos) what = what.substr(0, newline);
      fail(FLT_ERR_IO, "not a readable optimizer state (" + what + ")");
    }
    return FLT_OK;
  });
}

extern "C" int flt_train_step(flt_model *model, flt_optimizer *optimizer, const float *input, int64_t n, int64_t c,
                              int64_t h, int64_t w, const int64_t *labels, uint64_t seed, float *loss,
                              int64_t *correct) {
  return guarded([&] {
    require(model != nullptr && optimizer != nullptr && labels != nullptr && loss != nullptr && correct != nullptr,
            "null argument");
    require(model->net != nullptr, "training needs a built-in architecture");
    auto x = model->wrap_input(input, n, c, h, w);
    auto y = ObjectiveTarget::from(model, FLT_OBJECTIVE_CROSS_ENTROPY, labels, nullptr, n).labels;
    ModeGuard train(model, true);
    std::lock_guard<std::mutex> generator_lock(g_generator_mutex);
    torch::manual_seed(seed);
    optimizer->impl->zero_grad();
    auto z = model->run(x);
    model->check_logits(z, n);
    auto l = torch::nn::functional::cross_entropy(z, y);
    l.backward();
    optimizer->impl->step();
    *loss = l.item<float>();
    *correct = (z.detach().argmax(1) == y).sum().item<int64_t>();
    return FLT_OK;
  });
}

// ---- linear analyses of feature vectors ------------------------------------------------
namespace {

/// n×d caller features as a float64 CPU tensor (a copy), after the checks every linear
/// analysis needs.
torch::Tensor feature_matrix(const float *x, int64_t n, int64_t d) {
  require(x != nullptr, "null feature array");
  require(n >= 1 && d >= 1, "needs at least one feature vector of at least one value, got " + std::to_string(n) + "×" +
                                std::to_string(d));
  auto features = torch::from_blob(const_cast<float *>(x), {n, d}, torch::kFloat).to(torch::kDouble);
  require(torch::isfinite(features).all().item<bool>(), "the features contain NaN or infinite values");
  return features;
}

} // namespace

extern "C" int flt_pca(const float *x, int64_t n, int64_t d, int64_t components, float *scores, float *directions,
                       double *variances, double *total_variance) {
  return guarded([&] {
    require(scores != nullptr && directions != nullptr && variances != nullptr && total_variance != nullptr,
            "null output buffer");
    require(n >= 2, "PCA needs at least 2 feature vectors, got " + std::to_string(n));
    require(components >= 1 && components <= std::min(n, d),
            "components must be between 1 and min(n, d) = " + std::to_string(std::min(n, d)) + ", got " +
                std::to_string(components));
    torch::NoGradGuard no_grad;
    auto centred = feature_matrix(x, n, d);
    centred = centred - centred.mean(0, true);
    auto [u, s, vh] = at::linalg_svd(centred, /*full_matrices=*/false);
    auto v = vh.slice(0, 0, components).clone();
    // SVD leaves each direction's sign free: fix it so results do not depend on the LAPACK build.
    auto largest = v.gather(1, v.abs().argmax(1, true));
    auto sign = torch::where(largest < 0, torch::full_like(largest, -1.0), torch::ones_like(largest));
    v = v * sign;
    auto variance = s.pow(2) / double(n - 1);
    copy_to_host(centred.matmul(v.t()), scores);
    copy_to_host(v, directions);
    copy_to_host(variance.slice(0, 0, components), variances);
    *total_variance = variance.sum().item<double>();
    return FLT_OK;
  });
}

extern "C" int flt_softmax_regression_fit(const float *x, const int64_t *y, int64_t n, int64_t d, int64_t classes,
                                          double l2, int64_t max_iterations, double tolerance, float *weights,
                                          float *bias, double *loss, int64_t *evaluations) {
  return guarded([&] {
    require(y != nullptr && weights != nullptr && bias != nullptr && loss != nullptr, "null argument");
    require(classes >= 2, "needs at least 2 classes, got " + std::to_string(classes));
    require(std::isfinite(l2) && l2 >= 0, "l2 must be a finite number ≥ 0");
    require(std::isfinite(tolerance) && tolerance >= 0, "tolerance must be a finite number ≥ 0");
    require(max_iterations >= 1, "max_iterations must be ≥ 1");
    auto features = feature_matrix(x, n, d);
    auto labels = torch::from_blob(const_cast<int64_t *>(y), {n}, torch::kLong).clone();
    require(labels.min().item<int64_t>() >= 0 && labels.max().item<int64_t>() < classes,
            "labels must lie in 0.." + std::to_string(classes - 1));
    auto w = torch::zeros({classes, d}, torch::kDouble).requires_grad_(true);
    auto b = torch::zeros({classes}, torch::kDouble).requires_grad_(true);
    torch::optim::LBFGS optimizer(std::vector<torch::Tensor>{w, b}, torch::optim::LBFGSOptions(1.0)
                                              .max_iter(max_iterations)
                                              .max_eval(max_iterations * 5 / 4 + 1)
                                              .tolerance_grad(tolerance)
                                              .tolerance_change(1e-15)
                                              .history_size(20)
                                              .line_search_fn("strong_wolfe"));
    auto objective = [&] {
      auto logits = torch::addmm(b, features, w.t());
      return torch::nn::functional::cross_entropy(logits, labels) + 0.5 * l2 * w.pow(2).sum();
    };
    int64_t calls = 0;
    optimizer.step([&] {
      calls++;
      optimizer.zero_grad();
      auto value = objective();
      value.backward();
      return value;
    });
    torch::NoGradGuard no_grad;
    auto final_loss = objective().item<double>();
    require(std::isfinite(final_loss), "the fit diverged (non-finite loss)");
    copy_to_host(w, weights);
    copy_to_host(b, bias);
    *loss = final_loss;
    if (evaluations != nullptr) *evaluations = calls;
    return FLT_OK;
  });
}
