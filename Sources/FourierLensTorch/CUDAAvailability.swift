import CTorchShim
import FourierLens

extension ComputeDevice {
  /// A concrete device: `auto` becomes the first GPU when libtorch sees one, else the CPU.
  public func resolved() -> ComputeDevice {
    guard self == .auto else { return self }
    return CUDAAvailability.current.deviceCount > 0 ? .cuda(index: 0) : .cpu
  }
}
/// What libtorch reports about GPUs (loading its CUDA library on first use).
public struct CUDAAvailability: Sendable {
  public var deviceCount: Int
  /// Why there is no GPU, when `deviceCount` is 0 (a missing driver, GPU or CUDA library).
  public var reason: String

  public static let current: CUDAAvailability = {
    var count: Int32 = 0
    var reason = [CChar](repeating: 0, count: 2048)
    guard flt_cuda_device_count(&count, &reason, reason.count) == FLT_OK else {
      return CUDAAvailability(deviceCount: 0, reason: ShimStatus.lastMessage)
    }
    return CUDAAvailability(deviceCount: Int(count), reason: String(nulTerminated: reason))
  }()
}
