// fl_torch_nets.hpp — the built-in architectures, written with torch::nn.
//
// Module and parameter names follow torchvision (resnet18, vgg11_bn) exactly, so that a
// state dict saved in PyTorch loads by name. The networks take *normalised* input; the
// shim's model handle applies (x − mean) / std before calling them.
#pragma once
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fl {

/// A convolution with the evaluation-mode BatchNorm after it folded in:
/// W' = W·γ/√(σ²+ε) per output channel, b' = β + (b − μ)·γ/√(σ²+ε).
struct FoldedConv {
  torch::Tensor weight, bias;
  int64_t stride = 1, padding = 0;
  torch::Tensor operator()(const torch::Tensor &x) const { return torch::conv2d(x, weight, bias, stride, padding); }
};

inline FoldedConv fold(const torch::nn::Conv2d &c, const torch::nn::BatchNorm2d &bn, int64_t stride, int64_t padding) {
  torch::NoGradGuard no_grad;
  auto scale = bn->weight / torch::sqrt(bn->running_var + bn->options.eps());
  auto weight = (c->weight * scale.view({-1, 1, 1, 1})).contiguous(c->weight.suggest_memory_format());
  auto shift = c->bias.defined() ? c->bias - bn->running_mean : -bn->running_mean;
  return {weight, bn->bias + shift * scale, stride, padding};
}

/// A network with a single-tensor forward, so the shim can hold any architecture.
///
/// `forward_folded` computes the evaluation-mode forward with every BatchNorm folded into
/// the convolution before it (one convolution instead of convolution + normalisation, in
/// the forward pass and in the backward pass of an input gradient). `fold()` recomputes the
/// folded weights from the current parameters and running statistics; the shim calls it
/// whenever they have changed.
struct Net : torch::nn::Module {
  virtual torch::Tensor forward(torch::Tensor x) = 0;
  virtual void fold() = 0;
  virtual torch::Tensor forward_folded(torch::Tensor x) = 0;
};

inline torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, bool bias) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(bias));
}

/// torchvision's initialisation, drawn from a private generator so that a model's weights
/// depend on its seed alone (not on other threads using libtorch's global generator):
/// convolutions He-normal (fan-out, ReLU gain), BatchNorm γ = 1 and β = 0, linear layers
/// N(0, 0.01) with zero bias for VGG and PyTorch's default U(±1/√fan_in) otherwise.
inline void init_like_torchvision(torch::nn::Module &root, bool vgg, at::Generator &gen) {
  torch::NoGradGuard no_grad;
  for (auto &m : root.modules(/*include_self=*/false)) {
    if (auto *c = m->as<torch::nn::Conv2d>()) {
      auto &w = c->weight;
      double fan_out = double(w.size(0)) * double(w.size(2)) * double(w.size(3));
      w.normal_(0.0, std::sqrt(2.0 / fan_out), gen);
      if (c->bias.defined()) c->bias.zero_();
    } else if (auto *b = m->as<torch::nn::BatchNorm2d>()) {
      b->weight.fill_(1.0);
      b->bias.zero_();
    } else if (auto *l = m->as<torch::nn::Linear>()) {
      if (vgg) {
        l->weight.normal_(0.0, 0.01, gen);
        l->bias.zero_();
      } else {
        double bound = 1.0 / std::sqrt(double(l->weight.size(1)));
        l->weight.uniform_(-bound, bound, gen);
        l->bias.uniform_(-bound, bound, gen);
      }
    }
  }
}

// ---- smallcnn ---------------------------------------------------------------------------

/// A small VGG-style network that trains on CIFAR-10 in minutes on two cores:
/// three stages of 3×3 conv–BN–ReLU (32, 64, 128 channels), each followed by 2×2 max-pooling,
/// then adaptive average pooling to 2×2 and one linear layer. Works for any input ≥ 8×8.
/// Names: features.{0,1,4,5,8,9}.*, classifier.* (as the nn.Sequential in the Python reference).
struct SmallCNN : Net {
  torch::nn::Sequential features;
  torch::nn::Linear classifier{nullptr};
  SmallCNN(int64_t in_channels, int64_t classes, at::Generator &gen) {
    int64_t widths[3] = {32, 64, 128};
    int64_t previous = in_channels;
    for (int64_t width : widths) {
      features->push_back(conv(previous, width, 3, 1, 1, false));
      features->push_back(torch::nn::BatchNorm2d(width));
      features->push_back(torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)));
      features->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
      previous = width;
    }
    register_module("features", features);
    classifier = register_module("classifier", torch::nn::Linear(previous * 4, classes));
    init_like_torchvision(*this, false, gen);
  }
  torch::Tensor forward(torch::Tensor x) override {
    x = features->forward(x);
    x = torch::adaptive_avg_pool2d(x, {2, 2});
    return classifier->forward(x.flatten(1));
  }
  std::vector<FoldedConv> folded;
  void fold() override {
    folded.clear();
    for (size_t i = 0; i < 3; i++)
      folded.push_back(fl::fold(torch::nn::Conv2d(std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(features->ptr(4 * i))),
                                torch::nn::BatchNorm2d(std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(features->ptr(4 * i + 1))), 1, 1));
  }
  torch::Tensor forward_folded(torch::Tensor x) override {
    for (auto &c : folded) x = torch::max_pool2d(c(x).relu_(), 2);
    x = torch::adaptive_avg_pool2d(x, {2, 2});
    return classifier->forward(x.flatten(1));
  }
};

