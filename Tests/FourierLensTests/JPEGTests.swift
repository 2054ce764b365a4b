import Foundation
import Testing
@testable import FourierLens

@Suite struct JPEGTests {
  /// A smooth colour image (gradients and a soft blob) that JPEG represents well.
  private func smoothImage(channels: Int, height: Int, width: Int) -> Tensor {
    var data = [Float]()
    for c in 0 ..< channels {
      for y in 0 ..< height {
        for x in 0 ..< width {
          let u = Float(x) / Float(width - 1), v = Float(y) / Float(height - 1)
          let blob = exp(-((u - 0.5) * (u - 0.5) + (v - 0.4) * (v - 0.4)) * 8)
          data.append(min(max(0.15 + 0.5 * (c == 0 ? u : c == 1 ? v : 1 - u) + 0.3 * blob, 0), 1))
        }
      }
    }
    return Tensor(shape: [channels, height, width], data: data)
  }

  @Test func decodeOfEncodeIsCloseForRGBAndGray() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    for channels in [3, 1] {
      let image = smoothImage(channels: channels, height: 40, width: 56)
      let bytes = try JPEGCodec.encode(image: image, quality: 95)
      let path = dir + "/c\(channels).jpg"
      try bytes.write(to: URL(fileURLWithPath: path))
      let back = try JPEGCodec.read(path)
      #expect(back.shape == [channels, 40, 56])
      let errors = zip(back.data, image.data).map { abs($0 - $1) }
      let mean = errors.reduce(0, +) / Float(errors.count)
      // Quality 95 on a smooth image: sub-level mean error, a few levels at worst (chroma subsampling).
      #expect(mean < 2.0 / 255, "mean error \(mean * 255) levels")
      #expect(errors.max()! < 12.0 / 255, "max error \(errors.max()! * 255) levels")
      #expect(try ImageFile.read(path) == back)
    }
  }

  @Test func constantImageDecodesToItsValue() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    // A flat gray of level 77: only the DC coefficient is non-zero and it quantises exactly at quality 100.
    let flat = Tensor(repeating: 77.0 / 255, shape: [1, 16, 24])
    try JPEGCodec.encode(image: flat, quality: 100).write(to: URL(fileURLWithPath: dir + "/flat.jpg"))
    let back = try JPEGCodec.read(dir + "/flat.jpg")
    #expect(back.data.allSatisfy { abs($0 * 255 - 77) <= 1 })
  }

  @Test func cmykIsRefusedClearly() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    let path = dir + "/cmyk.jpg"
    try JPEGCodec.encode(image: Tensor(repeating: 0.5, shape: [4, 8, 8]), quality: 90).write(to: URL(fileURLWithPath: path))
    do {
      _ = try JPEGCodec.read(path)
      Issue.record("a CMYK JPEG was accepted")
    } catch let FourierLensError.badFile(p, reason) {
      #expect(p == path)
      #expect(reason.contains("CMYK"))
    }
  }

  @Test func truncatedAndCorruptJPEGsThrowNamingTheFile() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    var rng = SeededGenerator(seed: 9)
    let noisy = Tensor(shape: [3, 32, 32], data: (0 ..< 3 * 32 * 32).map { _ in rng.nextUniform() })
    let good = try JPEGCodec.encode(image: noisy, quality: 90)
    var cases: [String: Data] = [
      "empty": Data(), "soi-only": good.prefix(2), "header-cut": good.prefix(100),
      "half": good.prefix(good.count / 2), "no-eoi": good.prefix(good.count - 2),
      "text": Data("this is no jpeg".utf8),
    ]
    // Garbage in the entropy-coded data (a marker-like byte pair in the middle of a scan).
    var corrupt = good
    for i in stride(from: good.count / 2, to: good.count / 2 + 40, by: 2) { corrupt[i] = 0xFF; corrupt[i + 1] = 0xD9 }
    cases["corrupt"] = corrupt
    for (name, data) in cases {
      let path = dir + "/\(name).jpg"
      try data.write(to: URL(fileURLWithPath: path))
      CodecTestSupport.expectBadFile(path) { _ = try JPEGCodec.read(path) }
    }
  }
}
