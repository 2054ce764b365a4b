import FourierLens

/// Floating-point operations of the built-in architectures (fl_torch_nets.hpp), counted
/// analytically for the roofline figure of `flens bench`.
///
/// Only convolutions and linear layers are counted (2 FLOPs per multiply-add); BatchNorm,
/// ReLU, pooling and additions are a few per activation and are left out, as roofline
/// figures for CNNs usually do. A backward pass that computes only the input gradient costs
/// about as much as the forward pass; one that also computes weight gradients about twice.
public enum ModelFLOPs {
  /// FLOPs of one image's forward pass, nil for architectures it does not know (TorchScript).
  public static func forward(arch: String, input: [Int], classes: Int) -> Double? {
    guard input.count == 3, let a = TorchArchitecture(rawValue: arch) else { return nil }
    var counter = Counter(channels: input[0], height: input[1], width: input[2])
    switch a {
    case .smallcnn:
      for width in [32, 64, 128] {
        counter.conv(out: width, kernel: 3, stride: 1, padding: 1)
        counter.pool(kernel: 2, stride: 2, padding: 0)
      }
      counter.linear(inFeatures: 128 * 4, out: classes)
    case .resnet18, .resnet18ImageNet:
      if a == .resnet18ImageNet || min(input[1], input[2]) >= 64 {
        counter.conv(out: 64, kernel: 7, stride: 2, padding: 3)
        counter.pool(kernel: 3, stride: 2, padding: 1)
      } else {
        counter.conv(out: 64, kernel: 3, stride: 1, padding: 1)
      }
      for (width, stride) in [(64, 1), (128, 2), (256, 2), (512, 2)] {
        for block in 0..<2 {
          let s = block == 0 ? stride : 1
          let input = counter
          counter.conv(out: width, kernel: 3, stride: s, padding: 1)
          counter.conv(out: width, kernel: 3, stride: 1, padding: 1)
          if s != 1 || input.channels != width {
            var shortcut = input
            shortcut.conv(out: width, kernel: 1, stride: s, padding: 0)
            counter.flops += shortcut.flops - input.flops
          }
        }
      }
      counter.linear(inFeatures: 512, out: classes)
    case .vgg11bn:
      for v in [64, -1, 128, -1, 256, 256, -1, 512, 512, -1, 512, 512, -1] {
        if v < 0 { counter.pool(kernel: 2, stride: 2, padding: 0) } else { counter.conv(out: v, kernel: 3, stride: 1, padding: 1) }
      }
      counter.linear(inFeatures: 512 * 7 * 7, out: 4096)
      counter.linear(inFeatures: 4096, out: 4096)
      counter.linear(inFeatures: 4096, out: classes)
    }
    return counter.flops
  }

  private struct Counter {
    var channels: Int, height: Int, width: Int
    var flops = 0.0

    static func out(_ n: Int, _ k: Int, _ s: Int, _ p: Int) -> Int { (n + 2 * p - k) / s + 1 }

    mutating func conv(out: Int, kernel k: Int, stride s: Int, padding p: Int) {
      height = Self.out(height, k, s, p)
      width = Self.out(width, k, s, p)
      flops += 2 * Double(channels * k * k) * Double(out) * Double(height * width)
      channels = out
    }

    mutating func pool(kernel k: Int, stride s: Int, padding p: Int) {
      height = Self.out(height, k, s, p)
      width = Self.out(width, k, s, p)
    }

    mutating func linear(inFeatures: Int, out: Int) {
      flops += 2 * Double(inFeatures) * Double(out)
    }
  }
}