// ---- resnet18 ---------------------------------------------------------------------------

/// torchvision's BasicBlock: conv1, bn1, conv2, bn2 and an optional downsample (1×1 conv, BN).
struct BasicBlockImpl : torch::nn::Module {
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};
  BasicBlockImpl(int64_t in, int64_t out, int64_t stride) {
    conv1 = register_module("conv1", conv(in, out, 3, stride, 1, false));
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(out));
    conv2 = register_module("conv2", conv(out, out, 3, 1, 1, false));
    bn2 = register_module("bn2", torch::nn::BatchNorm2d(out));
    if (stride != 1 || in != out) {
      downsample = register_module("downsample", torch::nn::Sequential(conv(in, out, 1, stride, 0, false),
                                                                       torch::nn::BatchNorm2d(out)));
    }
  }
  torch::Tensor forward(torch::Tensor x) {
    auto identity = downsample ? downsample->forward(x) : x;
    auto out = bn1->forward(conv1->forward(x)).relu_();
    out = bn2->forward(conv2->forward(out));
    out += identity;
    return out.relu_();
  }
  FoldedConv f1, f2, fdown;
  void fold(int64_t stride) {
    f1 = fl::fold(conv1, bn1, stride, 1);
    f2 = fl::fold(conv2, bn2, 1, 1);
    if (downsample)
      fdown = fl::fold(torch::nn::Conv2d(std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(downsample->ptr(0))),
                       torch::nn::BatchNorm2d(std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(downsample->ptr(1))), stride, 0);
  }
  torch::Tensor forward_folded(const torch::Tensor &x) {
    auto identity = downsample ? fdown(x) : x;
    auto out = f2(f1(x).relu_());
    out += identity;
    return out.relu_();
  }
};
TORCH_MODULE(BasicBlock);

/// torchvision's resnet18. The ImageNet stem (7×7/2 conv, 3×3/2 max-pool) is used for inputs
/// of at least 64×64; smaller inputs (CIFAR) get the usual CIFAR stem: a 3×3/1 conv and no
/// max-pool. Names: conv1, bn1, layer{1..4}.{0,1}.*, fc.
struct ResNet18 : Net {
  bool imagenet_stem;
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
  torch::nn::Linear fc{nullptr};
  ResNet18(int64_t in_channels, int64_t classes, bool imagenet_stem, at::Generator &gen) : imagenet_stem(imagenet_stem) {
    conv1 = register_module("conv1", imagenet_stem ? conv(in_channels, 64, 7, 2, 3, false)
                                                   : conv(in_channels, 64, 3, 1, 1, false));
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(64));
    auto layer = [](int64_t in, int64_t out, int64_t stride) {
      return torch::nn::Sequential(BasicBlock(in, out, stride), BasicBlock(out, out, 1));
    };
    layer1 = register_module("layer1", layer(64, 64, 1));
    layer2 = register_module("layer2", layer(64, 128, 2));
    layer3 = register_module("layer3", layer(128, 256, 2));
    layer4 = register_module("layer4", layer(256, 512, 2));
    fc = register_module("fc", torch::nn::Linear(512, classes));
    init_like_torchvision(*this, false, gen);
  }
  torch::Tensor forward(torch::Tensor x) override {
    x = bn1->forward(conv1->forward(x)).relu_();
    if (imagenet_stem) x = torch::max_pool2d(x, 3, 2, 1);
    x = layer4->forward(layer3->forward(layer2->forward(layer1->forward(x))));
    x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
    return fc->forward(x);
  }
  FoldedConv stem;
  std::vector<BasicBlockImpl *> blocks;
  void fold() override {
    stem = fl::fold(conv1, bn1, imagenet_stem ? 2 : 1, imagenet_stem ? 3 : 1);
    blocks.clear();
    int64_t strides[4] = {1, 2, 2, 2};
    torch::nn::Sequential layers[4] = {layer1, layer2, layer3, layer4};
    for (int i = 0; i < 4; i++) {
      for (size_t j = 0; j < 2; j++) {
        auto *block = layers[i]->ptr(j)->as<BasicBlockImpl>();
        block->fold(j == 0 ? strides[i] : 1);
        blocks.push_back(block);
      }
    }
  }
  torch::Tensor forward_folded(torch::Tensor x) override {
    x = stem(x).relu_();
    if (imagenet_stem) x = torch::max_pool2d(x, 3, 2, 1);
    for (auto *block : blocks) x = block->forward_folded(x);
    x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
    return fc->forward(x);
  }
};

