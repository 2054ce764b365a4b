// fl_torch.cpp — the extern "C" shim over libtorch declared in include/fl_torch.h.
//
// Every exported function body runs inside `guarded`, which turns any C++ exception into
// a status code and a thread-local message, so no exception ever crosses into Swift.
#include "fl_torch.h"
#include "fl_torch_nets.hpp"

#include <torch/script.h>
#include <torch/torch.h>

#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

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

/// Reads a whole file; a missing or unreadable file is an I/O error naming it.
std::vector<char> read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(FLT_ERR_IO, path + ": cannot open for reading");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail(FLT_ERR_IO, path + ": read failed");
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
    fail(FLT_ERR_IO, path + ": cannot rename temporary file (" + reason + ")");
  }
}

} // namespace

// ---- the model handle ------------------------------------------------------------------

struct flt_model {
  std::string arch;
  int64_t channels = 0, classes = 0, height = 0, width = 0;
  torch::Tensor mean, std; // [1, C, 1, 1], in the model's dtype
  torch::ScalarType dtype = torch::kFloat;
  /// Run convolutions on channels-last (NHWC) tensors, which oneDNN prefers.
  bool channels_last = false;
  std::shared_ptr<fl::Net> net;                 // a built-in architecture, or
  std::unique_ptr<torch::jit::Module> script;   // a TorchScript module

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

