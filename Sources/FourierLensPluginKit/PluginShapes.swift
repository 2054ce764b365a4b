/// The frequency domain a mask lives in.
public enum MaskTransform: UInt32, Sendable {
  case dft = 1
  case dct = 2
}

/// Whether a mask is shared by all channels (H×W) or has one plane per channel (C×H×W).
public enum MaskLayout: UInt32, Sendable {
  case shared = 1
  case perChannel = 2
}

/// What mask the host asks a mask plugin for.
public struct MaskRequest: Sendable, Equatable {
  public var transform: MaskTransform
  public var layout: MaskLayout
  public var channels: Int
  public var height: Int
  public var width: Int

  public init(transform: MaskTransform, layout: MaskLayout, channels: Int, height: Int, width: Int) {
    self.transform = transform
    self.layout = layout
    self.channels = channels
    self.height = height
    self.width = width
  }

  /// Planes in the mask: C for per-channel masks, 1 for shared ones.
  public var maskChannels: Int { layout == .perChannel ? channels : 1 }
  /// Frequencies per plane (H·W).
  public var planeSize: Int { height * width }
  /// Length of every mask buffer.
  public var maskCount: Int { maskChannels * planeSize }

  init(_ r: flens_mask_request) throws {
    guard let t = MaskTransform(rawValue: r.transform) else { throw PluginError.unsupported("unknown transform \(r.transform)") }
    guard let l = MaskLayout(rawValue: r.layout) else { throw PluginError.unsupported("unknown mask layout \(r.layout)") }
    self.init(transform: t, layout: l, channels: Int(r.channels), height: Int(r.height), width: Int(r.width))
    guard channels > 0, height > 0, width > 0 else { throw PluginError.invalidArgument("empty image shape \(channels)x\(height)x\(width)") }
    guard UInt64(maskCount) == r.mask_count else {
      throw PluginError.invalidArgument("mask_count \(r.mask_count) does not match the layout (\(maskCount))")
    }
  }
}

/// The shape of an NCHW batch handed to an attack or augmentation.
public struct BatchShape: Sendable, Equatable {
  public var count: Int
  public var channels: Int
  public var height: Int
  public var width: Int

  public init(count: Int, channels: Int, height: Int, width: Int) {
    self.count = count
    self.channels = channels
    self.height = height
    self.width = width
  }

  /// H·W.
  public var planeSize: Int { height * width }
  /// C·H·W.
  public var imageSize: Int { channels * height * width }
  /// N·C·H·W.
  public var elementCount: Int { count * imageSize }
}