// ---- vgg11bn ----------------------------------------------------------------------------

/// torchvision's vgg11_bn: configuration "A" with BatchNorm, adaptive average pooling to
/// 7×7 and the 4096-4096 classifier with dropout. Names: features.N.*, classifier.{0,3,6}.*.
struct VGG11BN : Net {
  torch::nn::Sequential features, classifier;
  VGG11BN(int64_t in_channels, int64_t classes, at::Generator &gen) {
    const int64_t config[] = {64, -1, 128, -1, 256, 256, -1, 512, 512, -1, 512, 512, -1};
    int64_t previous = in_channels;
    for (int64_t v : config) {
      if (v < 0) {
        features->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(2)));
      } else {
        features->push_back(conv(previous, v, 3, 1, 1, true));
        features->push_back(torch::nn::BatchNorm2d(v));
        features->push_back(torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)));
        previous = v;
      }
    }
    register_module("features", features);
    classifier->push_back(torch::nn::Linear(512 * 7 * 7, 4096));
    classifier->push_back(torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)));
    classifier->push_back(torch::nn::Dropout(0.5));
    classifier->push_back(torch::nn::Linear(4096, 4096));
    classifier->push_back(torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)));
    classifier->push_back(torch::nn::Dropout(0.5));
    classifier->push_back(torch::nn::Linear(4096, classes));
    register_module("classifier", classifier);
    init_like_torchvision(*this, true, gen);
  }
  torch::Tensor forward(torch::Tensor x) override {
    x = features->forward(x);
    x = torch::adaptive_avg_pool2d(x, {7, 7}).flatten(1);
    return classifier->forward(x);
  }
  /// Folded convolutions, with nullopt standing for a max-pool.
  std::vector<std::optional<FoldedConv>> folded;
  void fold() override {
    folded.clear();
    for (size_t i = 0; i < features->size(); i++) {
      if (auto conv = std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(features->ptr(i))) {
        folded.emplace_back(fl::fold(torch::nn::Conv2d(conv),
                                     torch::nn::BatchNorm2d(std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(features->ptr(i + 1))), 1, 1));
      } else if (features->ptr(i)->as<torch::nn::MaxPool2d>()) {
        folded.emplace_back(std::nullopt);
      }
    }
  }
  torch::Tensor forward_folded(torch::Tensor x) override {
    for (auto &f : folded) x = f ? (*f)(x).relu_() : torch::max_pool2d(x, 2, 2);
    x = torch::adaptive_avg_pool2d(x, {7, 7}).flatten(1);
    return classifier->forward(x);
  }
};

// ---- construction and state --------------------------------------------------------------

inline std::string known_architectures() { return "smallcnn, resnet18, resnet18-imagenet, vgg11bn"; }

/// The network for an architecture name, or nullptr for an unknown name. Throws
/// std::invalid_argument for an input the architecture cannot take.
inline std::shared_ptr<Net> make_net(const std::string &arch, int64_t channels, int64_t classes, int64_t height,
                                     int64_t width, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  if (arch == "smallcnn") {
    if (height < 8 || width < 8) throw std::invalid_argument("smallcnn needs inputs of at least 8×8");
    return std::make_shared<SmallCNN>(channels, classes, gen);
  }
  if (arch == "resnet18") return std::make_shared<ResNet18>(channels, classes, std::min(height, width) >= 64, gen);
  // torchvision's resnet18 exactly (7×7/2 stem and max-pool) at any input size, so that its
  // weights import at 32×32 too.
  if (arch == "resnet18-imagenet") {
    if (height < 32 || width < 32) throw std::invalid_argument("resnet18-imagenet needs inputs of at least 32×32");
    return std::make_shared<ResNet18>(channels, classes, true, gen);
  }
  if (arch == "vgg11bn") {
    if (height < 32 || width < 32) throw std::invalid_argument("vgg11bn needs inputs of at least 32×32");
    return std::make_shared<VGG11BN>(channels, classes, gen);
  }
  return nullptr;
}

/// Parameters and buffers with their state-dict names, in PyTorch's state_dict order
/// (each module's own parameters, then its buffers, then its children in order).
inline void collect_state(const torch::nn::Module &module, const std::string &prefix,
                          std::vector<std::pair<std::string, torch::Tensor>> &out) {
  for (const auto &p : module.named_parameters(/*recurse=*/false)) out.emplace_back(prefix + p.key(), p.value());
  for (const auto &b : module.named_buffers(/*recurse=*/false)) out.emplace_back(prefix + b.key(), b.value());
  for (const auto &child : module.named_children()) collect_state(*child.value(), prefix + child.key() + ".", out);
}

inline std::vector<std::pair<std::string, torch::Tensor>> state_dict_entries(const torch::nn::Module &module) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  collect_state(module, "", out);
  return out;
}

} // namespace fl