  /// Normalises pixel-space input and runs the network in its current mode.
  torch::Tensor run(const torch::Tensor &x) {
    auto normalised = (x.to(dtype) - mean) / std;
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

  /// A [n, c, h, w] view of caller memory, after checking the shape fits the model.
  torch::Tensor wrap_input(const float *input, int64_t n, int64_t c, int64_t h, int64_t w) const {
    require(input != nullptr, "input buffer is null");
    require(n > 0, "empty batch");
    require(c == channels && h == height && w == width,
            "input shape " + shape_string({n, c, h, w}) + " does not match the model's input " +
                shape_string({channels, height, width}));
    return torch::from_blob(const_cast<float *>(input), {n, c, h, w}, torch::kFloat);
  }

  void check_logits(const torch::Tensor &logits, int64_t n) const {
    if (logits.dim() != 2 || logits.size(0) != n || logits.size(1) != classes)
      fail(FLT_ERR_ARGUMENT, "the model produced logits of shape " + shape_string(logits.sizes()) +
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
/// match exactly. `source` names the file in messages.
void copy_state(flt_model *model, const c10::Dict<c10::IValue, c10::IValue> &dict, const std::string &source) {
  std::map<std::string, torch::Tensor> incoming;
  bool all_prefixed = dict.size() > 0;
  for (const auto &kv : dict) {
    if (!kv.key().isString()) fail(FLT_ERR_IO, source + ": a key of the state dict is not a string");
    if (!kv.value().isTensor())
      fail(FLT_ERR_IO, source + ": entry '" + kv.key().toStringRef() + "' is not a tensor");
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
  if (!missing.empty()) fail(FLT_ERR_IO, source + ": missing tensors for the " + model->arch + " model: " + list(missing));
  if (!wrong.empty()) fail(FLT_ERR_IO, source + ": tensors of the wrong shape: " + list(wrong));
  if (!unexpected.empty()) fail(FLT_ERR_IO, source + ": tensors the " + model->arch + " model does not have: " + list(unexpected));
  torch::NoGradGuard no_grad;
  for (auto &[name, target] : entries) target.copy_(incoming[name].to(target.dtype()));
}

/// Reads a pickled dict of tensors (torch.save(dict) in Python or torch::pickle_save here).
c10::Dict<c10::IValue, c10::IValue> read_tensor_dict(const std::string &path) {
  auto bytes = read_file(path);
  c10::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const c10::Error &e) {
    std::string what = e.what_without_backtrace();
    auto newline = what.find('\n');
    if (newline != std::string::npos) what = what.substr(0, newline);
    fail(FLT_ERR_IO, path + ": not a readable PyTorch tensor archive (" + what +
                         "); write it with torch.save(dict(model.state_dict()), path)");
  }
  if (value.isNone())
    fail(FLT_ERR_IO, path + ": holds a collections.OrderedDict, which libtorch cannot unpickle; re-save it from "
                            "Python as a plain dict: torch.save(dict(model.state_dict()), path)");
  if (!value.isGenericDict()) fail(FLT_ERR_IO, path + ": holds a " + value.tagKind() + ", not a dict of tensors");
  return value.toGenericDict();
}

} // namespace

// ---- library -----------------------------------------------------------------------------

extern "C" const char *flt_last_error(void) { return g_last_error.c_str(); }

extern "C" int flt_version(void) { return TORCH_VERSION_MAJOR * 100 + TORCH_VERSION_MINOR; }

extern "C" int flt_set_num_threads(int n) {
  return guarded([&] {
    require(n >= 1, "thread count must be at least 1");
    torch::set_num_threads(n);
    // OpenBLAS keeps its own pool; libtorch only sizes OpenMP (and MKL).
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
    std::string name = "unknown";
    if (void *sym = dlsym(RTLD_DEFAULT, "sgemm_")) {
      Dl_info info;
      if (dladdr(sym, &info) && info.dli_fname) {
        name = info.dli_fname;
        if (char *real = realpath(info.dli_fname, nullptr)) {
          name += std::string(" -> ") + real;
          std::free(real);
        }
      }
    }
    std::snprintf(out, cap, "%s", name.c_str());
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

// ---- models --------------------------------------------------------------------------------

extern "C" int flt_model_create(const char *arch, int in_channels, int classes, int height, int width,
                                const float *mean, const float *std, uint64_t seed, flt_model **out) {
  return guarded([&] {
    require(out != nullptr && arch != nullptr, "null argument");
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

extern "C" int flt_model_load_weights(flt_model *model, const char *path) {
  return guarded([&] {
    require(model != nullptr && path != nullptr, "null argument");
    require(model->net != nullptr, "a TorchScript model carries its weights in its module file");
    copy_state(model, read_tensor_dict(path), path);
    return FLT_OK;
  });
}

extern "C" int flt_model_save_weights(const flt_model *model, const char *path) {
  return guarded([&] {
    require(model != nullptr && path != nullptr, "null argument");
    require(model->net != nullptr, "use flt_model_save_torchscript for a TorchScript model");
    c10::Dict<std::string, torch::Tensor> dict;
    for (auto &[name, t] : model->state()) dict.insert(name, t.detach().contiguous().clone());
    auto bytes = torch::pickle_save(dict);
    write_atomically(path, [&](const std::string &tmp) {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      if (!f) fail(FLT_ERR_IO, std::string(path) + ": cannot create " + tmp);
      f.write(bytes.data(), std::streamsize(bytes.size()));
      f.flush();
      if (!f) fail(FLT_ERR_IO, std::string(path) + ": write failed");
    });
    return FLT_OK;
  });
}

extern "C" int flt_model_load_state_dict(flt_model *model, const char *path) {
  return guarded([&] {
    require(model != nullptr && path != nullptr, "null argument");
    require(model->net != nullptr, "state dicts load into built-in architectures only");
    copy_state(model, read_tensor_dict(path), path);
    return FLT_OK;
  });
}

extern "C" int flt_model_load_torchscript(const char *path, int in_channels, int height, int width, int classes,
                                          const float *mean, const float *std, flt_model **out) {
  return guarded([&] {
    require(out != nullptr && path != nullptr, "null argument");
    require(in_channels >= 1 && height >= 1 && width >= 1 && classes >= 1,
            "channels, height, width and classes must be positive");
    auto model = std::make_unique<flt_model>();
    model->arch = "torchscript";
    model->channels = in_channels;
    model->height = height;
    model->width = width;
    model->classes = classes;
    model->mean = channel_vector(mean, in_channels, "mean");
    model->std = channel_vector(std, in_channels, "std");
    { read_file(path); } // a clear error for a missing or unreadable file
    try {
      model->script = std::make_unique<torch::jit::Module>(torch::jit::load(path, torch::kCPU));
    } catch (const c10::Error &e) {
      std::string what = e.what_without_backtrace();
      auto newline = what.find('\n');
      if (newline != std::string::npos) what = what.substr(0, newline);
      fail(FLT_ERR_IO, std::string(path) + ": not a loadable TorchScript module (" + what + ")");
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
      fail(FLT_ERR_ARGUMENT, std::string(path) + ": the module does not map input " +
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
    auto contiguous = out.to(torch::kFloat).contiguous();
    std::memcpy(logits, contiguous.data_ptr<float>(), size_t(n * classes) * sizeof(float));
    return FLT_OK;
  });
}

extern "C" int flt_model_loss_gradient(flt_model *model, const float *input, int64_t n, int64_t c, int64_t h,
                                       int64_t w, int objective, const int64_t *labels, const float *targets,
                                       const float *weights, int64_t classes, double *losses, float *logits,
                                       float *gradient) {
  return guarded([&] {
    require(model != nullptr && losses != nullptr && gradient != nullptr, "null argument");
    require(classes == model->classes, "caller expects " + std::to_string(classes) + " classes, the model has " +
                                           std::to_string(model->classes));
    auto x = model->wrap_input(input, n, c, h, w).detach().requires_grad_(true);
    const int64_t k = model->classes;
    torch::Tensor y, t;
    switch (objective) {
    case FLT_OBJECTIVE_CROSS_ENTROPY:
    case FLT_OBJECTIVE_LOGIT_MARGIN:
      require(labels != nullptr, "this objective needs labels");
      y = torch::from_blob(const_cast<int64_t *>(labels), {n}, torch::kLong);
      require(((y >= 0) & (y < k)).all().item<bool>(), "a label is outside 0..<" + std::to_string(k));
      require(objective != FLT_OBJECTIVE_LOGIT_MARGIN || k >= 2, "the logit margin needs at least two classes");
      break;
    case FLT_OBJECTIVE_SOFT_CROSS_ENTROPY:
      require(targets != nullptr, "soft cross-entropy needs targets");
      t = torch::from_blob(const_cast<float *>(targets), {n, k}, torch::kFloat);
      require(torch::isfinite(t).all().item<bool>(), "a soft target is not finite");
      break;
    default:
      fail(FLT_ERR_ARGUMENT, "unknown objective " + std::to_string(objective));
    }
    torch::Tensor wt = weights ? torch::from_blob(const_cast<float *>(weights), {n}, torch::kFloat).to(model->dtype)
                               : torch::full({n}, 1.0 / double(n), model->dtype);
    if (t.defined()) t = t.to(model->dtype);

    ModeGuard eval(model, false);
    FrozenParameters frozen(model);
    auto z = model->run(x);
    model->check_logits(z, n);
    torch::Tensor per_sample;
    if (objective == FLT_OBJECTIVE_CROSS_ENTROPY) {
      per_sample = -torch::log_softmax(z, 1).gather(1, y.view({n, 1})).squeeze(1);
    } else if (objective == FLT_OBJECTIVE_SOFT_CROSS_ENTROPY) {
      per_sample = -(t * torch::log_softmax(z, 1)).sum(1);
    } else {
      auto zy = z.gather(1, y.view({n, 1})).squeeze(1);
      auto mask = torch::zeros_like(z, torch::kBool).scatter_(1, y.view({n, 1}), true);
      auto other = z.masked_fill(mask, -std::numeric_limits<float>::infinity()).amax(1);
      per_sample = other - zy;
    }
    auto total = (per_sample * wt).sum();
    auto grad = torch::autograd::grad({total}, {x}, /*grad_outputs=*/{}, /*retain_graph=*/false)[0];
    auto g = grad.to(torch::kFloat).contiguous();
    std::memcpy(gradient, g.data_ptr<float>(), size_t(g.numel()) * sizeof(float));
    auto l = per_sample.detach().to(torch::kDouble).contiguous();
    std::memcpy(losses, l.data_ptr<double>(), size_t(n) * sizeof(double));
    if (logits) {
      auto zc = z.detach().to(torch::kFloat).contiguous();
      std::memcpy(logits, zc.data_ptr<float>(), size_t(n * k) * sizeof(float));
    }
    return FLT_OK;
  });
}

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
      torch::serialize::InputArchive archive;
      archive.load_from(path);
      optimizer->impl->load(archive);
    } catch (const c10::Error &e) {
      std::string what = e.what_without_backtrace();
      auto newline = what.find('\n');
      if (newline != std::string::npos) what = what.substr(0, newline);
      fail(FLT_ERR_IO, std::string(path) + ": not a readable optimizer state (" + what + ")");
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
    auto y = torch::from_blob(const_cast<int64_t *>(labels), {n}, torch::kLong);
    require(((y >= 0) & (y < model->classes)).all().item<bool>(),
            "a label is outside 0..<" + std::to_string(model->classes));
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
