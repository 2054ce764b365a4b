import Foundation
import FourierLens
import Testing

@Suite struct BandsCommandTests {
  /// NumPy's fftfreq index → signed frequency (independent of the library's shift code).
  static func signedFrequency(_ k: Int, _ n: Int) -> Int { k < (n + 1) / 2 ? k : k - n }

  static func numbers(_ any: Any?) -> [Double]? { (any as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } }

  @Test func horizontalLineMaskGivesTheExpectedProfiles() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    // 8×8 mask, ones at f_y = 0, f_x = 1, 2, 3 (unshifted row 0, columns 1…3).
    var mask = Tensor(zeros: [8, 8])
    for c in 1...3 { mask.data[c] = 1 }
    let path = dir.appendingPathComponent("mask.npy").path
    try NPY.write(mask, to: path)
    let out = try FlensCLI.run(["bands", path, "--radial", "4", "--angular", "4", "--json"])
    #expect(out.exitCode == 0, "\(out)")
    let json = try #require(out.json, "not one JSON object: \(out.stdout)")
    // Radii 1, 2, 3 of a maximum √32 in 4 bands of width √2: bands 0, 1, 2, each 1/√3 of the norm.
    let radial = try #require(Self.numbers(json["radial"]))
    let third = (1.0 / 3).squareRoot()
    #expect(radial.count == 4)
    for (got, want) in zip(radial, [third, third, third, 0]) { #expect(abs(got - want) < 1e-6) }
    // All of it points along +f_x: sector 0.
    #expect(Self.numbers(json["angular"]) == [1, 0, 0, 0])
  }

  @Test func allOnesPerChannelMaskWithL1RadiusAndFold() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let c = 3, h = 9, w = 12, bands = 3, sectors = 4
    let path = dir.appendingPathComponent("ones.npy").path
    try NPY.write(Tensor(repeating: 1, shape: [c, h, w]), to: path)
    let out = try FlensCLI.run(["bands", path, "--radial", "\(bands)", "--angular", "\(sectors)",
                                "--metric", "l1", "--fold", "--json"])
    #expect(out.exitCode == 0, "\(out)")
    let json = try #require(out.json)
    // Expected: count frequencies per band with NumPy's frequency convention, energy √(count / HW).
    let maxRadius = Double(h / 2 + w / 2)
    var radialCount = [Int](repeating: 0, count: bands), sectorCount = [Int](repeating: 0, count: sectors)
    for r in 0..<h {
      for col in 0..<w {
        let fx = Double(Self.signedFrequency(col, w)), fy = -Double(Self.signedFrequency(r, h))
        radialCount[min(bands - 1, Int((abs(fx) + abs(fy)) / maxRadius * Double(bands) + 1e-9))] += 1
        if fx == 0 && fy == 0 { continue }
        var theta = atan2(fy, fx) * 180 / Double.pi
        if theta < 0 { theta += 360 }
        if theta >= 180 { theta -= 180 }
        sectorCount[Int(theta / (180 / Double(sectors)) + 1e-9) % sectors] += 1
      }
    }
    let radial = try #require(Self.numbers(json["radial"])), angular = try #require(Self.numbers(json["angular"]))
    for b in 0..<bands { #expect(abs(radial[b] - (Double(radialCount[b]) / Double(h * w)).squareRoot()) < 1e-6) }
    for s in 0..<sectors { #expect(abs(angular[s] - (Double(sectorCount[s]) / Double(h * w)).squareRoot()) < 1e-6) }
    #expect(json["metric"] as? String == "l1" && json["fold"] as? Bool == true)
  }

  @Test func dctMasksAreMeasuredFromTheCorner() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var mask = Tensor(zeros: [6, 6])
    mask.data[5] = 2  // first row, last column: horizontal, the farthest along f_x
    let path = dir.appendingPathComponent("dct.npy").path
    try NPY.write(mask, to: path)
    let out = try FlensCLI.run(["bands", path, "--radial", "2", "--angular", "3", "--transform", "dct", "--json"])
    #expect(out.exitCode == 0, "\(out)")
    let json = try #require(out.json)
    // Radius 5 of a maximum 5√2: position 5/7.07·2 = 1.41 → band 1.
    #expect(Self.numbers(json["radial"]) == [0, 1])
    #expect(Self.numbers(json["angular"]) == [1, 0, 0])
  }

  @Test func tableOutputListsBandsAndSectors() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("m.npy").path
    try NPY.write(Tensor(repeating: 1, shape: [4, 4]), to: path)
    let out = try FlensCLI.run(["bands", path, "--radial", "2", "--angular", "2"])
    #expect(out.exitCode == 0, "\(out)")
    let lines = out.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 1 + 1 + 2 + 1 + 2)
    // 4×4 Euclidean, 2 bands: 5 and 11 of 16 frequencies.
    #expect(lines[2].hasSuffix(String(format: "%.4f", (5.0 / 16).squareRoot())))
    #expect(lines[3].hasSuffix(String(format: "%.4f", (11.0 / 16).squareRoot())))
    #expect(lines[4].hasPrefix("sector"))
  }

  @Test func badInputExitsOneNamingTheFileOrOption() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let missing = dir.appendingPathComponent("missing.npy").path
    let a = try FlensCLI.run(["bands", missing, "--radial", "2", "--angular", "2"])
    #expect(a.exitCode == 1 && a.stderr.contains(missing), "\(a)")
    let corrupt = dir.appendingPathComponent("corrupt.npy").path
    try Data("definitely not numpy".utf8).write(to: URL(fileURLWithPath: corrupt))
    let b = try FlensCLI.run(["bands", corrupt, "--radial", "2", "--angular", "2", "--json"])
    #expect(b.exitCode == 1 && b.stderr.contains(corrupt) && b.stdout.isEmpty, "\(b)")
    let vector = dir.appendingPathComponent("vector.npy").path
    try NPY.write(Tensor(shape: [3], data: [1, 2, 3]), to: vector)
    let c = try FlensCLI.run(["bands", vector, "--radial", "2", "--angular", "2"])
    #expect(c.exitCode == 1 && c.stderr.contains(vector), "\(c)")
    let nan = dir.appendingPathComponent("nan.npy").path
    try NPY.write(Tensor(shape: [2, 2], data: [1, .nan, 0, 0]), to: nan)
    let d = try FlensCLI.run(["bands", nan, "--radial", "2", "--angular", "2"])
    #expect(d.exitCode == 1 && d.stderr.contains(nan), "\(d)")
    let e = try FlensCLI.run(["bands", vector, "--radial", "0", "--angular", "2"])
    #expect(e.exitCode == 1 && e.stderr.contains("--radial"), "\(e)")
  }
}
