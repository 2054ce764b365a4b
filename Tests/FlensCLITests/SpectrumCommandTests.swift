import Foundation
import FourierLens
import Testing

@Suite struct SpectrumCommandTests {
  /// Two channels: cos(2π·3x/W) (horizontal frequency 3) and cos(2π·2y/H) (vertical frequency 2).
  static func cosines(h: Int, w: Int) -> Tensor {
    var t = Tensor(zeros: [2, h, w])
    for y in 0..<h {
      for x in 0..<w {
        t.data[y * w + x] = Float(cos(2 * Double.pi * 3 * Double(x) / Double(w)))
        t.data[h * w + y * w + x] = Float(cos(2 * Double.pi * 2 * Double(y) / Double(h)))
      }
    }
    return t
  }

  @Test func npyCosinesPeakWhereExpectedInTheCentredSpectrum() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let h = 8, w = 12
    let input = dir.appendingPathComponent("cos.npy").path, output = dir.appendingPathComponent("spec.npy").path
    try NPY.write(Self.cosines(h: h, w: w), to: input)
    let out = try FlensCLI.run(["spectrum", input, "--transform", "dft", "--out", output])
    #expect(out.exitCode == 0, "\(out)")
    let spectrum = try NPY.readTensor(output)
    #expect(spectrum.shape == [2, h, w])
    // DC at (H/2, W/2) = (4, 6); each cosine puts HW/2 at ±its frequency.
    let half = Float(h * w) / 2
    for ch in 0..<2 {
      for y in 0..<h {
        for x in 0..<w {
          let peak = ch == 0 ? (y == 4 && (x == 3 || x == 9)) : (x == 6 && (y == 2 || y == 6))
          #expect(abs(spectrum.data[ch * h * w + y * w + x] - (peak ? half : 0)) < 1e-3, "channel \(ch) at (\(y), \(x))")
        }
      }
    }
    // --log: log(1 + |X|).
    let logOut = dir.appendingPathComponent("log.npy").path
    #expect(try FlensCLI.run(["spectrum", input, "--transform", "dft", "--log", "--out", logOut]).exitCode == 0)
    let logged = try NPY.readTensor(logOut)
    #expect(abs(logged.data[4 * w + 3] - Float(log1p(Double(half)))) < 1e-4)
  }

  @Test func dctOfAnHxWBasisFunctionHasOneCoefficient() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let h = 6, w = 5
    var t = Tensor(zeros: [h, w])
    for y in 0..<h { for x in 0..<w { t.data[y * w + x] = Float(cos(Double.pi * 2 * (Double(y) + 0.5) / Double(h))) } }
    let input = dir.appendingPathComponent("basis.npy").path, output = dir.appendingPathComponent("dct.npy").path
    try NPY.write(t, to: input)
    let out = try FlensCLI.run(["spectrum", input, "--transform", "dct", "--out", output])
    #expect(out.exitCode == 0, "\(out)")
    let spectrum = try NPY.readTensor(output)
    #expect(spectrum.shape == [1, h, w])
    // Orthonormal DCT: the whole norm √(HW/2) sits at coefficient (2, 0).
    for k in 0..<(h * w) {
      #expect(abs(spectrum.data[k] - (k == 2 * w ? Float(Double(h * w / 2).squareRoot()) : 0)) < 1e-4)
    }
  }

  @Test func imageInputAndHeatmapOutput() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    // A constant gray PNG (128/255): its DFT is HW·128/255 at DC and zero elsewhere.
    let h = 16, w = 16
    let png = dir.appendingPathComponent("gray.png").path
    try PNGCodec.write(pixels: [UInt8](repeating: 128, count: h * w), width: w, height: h, channels: 1, to: png)
    let npy = dir.appendingPathComponent("gray.npy").path
    let a = try FlensCLI.run(["spectrum", png, "--transform", "dft", "--out", npy])
    #expect(a.exitCode == 0, "\(a)")
    let spectrum = try NPY.readTensor(npy)
    #expect(spectrum.shape == [1, h, w])
    #expect(abs(spectrum.data[(h / 2) * w + w / 2] - Float(h * w) * 128 / 255) < 1e-3)
    #expect(spectrum.data.enumerated().allSatisfy { $0.offset == (h / 2) * w + w / 2 || abs($0.element) < 1e-3 })

    // Heat map of the cosine spectrum: 16×16 enlarged 16× to 256×256, with a colour bar.
    let cos = dir.appendingPathComponent("cos.npy").path
    try NPY.write(Self.cosines(h: h, w: w), to: cos)
    let map = dir.appendingPathComponent("spec.png").path
    let b = try FlensCLI.run(["spectrum", cos, "--transform", "dft", "--out", map])
    #expect(b.exitCode == 0, "\(b)")
    let image = try PNGCodec.read(map)
    let m = Heatmap.margin
    #expect(image.shape[0] == 3 && image.shape[1] == 256 + 2 * m && image.shape[2] > 256 + 2 * m + Heatmap.barWidth)
    // The channel mean peaks (the maximum, turbo(1)) at (H/2, W/2 + 3); DC (zero) is turbo(0).
    func rgb(_ y: Int, _ x: Int) -> [UInt8] {
      let plane = image.shape[1] * image.shape[2]
      return (0..<3).map { UInt8((image.data[$0 * plane + y * image.shape[2] + x] * 255).rounded()) }
    }
    let top = Colormap.turbo.rgb8(1), bottom = Colormap.turbo.rgb8(0)
    #expect(rgb(m + 8 * 16 + 8, m + 11 * 16 + 8) == [top.0, top.1, top.2])
    #expect(rgb(m + 8 * 16 + 8, m + 8 * 16 + 8) == [bottom.0, bottom.1, bottom.2])
  }

  @Test func badInputExitsOneNamingTheFileOrOption() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let output = dir.appendingPathComponent("out.npy").path
    let missing = dir.appendingPathComponent("missing.png").path
    let a = try FlensCLI.run(["spectrum", missing, "--transform", "dft", "--out", output])
    #expect(a.exitCode == 1 && a.stderr.contains(missing), "\(a)")
    let corrupt = dir.appendingPathComponent("corrupt.png").path
    try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]).write(to: URL(fileURLWithPath: corrupt))
    let b = try FlensCLI.run(["spectrum", corrupt, "--transform", "dct", "--out", output])
    #expect(b.exitCode == 1 && b.stderr.contains(corrupt), "\(b)")
    let fourD = dir.appendingPathComponent("batch.npy").path
    try NPY.write(Tensor(zeros: [1, 1, 2, 2]), to: fourD)
    let c = try FlensCLI.run(["spectrum", fourD, "--transform", "dft", "--out", output])
    #expect(c.exitCode == 1 && c.stderr.contains(fourD), "\(c)")
    let d = try FlensCLI.run(["spectrum", fourD, "--transform", "dft", "--out", dir.appendingPathComponent("x.txt").path])
    #expect(d.exitCode == 1 && d.stderr.contains("--out"), "\(d)")
    let e = try FlensCLI.run(["spectrum", fourD, "--transform", "fft", "--out", output])
    #expect(e.exitCode != 0 && e.stderr.contains("transform"), "\(e)")
    // No partial output was left behind.
    #expect(!FileManager.default.fileExists(atPath: output))
  }
}
